// The pharmacist's workstation: prescriptions waiting (ready to give first, then those
// waiting for payment), one prescription with the lots it takes, the "Phát thuốc" button,
// and the stock with its alerts. Uses api(), el(), say() and $ from workstation.js.
"use strict";
const pharmacy = {
  current: null,
  mayStock: document.querySelector(".pharmacy").dataset.mayStock === "yes",
};

const money = (n) => `${Number(n).toLocaleString("vi-VN")} đ`;
const day = (iso) => new Date(`${iso}T00:00:00`).toLocaleDateString("vi-VN",
  { day: "2-digit", month: "2-digit", year: "numeric" });
const clock = (iso) => new Date(iso).toLocaleString("vi-VN");
const BADGE = { paid: "verified", covered: "verified", waiting: "pending" };

function entryButton(entry) {
  const button = el("button", { type: "button", "data-prescription": entry.prescription_id },
    entry.pharmacy_ticket ? el("span", { class: "ticket", text: entry.pharmacy_ticket }) : null,
    el("span", { class: "who", text: entry.patient.name }),
    el("span", { class: "muted small",
      text: `${entry.patient.birth_year || ""} · lượt ${entry.visit_number} · ${entry.item_count} thuốc` }),
    entry.payment.state === "waiting"
      ? el("span", { class: "small due", text: entry.payment.amount_due_vnd ? `Còn nộp ${money(entry.payment.amount_due_vnd)}` : entry.payment.label_vi })
      : el("span", { class: "small ok", text: entry.payment.label_vi }),
    entry.short_drugs_vi.length
      ? el("span", { class: "small short", text: `Thiếu thuốc: ${entry.short_drugs_vi.join(", ")}` }) : null);
  button.addEventListener("click", () => openPrescription(entry.prescription_id));
  if (pharmacy.current === entry.prescription_id) button.classList.add("current");
  return el("li", {}, button);
}

async function loadQueue() {
  try {
    const entries = await api("GET", "/api/pharmacy/queue");
    const ready = entries.filter((e) => e.may_dispense);  // paid or covered
    const waiting = entries.filter((e) => !e.may_dispense);
    $("#ready").replaceChildren(...(ready.length ? ready.map(entryButton) : [el("li", { class: "muted", text: "Không có đơn nào" })]));
    $("#waiting").replaceChildren(...(waiting.length ? waiting.map(entryButton) : [el("li", { class: "muted", text: "Không có đơn nào" })]));
    $("#ready-count").textContent = ready.length;
    $("#waiting-count").textContent = waiting.length;
    say("#queue-message", "");
  } catch (error) {
    say("#queue-message", error.message, true);
  }
}

async function openPrescription(id) {
  pharmacy.current = id;
  try {
    showPrescription(await api("GET", `/api/pharmacy/prescriptions/${id}`));
    say("#rx-message", "");
  } catch (error) {
    say("#queue-message", error.message, true);
  }
  for (const b of document.querySelectorAll(".rx-list button")) {
    b.classList.toggle("current", Number(b.dataset.prescription) === id);
  }
}

function lotCell(item, given) {
  if (given) {
    return el("td", {}, ...given.map((g) => el("div", { class: "lot" },
      el("strong", { text: `${g.quantity} ${item.unit}` }), ` lô ${g.lot_number} (HSD ${day(g.expiry_date)})`)));
  }
  if (item.shortage) {
    return el("td", { class: "short" },
      el("strong", { text: "HẾT HÀNG" }),
      ` — cần ${item.shortage.needed} ${item.unit}, trong kho còn ${item.shortage.available}`);
  }
  return el("td", {}, ...item.takes.map((t) => el("div", { class: "lot" },
    el("strong", { text: `${t.quantity} ${item.unit}` }), ` lô ${t.lot_number} (HSD ${day(t.expiry_date)})`)));
}

function showPrescription(rx) {
  $("#empty").hidden = true;
  $("#rx-card").hidden = false;
  $("#patient-name").textContent = rx.patient.name;
  $("#patient-ids").textContent = `Mã BN ${rx.patient.mrn} · năm sinh ${rx.patient.birth_year || "—"} · lượt ${rx.visit_number}`;
  const badge = $("#payment-badge");
  badge.textContent = rx.dispensed ? "Đã phát thuốc" : rx.payment.label_vi;
  badge.className = `badge big ${rx.dispensed ? "verified" : BADGE[rx.payment.state]}`;
  $("#rx-head").textContent = `Bác sĩ kê: ${rx.prescribed_by}` +
    (rx.issued_at ? ` · phát hành ${clock(rx.issued_at)}` : "") +
    (rx.diagnosis_text ? ` · Chẩn đoán: ${rx.diagnosis_text}` : "");
  const reason = $("#payment-reason");
  reason.textContent = rx.dispensed ? "" : rx.payment.reason_vi;
  reason.className = `payment-reason ${rx.payment.state}`;
  const givenByItem = {};
  for (const g of rx.dispensed ? rx.dispensed.given : []) {
    (givenByItem[g.prescription_item_id] ||= []).push(g);
  }
  $("#rx-items").replaceChildren(...rx.items.map((item) => el("tr", { class: item.shortage ? "short-row" : "" },
    el("td", {},
      el("div", { class: "drug", text: `${item.active_ingredient} ${item.strength}` }),
      el("div", { class: "muted small", text: [item.brand_name, item.dosage_form, item.route].filter(Boolean).join(" · ") })),
    el("td", { class: "num qty", text: `${item.quantity} ${item.unit}` }),
    el("td", { class: "small", text: item.instructions + (item.days ? ` (${item.days} ngày)` : "") }),
    lotCell(item, rx.dispensed ? givenByItem[item.id] || [] : null))));
  const out = $("#out-of-stock");
  out.hidden = !rx.out_of_stock_vi || Boolean(rx.dispensed);
  out.textContent = rx.out_of_stock_vi || "";
  const done = $("#dispensed");
  done.hidden = !rx.dispensed;
  done.textContent = rx.dispensed ? `✔ Đã phát thuốc lúc ${clock(rx.dispensed.at)} — dược sĩ ${rx.dispensed.by_name || rx.dispensed.by}` : "";
  const button = $("#dispense");
  button.hidden = Boolean(rx.dispensed);
  button.disabled = !rx.may_dispense;
  $("#dispense-why").textContent = rx.dispensed || rx.may_dispense ? ""
    : rx.out_of_stock_vi ? "Không phát được: thiếu thuốc trong kho"
    : rx.payment.state === "waiting" ? "Không phát được: chưa thanh toán" : "";
}

async function dispense() {
  const button = $("#dispense");
  button.disabled = true;
  try {
    const rx = await api("POST", `/api/pharmacy/prescriptions/${pharmacy.current}/dispense`);
    showPrescription(rx);
    say("#rx-message", "Đã phát thuốc và trừ kho.");
  } catch (error) {
    say("#rx-message", error.message, true);
    await openPrescription(pharmacy.current);
    say("#rx-message", error.message, true);
  }
  await loadQueue();
  if (pharmacy.mayStock) await loadStock();
}

function alertItem(d, text) {
  return el("li", {}, el("strong", { text: `${d.active_ingredient} ${d.strength}` }), ` — ${text}`);
}

async function loadStock() {
  try {
    const data = await api("GET", "/api/pharmacy/stock");
    const none = () => el("li", { class: "muted", text: "Không có" });
    const low = data.drugs.filter((d) => d.low).map((d) => alertItem(d, `còn ${d.usable} ${d.unit}`));
    const expiring = [];
    const expired = [];
    const lots = data.drugs.flatMap((d) => d.lots.map((lot) => ({ d, lot })))
      .filter(({ lot }) => lot.quantity_on_hand > 0)
      .sort((a, b) => a.lot.expiry_date.localeCompare(b.lot.expiry_date));
    for (const { d, lot } of lots) {
      const text = `lô ${lot.lot_number}: ${lot.quantity_on_hand} ${d.unit}, HSD ${day(lot.expiry_date)}`;
      if (lot.expired) expired.push(alertItem(d, text));
      else if (lot.expiring_soon) expiring.push(alertItem(d, text));
    }
    $("#low-count").textContent = low.length;
    $("#expiring-count").textContent = expiring.length;
    $("#expired-count").textContent = expired.length;
    $("#low-list").replaceChildren(...(low.length ? low : [none()]));
    $("#expiring-list").replaceChildren(...(expiring.length ? expiring : [none()]));
    $("#expired-list").replaceChildren(...(expired.length ? expired : [none()]));
    $("#stock-rows").replaceChildren(...data.drugs.map((d) => el("tr", { class: d.low ? "low" : "" },
      el("td", { text: `${d.active_ingredient} ${d.strength}${d.brand_name ? ` (${d.brand_name})` : ""}` }),
      el("td", { class: "num", text: `${d.usable} ${d.unit}` }),
      el("td", { class: "small", text: d.lots.map((l) => `${l.lot_number}: ${l.quantity_on_hand} (HSD ${day(l.expiry_date)})${l.expired ? " — HẾT HẠN" : ""}`).join(" · ") || "—" }))));
  } catch (error) {
    say("#stock-message", error.message, true);
  }
}

async function receive(event) {
  event.preventDefault();
  const form = event.target;
  const body = {
    drug_code: form.drug_code.value,
    lot_number: form.lot_number.value.trim(),
    expiry_date: form.expiry_date.value,
    quantity: Number(form.quantity.value),
  };
  try {
    const lot = await api("POST", "/api/pharmacy/stock", body);
    say("#stock-message", `Đã nhập lô ${lot.lot_number}: trong kho còn ${lot.quantity_on_hand}.`);
    form.lot_number.value = "";
    form.quantity.value = "";
    await loadStock();
    if (pharmacy.current) await openPrescription(pharmacy.current);
  } catch (error) {
    say("#stock-message", error.message, true);
  }
}

$("#refresh").addEventListener("click", loadQueue);
$("#dispense").addEventListener("click", dispense);
if (pharmacy.mayStock) {
  $("#receive-form").addEventListener("submit", receive);
  loadStock();
}
loadQueue();
setInterval(loadQueue, 20000);  // new payments move prescriptions to "ready"
