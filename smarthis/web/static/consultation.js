// One consultation: facts, participants, shared results, conclusion and minutes.
"use strict";
const root = document.querySelector(".consult");
const ID = root.dataset.id;
const MAY_WRITE = root.dataset.mayWrite === "yes";
const when = (iso) => new Date(iso).toLocaleString("vi-VN", { dateStyle: "short", timeStyle: "short" });

function sharedItem(s) {
  const lines = s.values.map(([analyte, value, unit, flag]) =>
    el("li", { class: flag === "normal" ? "" : "flagged", text: `${analyte}: ${value} ${unit}` }));
  return el("li", {}, el("strong", { text: s.service_name }),
    s.conclusion ? el("p", { text: `Kết luận: ${s.conclusion}` }) : null,
    lines.length ? el("ul", { class: "values" }, ...lines) : null,
    s.study_instance_uid ? el("p", { class: "muted", text: `Hình ảnh: ${s.images} ảnh` }) : null);
}

async function choices(c) {
  const found = await api("GET", `/api/patients/${c.patient_id}/results?verified_only=true`);
  const sharedIds = new Set(c.shared.map((s) => s.order_item_id));
  const open = found.items.filter((i) => !sharedIds.has(i.item_id));
  $("#choices").replaceChildren(...(open.length ? open.map((i) => el("li", {},
    el("label", {}, el("input", { type: "checkbox", value: i.item_id }), ` ${i.service_name}`))) :
    [el("li", { class: "muted", text: "Không còn kết quả đã duyệt nào khác" })]));
}

function show(c) {
  $("#title").textContent = `Hội chẩn HC-${String(c.id).padStart(6, "0")}`;
  $("#status").textContent = c.status_vi;
  $("#status").className = `badge ${c.status}`;
  $("#patient").textContent = `${c.patient_name} — mã người bệnh ${c.patient_mrn}`;
  $("#when").textContent = when(c.scheduled_at);
  $("#link").textContent = c.video_link;
  $("#link").href = c.video_link;
  $("#question").textContent = c.question;
  $("#summary").textContent = c.case_summary;
  $("#people tbody").replaceChildren(...c.participants.map((p) => el("tr", {},
    el("td", { text: `${p.hospital_name} (${p.hospital_code})` }),
    el("td", { text: `${p.title ? p.title + " " : ""}${p.doctor_name}` }), el("td", { text: p.role_vi }))));
  $("#shared").replaceChildren(...(c.shared.length ? c.shared.map(sharedItem) :
    [el("li", { class: "muted", text: "Chưa chia sẻ kết quả nào" })]));
  const open = c.status === "scheduled";
  $("#share-form").hidden = !(MAY_WRITE && open);
  $("#conclude-form").hidden = !(MAY_WRITE && open);
  if (c.status === "held") {
    $("#outcome").replaceChildren(el("p", { class: "pre", text: c.conclusion }),
      c.treatment_plan ? el("p", { class: "pre", text: `Hướng điều trị: ${c.treatment_plan}` }) : null,
      el("p", { class: "muted", text: `Ghi lúc ${when(c.held_at)}` }));
  } else if (c.status === "cancelled") {
    $("#outcome").replaceChildren(el("p", { text: `Đã huỷ: ${c.cancel_reason}` }));
  } else {
    $("#outcome").replaceChildren();
  }
  $("#minutes").hidden = c.status !== "held";
  $("#minutes").href = c.minutes_document_id ? `/api/documents/${c.minutes_document_id}/pdf` : `/api/consultations/${c.id}/minutes.pdf`;
  $("#minutes").textContent = c.minutes_signed ? "Biên bản hội chẩn (PDF, đã ký số)" : "Biên bản hội chẩn (PDF, chưa ký số — ký tại hồ sơ tài liệu của người bệnh)";
  $("#registry").hidden = c.status !== "held";
  $("#registry").href = `/patients/${c.patient_id}/documents`;
  if (MAY_WRITE && open) choices(c).catch((e) => say("#share-message", e.message, true));
}

async function load() {
  try {
    show(await api("GET", `/api/consultations/${ID}`));
  } catch (error) {
    say("#conclude-message", error.message, true);
  }
}

$("#share-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const ids = [...$("#choices").querySelectorAll("input:checked")].map((i) => Number(i.value));
  if (!ids.length) return say("#share-message", "Chưa chọn kết quả nào", true);
  try {
    show(await api("POST", `/api/consultations/${ID}/shared`, { order_item_ids: ids }));
    say("#share-message", "Đã chia sẻ");
  } catch (error) { say("#share-message", error.message, true); }
});
$("#conclude-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    show(await api("POST", `/api/consultations/${ID}/conclusion`,
      { conclusion: $("#conclusion").value, treatment_plan: $("#plan").value || null }));
    say("#conclude-message", "Đã ghi kết luận và lập biên bản");
  } catch (error) { say("#conclude-message", error.message, true); }
});
$("#cancel").addEventListener("click", async () => {
  const reason = prompt("Lý do huỷ cuộc hội chẩn:");
  if (!reason) return;
  try {
    show(await api("POST", `/api/consultations/${ID}/cancel`, { reason }));
  } catch (error) { say("#conclude-message", error.message, true); }
});
load();
