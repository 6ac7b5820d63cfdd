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

let visit = null;

function choose(patient) {
  selected = patient;
  visit = null;
  $("#new-patient-card").hidden = true;
  $("#visit-card").hidden = false;
  $("#visit-form").hidden = false;
  $("#ticket-form").hidden = true;
  $("#visit-patient").textContent =
    `${patient.full_name} — mã BN ${patient.mrn}` + (patient.bhyt_code ? ` — thẻ ${patient.bhyt_code}` : "");
  $("#visit-result").replaceChildren();
  $("#ticket-result").replaceChildren();
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
    visit = await api("POST", "/api/visits", body);
    const badge = text("span", visit.card_check_status_vi);
    badge.className = `badge ${visit.card_check_status}`;
    result.replaceChildren(text("p", `Lượt khám số ${visit.visit_number} — đối tượng đề xuất ${visit.proposed_category}`), badge,
      text("p", visit.card_check_message || ""));
    loadUnverified();
    showTicketForm(visit);
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

// After the visit: give a number for a specialty (shortest-wait room) or a counter.
async function showTicketForm() {
  const select = $("#ticket-choice");
  const { specialties, services } = await api("GET", "/api/queue/choices");
  const option = (c) => {
    const o = document.createElement("option");
    o.value = JSON.stringify({ kind: c.kind, specialty: c.specialty });
    o.textContent = `${c.name_vi} — chờ khoảng ${c.expected_wait_minutes} phút (${c.waiting} người)`;
    return o;
  };
  const group = (label, items) => {
    const g = document.createElement("optgroup");
    g.label = label;
    g.append(...items.map(option));
    return g;
  };
  select.replaceChildren(group("Khám bệnh", specialties), group("Quầy", services));
  $("#visit-form").hidden = true;
  $("#ticket-form").hidden = false;
  $("#ticket-form").dataset.key = `reception:${Date.now()}:${Math.random().toString(36).slice(2, 10)}`;
}

$("#ticket-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!visit) return;
  const form = new FormData(event.target);
  const choice = JSON.parse(form.get("choice"));
  const body = { visit_id: visit.id, kind: choice.kind, idempotency_key: event.target.dataset.key };
  if (choice.specialty) body.specialty = choice.specialty;
  if (form.get("priority")) body.priority = form.get("priority");
  const out = $("#ticket-result");
  try {
    const ticket = await api("POST", "/api/queue/tickets", body);
    const number = text("p", ticket.display_number);
    number.className = "big-number";
    const where = `${ticket.service_point_name}` + (ticket.room_label ? ` — ${ticket.room_label}` : "") +
      (ticket.floor ? `, ${ticket.floor}` : "");
    const print = document.createElement("a");
    print.href = `/api/queue/tickets/${ticket.id}/ticket.pdf`;
    print.target = "_blank";
    print.textContent = "In phiếu (PDF)";
    out.replaceChildren(number, text("p", where),
      text("p", (ticket.expected_wait_minutes ? `Chờ dự kiến khoảng ${ticket.expected_wait_minutes} phút` : "Không phải chờ") +
        (ticket.priority_name_vi ? ` — ưu tiên: ${ticket.priority_name_vi}` : "")), print);
    $("#ticket-form").hidden = true;
  } catch (error) {
    out.textContent = error.message;
  }
});

// Patients who cannot use the kiosk: typed details with the document they have.
$("#new-patient-button").addEventListener("click", () => {
  $("#new-patient-card").hidden = false;
  $("#visit-card").hidden = true;
  $("#new-patient-form").reset();
  $("#document-kind").dispatchEvent(new Event("change"));
});
$("#new-patient-cancel").addEventListener("click", () => { $("#new-patient-card").hidden = true; });
$("#document-kind").addEventListener("change", (event) => {
  $("#guardian-fields").hidden = event.target.value !== "guardian_cccd";
  $("#nationality-fields").hidden = event.target.value !== "passport_number";
});
$("#new-patient-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { full_name: form.get("full_name") };
  for (const field of ["date_of_birth", "sex", "phone", "address"]) {
    if (form.get(field)) body[field] = form.get(field);
  }
  const kind = form.get("document");
  body[kind] = form.get("document_number").trim();
  if (kind === "guardian_cccd" && form.get("guardian_name")) body.guardian_name = form.get("guardian_name");
  if (kind === "passport_number") body.nationality = (form.get("nationality") || "VN").toUpperCase();
  if (form.get("bhyt_code") && kind !== "bhyt_code") body.bhyt_code = form.get("bhyt_code");
  const message = $("#scan-message");
  try {
    const result = await api("POST", "/api/patients", body);
    message.textContent = result.created ? "Đã đăng ký bệnh nhân mới." : "Bệnh nhân đã có hồ sơ — đã mở hồ sơ cũ.";
    showPatients([result.patient]);
    choose(result.patient);
  } catch (error) {
    message.textContent = error.message;
  }
});

// An unconscious or unknown emergency patient: a temporary identity, merged later.
$("#emergency-button").addEventListener("click", async () => {
  const description = prompt("Mô tả ngắn (giới tính, tuổi ước lượng, đặc điểm):", "") ?? null;
  if (description === null) return;
  try {
    const patient = await api("POST", "/api/patients/temporary", { description });
    $("#scan-message").textContent = `Đã tạo hồ sơ tạm ${patient.mrn}; gộp vào hồ sơ thật khi biết danh tính.`;
    showPatients([patient]);
    choose(patient);
    document.querySelector('#visit-form select[name="arrival_mode"]').value = "emergency";
    document.querySelector('#visit-form input[name="use_insurance"]').checked = false;
  } catch (error) {
    $("#scan-message").textContent = error.message;
  }
});

$("#refresh-unverified").addEventListener("click", loadUnverified);
loadUnverified();
setInterval(loadUnverified, 30000);
