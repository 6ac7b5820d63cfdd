// A stay's supplies used on the ward and its bed days: record or cancel a supply, charge the
// bed days up to today; the drug picker of the medication record (its doses are charged).
// Loaded after inpatient-stay.js (uses its stayId and stream).
"use strict";
const money = (n) => `${Number(n).toLocaleString("vi-VN")} đ`;

async function loadSupplyCatalogue() {
  const items = await api("GET", "/api/inpatient/supplies");
  $("#supply-code").replaceChildren(...items.map((s) => el("option", {
    value: s.code, text: `${s.name} (${s.unit}, ${money(s.hospital_price_vnd)})${s.in_benefit_list ? "" : " — ngoài BHYT"}`,
  })));
}

function supplyRow(use) {
  const cancelled = use.status === "cancelled";
  const cancel = cancelled ? el("span", { class: "muted", text: `Đã huỷ: ${use.cancel_reason || ""}` })
    : el("button", { type: "button", class: "link open-only", "data-use": String(use.id), text: "Huỷ" });
  return el("tr", { class: cancelled ? "cancelled" : "" },
    el("td", { text: hospitalTime(use.used_at) }), el("td", { text: use.name }),
    el("td", { text: `${use.quantity} ${use.unit}` }), el("td", { text: use.used_by }), el("td", {}, cancel));
}

async function loadSupplies() {
  try {
    const uses = await api("GET", `/api/inpatient/stays/${stayId}/supplies`);
    $("#supply-rows").replaceChildren(...uses.map(supplyRow));
    $("#supply-empty").hidden = uses.length > 0;
    const open = record ? record.stay.status === "admitted" : true;
    for (const node of document.querySelectorAll("#supply-rows .open-only")) node.hidden = !open;
  } catch (error) {
    say("#supply-message", error.message, true);
  }
}

async function loadBedDays() {
  try {
    const days = await api("GET", `/api/inpatient/stays/${stayId}/bed-days`);
    $("#bed-days").replaceChildren(...days.map((d) => el("li", {
      class: d.charge_status === "cancelled" ? "cancelled" : "",
      text: `${d.name} — ${money(d.hospital_price_vnd || 0)}`,
    })));
    $("#bed-days-empty").hidden = days.length > 0;
  } catch (error) {
    say("#bed-days-message", error.message, true);
  }
}

$("#supply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const quantity = Number($("#supply-quantity").value.trim());
  try {
    await api("POST", `/api/inpatient/stays/${stayId}/supplies`, { code: $("#supply-code").value, quantity });
    say("#supply-message", "Đã ghi vật tư.");
    $("#supply-quantity").value = "1";
    loadSupplies();
  } catch (error) {
    say("#supply-message", error.message, true);
  }
});

$("#supply-rows").addEventListener("click", async (event) => {
  const id = event.target.dataset && event.target.dataset.use;
  if (!id) return;
  const reason = window.prompt("Lý do huỷ vật tư:");
  if (!reason || !reason.trim()) return;
  try {
    await api("POST", `/api/inpatient/stays/${stayId}/supplies/${id}/cancel`, { reason: reason.trim() });
    say("#supply-message", "Đã huỷ vật tư.");
    loadSupplies();
  } catch (error) {
    say("#supply-message", error.message, true);
  }
});

$("#charge-bed-days").addEventListener("click", async () => {
  try {
    const done = await api("POST", `/api/inpatient/stays/${stayId}/bed-days`);
    say("#bed-days-message", done.charged ? `Đã tính thêm ${done.charged} ngày giường.` : "Ngày giường đã được tính đủ đến hôm nay.");
    loadBedDays();
  } catch (error) {
    say("#bed-days-message", error.message, true);
  }
});

// The medication record's drug picker: a catalogue drug names itself, its route and unit,
// and is charged when given; free text stays for drugs outside the catalogue (not charged).
let wardDrugs = new Map();
async function loadDrugCatalogue() {
  const items = await api("GET", "/api/inpatient/drugs");
  wardDrugs = new Map(items.map((d) => [d.code, d]));
  $("#m-code").append(...items.map((d) => el("option", {
    value: d.code, text: `${d.code} — ${d.name} (${d.unit}, ${money(d.price_vnd)})${d.insurance_covered ? "" : " — ngoài BHYT"}`,
  })));
}
function showDrugChoice() {
  const drug = wardDrugs.get($("#m-code").value);
  $("#m-drug").disabled = $("#m-route").disabled = Boolean(drug);
  $("#m-drug-label").hidden = Boolean(drug);
  $("#m-quantity").disabled = !drug;
  $("#m-unit").textContent = drug ? `${drug.unit} (${drug.route})` : "";
}
$("#m-code").addEventListener("change", showDrugChoice);
$("#mar-form").addEventListener("reset", () => setTimeout(showDrugChoice));

let chargesTimer = null;
stream.addEventListener("inpatient", () => {
  clearTimeout(chargesTimer);
  chargesTimer = setTimeout(() => { loadSupplies(); loadBedDays(); }, 150);
});
loadSupplyCatalogue().catch((error) => say("#supply-message", error.message, true));
loadDrugCatalogue().then(showDrugChoice).catch((error) => say("#mar-message", error.message, true));
loadSupplies();
loadBedDays();
