// Reception: scan or search, pick the patient, register the visit (the card check runs
// on the server, with its 3-second limit), and watch the visits whose card is unverified.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (sel) => document.querySelector(sel);
let selected = null;

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new Error(error.message || `Lỗi ${response.status}`);
  }
  return data;
}

const fmtDate = (iso) => (iso ? iso.split("-").reverse().join("/") : "");
const fmtTime = (iso) =>
  new Date(iso).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
const sexVi = (sex) => ({ male: "Nam", female: "Nữ" })[sex] || "";

function text(tag, value) {
  const el = document.createElement(tag);
  el.textContent = value ?? "";
  return el;
}

function showPatients(patients) {
  const body = $("#results tbody");
  body.replaceChildren();
  for (const p of patients) {
    const row = document.createElement("tr");
    row.append(text("td", p.mrn), text("td", p.full_name),
      text("td", p.date_of_birth ? fmtDate(p.date_of_birth) : p.birth_year),
      text("td", sexVi(p.sex)), text("td", p.bhyt_code));
    const cell = document.createElement("td");
    const button = text("button", "Chọn");
    button.addEventListener("click", () => choose(p));
    cell.append(button);
    row.append(cell);
    body.append(row);
  }
  $("#results").hidden = patients.length === 0;
}

function choose(patient) {
  selected = patient;
  $("#visit-card").hidden = false;
  $("#visit-patient").textContent =
    `${patient.full_name} — mã BN ${patient.mrn}` + (patient.bhyt_code ? ` — thẻ ${patient.bhyt_code}` : "");
  $("#visit-result").replaceChildren();
}

$("#scan-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = $("#scan-input").value.trim();
  const message = $("#scan-message");
  message.textContent = "";
  if (!value) return;
  try {
    if (value.includes("|")) {
      // A keyboard-wedge scanner types the CCCD QR text and presses Enter.
      const result = await api("POST", "/api/patients/identify", { qr_text: value });
      message.textContent = result.created ? "Đã tạo hồ sơ bệnh nhân mới từ CCCD." : "Đã tìm thấy bệnh nhân.";
      showPatients([result.patient]);
      choose(result.patient);
    } else {
      const patients = await api("GET", `/api/patients?q=${encodeURIComponent(value)}`);
      message.textContent = patients.length ? `Tìm thấy ${patients.length} bệnh nhân.` : "Không tìm thấy bệnh nhân.";
      showPatients(patients);
    }
  } catch (error) {
    message.textContent = error.message;
  }
  $("#scan-input").select();
});

$("#visit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!selected) return;
  const form = new FormData(event.target);
  const body = {
    patient_id: selected.id,
    arrival_mode: form.get("arrival_mode"),
    use_insurance: form.get("use_insurance") === "on",
    idempotency_key: crypto.randomUUID(),
  };
  if (form.get("bhyt_code")) body.bhyt_code = form.get("bhyt_code");
  const result = $("#visit-result");
  result.textContent = "Đang đăng ký và kiểm tra thẻ…";
  try {
    const visit = await api("POST", "/api/visits", body);
    const badge = text("span", visit.card_check_status_vi);
    badge.className = `badge ${visit.card_check_status}`;
    result.replaceChildren(text("p", `Lượt khám số ${visit.visit_number} — đối tượng đề xuất ${visit.proposed_category}`), badge,
      text("p", visit.card_check_message || ""));
    loadUnverified();
  } catch (error) {
    result.textContent = error.message;
  }
});

async function loadUnverified() {
  const body = $("#unverified tbody");
  try {
    const visits = await api("GET", "/api/visits/unverified");
    body.replaceChildren();
    for (const v of visits) {
      const row = document.createElement("tr");
      const status = text("span", v.card_check_status_vi);
      status.className = `badge ${v.card_check_status}`;
      const statusCell = document.createElement("td");
      statusCell.append(status);
      row.append(text("td", v.visit_number), text("td", fmtTime(v.registered_at)), text("td", v.bhyt_code),
        statusCell, text("td", v.card_check_message), text("td", v.card_check_attempts));
      body.append(row);
    }
    if (!visits.length) {
      const row = document.createElement("tr");
      const cell = text("td", "Không có lượt khám nào chờ xác minh thẻ.");
      cell.colSpan = 6;
      row.append(cell);
      body.append(row);
    }
  } catch (error) {
    body.replaceChildren(text("tr", error.message));
  }
}

$("#refresh-unverified").addEventListener("click", loadUnverified);
loadUnverified();
setInterval(loadUnverified, 30000);
