// Consultation schedule: counts, list for a date range, and the form for a new one.
"use strict";
const root = document.querySelector(".consults");
const FACILITY = root.dataset.facility;
const when = (iso) => new Date(iso).toLocaleString("vi-VN", { dateStyle: "short", timeStyle: "short" });
const isoDay = (d) => d.toISOString().slice(0, 10);

function tile(title, value) {
  return el("div", { class: "tile" }, el("strong", { text: String(value) }), el("span", { text: title }));
}

async function load() {
  const start = $("#range-start").value, end = $("#range-end").value;
  const query = start && end ? `?start=${start}&end=${end}` : "";
  try {
    const [counts, rows] = await Promise.all([
      api("GET", `/api/consultations/stats${query}`), api("GET", `/api/consultations${query}`)]);
    $("#range-start").value = counts.start;
    $("#range-end").value = counts.end;
    $("#counts").replaceChildren(tile("Đã hội chẩn", counts.held), tile("Đã lên lịch", counts.scheduled),
      tile("Đã huỷ", counts.cancelled));
    const body = $("#list tbody");
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "4", class: "muted", text: "Chưa có cuộc hội chẩn nào trong khoảng này" })));
      return;
    }
    body.replaceChildren(...rows.map((c) => el("tr", {},
      el("td", { text: when(c.scheduled_at) }),
      el("td", {}, el("a", { href: `/consultations/${c.id}`, text: c.patient_name }), ` (${c.patient_mrn})`),
      el("td", { text: c.question }),
      el("td", {}, el("span", { class: `badge ${c.status}`, text: c.status_vi })))));
  } catch (error) {
    $("#counts").replaceChildren(tile("Lỗi", error.message));
  }
}

function personRow(values = {}) {
  const input = (name, value, attrs = {}) => el("input", { name, value: value || "", ...attrs });
  const role = el("select", { name: "role" },
    ...[["member", "Thành viên"], ["chair", "Chủ trì"], ["secretary", "Thư ký"]].map(([v, t]) => el("option", { value: v, text: t })));
  role.value = values.role || "member";
  const remove = el("button", { type: "button", class: "link", text: "Bỏ" });
  const row = el("tr", {},
    el("td", {}, input("hospital_code", values.hospital_code, { size: "6", maxlength: "5", required: "" })),
    el("td", {}, input("hospital_name", values.hospital_name, { required: "" })),
    el("td", {}, input("title", values.title, { size: "10" })),
    el("td", {}, input("doctor_name", values.doctor_name, { required: "" })),
    el("td", {}, role), el("td", {}, remove));
  remove.addEventListener("click", () => row.remove());
  $("#people tbody").append(row);
}

async function findPatient() {
  const q = $("#patient-q").value.trim();
  if (!q) return;
  const found = await api("GET", `/api/patients?q=${encodeURIComponent(q)}&limit=10`);
  $("#patient").replaceChildren(el("option", { value: "", text: found.length ? "— chọn người bệnh —" : "Không tìm thấy" }),
    ...found.map((p) => el("option", { value: p.id, text: `${p.full_name} — ${p.mrn}` })));
  if (found.length === 1) $("#patient").value = found[0].id;
}

async function submitNew(event) {
  event.preventDefault();
  const participants = [...$("#people tbody").rows].map((row) => {
    const get = (name) => row.querySelector(`[name=${name}]`).value.trim();
    return { hospital_code: get("hospital_code").toUpperCase(), hospital_name: get("hospital_name"),
      title: get("title") || null, doctor_name: get("doctor_name"), role: get("role") };
  });
  try {
    const created = await api("POST", "/api/consultations", {
      patient_id: Number($("#patient").value), question: $("#question").value,
      case_summary: $("#summary").value, video_link: $("#link").value,
      scheduled_at: new Date($("#when").value).toISOString(), participants,
    });
    location.href = `/consultations/${created.id}`;
  } catch (error) {
    say("#new-message", error.message, true);
  }
}

$("#range-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
if (root.dataset.mayWrite === "yes") {
  personRow({ hospital_code: FACILITY, hospital_name: document.querySelector(".facility").textContent,
    doctor_name: root.dataset.doctor, role: "chair" });
  personRow();
  $("#add-person").addEventListener("click", () => personRow());
  $("#patient-find").addEventListener("click", () => findPatient().catch((e) => say("#new-message", e.message, true)));
  $("#patient-q").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); findPatient(); } });
  $("#new-form").addEventListener("submit", submitNew);
}
load();
