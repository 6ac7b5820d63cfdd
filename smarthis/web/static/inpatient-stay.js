// A stay's record screen: header, vital signs (table and chart), progress notes, nursing
// notes, medication given, results, bed moves and discharge. Everything reloads when the
// stay's stream (/api/inpatient/stays/{id}/events) says something changed, so a second
// screen open on the same patient shows a new entry within a second.
"use strict";
const page = document.querySelector(".stay-page");
const stayId = Number(page.dataset.stay);
let record = null;
let moveWardChosen = false; // the move form follows the stay's ward until the user picks one

function ageOf(patient) {
  return patient.birth_year ? `${new Date().getFullYear() - patient.birth_year} tuổi` : "";
}

function byLine(entry, at) {
  return el("span", { class: "by", text: `${hospitalTime(at)} — ${entry.by.name}` });
}

function renderHeader(r) {
  const s = r.stay, p = r.patient;
  $("#patient-name").textContent = p.full_name;
  $("#patient-facts").textContent = [p.sex_vi, ageOf(p), `Mã BN ${p.mrn}`].filter(Boolean).join(" · ");
  const open = s.status === "admitted";
  $("#stay-status").textContent = open ? `Đang điều trị — ngày thứ ${s.day}` : "Đã ra viện";
  $("#stay-status").className = `status-pill ${open ? "open" : "closed"}`;
  $("#stay-facts").textContent = [
    `Số vào viện ${s.stay_number}`,
    s.kind_vi,
    s.ward_name,
    s.bed ? `${s.room}, giường ${s.bed}` : "chưa xếp giường",
    `vào viện ${hospitalTime(s.admitted_at)} từ ${s.admitted_from_vi}`,
    `BS điều trị: ${s.attending_doctor_name}`,
  ].join(" · ");
  $("#stay-diagnosis").replaceChildren(el("strong", { text: "Chẩn đoán vào viện: " }),
    `${s.admission_icd_code} — ${s.admission_diagnosis}`);
  $("#board-link").href = `/inpatient/wards/${encodeURIComponent(s.ward)}`;
  $("#record-link").href = `/patients/${p.id}/record`;
  document.title = `${p.full_name} — Hồ sơ nội trú`;
  for (const node of document.querySelectorAll(".open-only")) node.hidden = !open;
  if (!moveWardChosen && $("#move-ward").value !== s.ward) {
    $("#move-ward").value = s.ward;
    loadFreeBeds();
  }
  $("#discharged").hidden = open;
  if (!open) {
    $("#discharged-text").textContent = `${s.discharge_kind_vi} lúc ${hospitalTime(s.discharged_at)}. `
      + `Chẩn đoán: ${s.discharge_icd_code} — ${s.discharge_diagnosis}.`;
    $("#discharge-paper").href = `/api/inpatient/stays/${stayId}/discharge-paper.pdf`;
    $("#paper-registry").href = `/patients/${p.id}/documents`;
    loadPaper();
  }
}

// The signed discharge paper: who signed it, and whether the signatures still verify.
function showPaper(paper) {
  if (!paper.filed) return;
  $("#paper-status").textContent = paper.ok ? `✔ ${paper.status_vi}` : `✘ ${paper.status_vi}`;
  $("#paper-status").className = paper.ok ? "ok" : "bad";
  $("#paper-signers").replaceChildren(...paper.signers.map((s) => el("li", { text: `${s.name} — ${s.reason}` })));
  $("#paper-registry").hidden = false;
  $("#discharge-paper").href = `/api/documents/${paper.document_id}/pdf`;
  $("#discharge-paper").textContent = "Tải giấy ra viện đã ký (PDF)";
}

async function loadPaper() {
  try {
    showPaper(await api("GET", `/api/inpatient/stays/${stayId}/papers/discharge_paper/verification`));
  } catch (error) {
    say("#sign-message", error.message, true);
  }
}

async function signPaper(capacity) {
  try {
    showPaper(await api("POST", `/api/inpatient/stays/${stayId}/papers/discharge_paper/signatures`, { capacity }));
    say("#sign-message", "Đã ký số.");
  } catch (error) {
    say("#sign-message", error.message, true);
  }
}
// The treatment sheet: printable at any time, signed as it stands (new notes, new version).
function showSheet(sheet) {
  $("#sheet-status").textContent = sheet.filed
    ? `${sheet.ok ? "✔" : "✘"} ${sheet.status_vi} — bản ${sheet.version}, ${sheet.signers.length} chữ ký`
    : "Chưa ký số.";
  $("#sheet-status").className = sheet.filed ? (sheet.ok ? "ok" : "bad") : "muted";
}
$("#sheet-pdf").href = `/api/inpatient/stays/${stayId}/treatment-sheet.pdf`;
api("GET", `/api/inpatient/stays/${stayId}/papers/treatment_sheet/verification`).then(showSheet).catch(() => {});
if ($("#sign-sheet")) {
  $("#sign-sheet").addEventListener("click", async () => {
    try {
      showSheet(await api("POST", `/api/inpatient/stays/${stayId}/papers/treatment_sheet/signatures`, { capacity: "doctor" }));
    } catch (error) {
      $("#sheet-status").textContent = error.message;
      $("#sheet-status").className = "bad";
    }
  });
}
if ($("#sign-doctor")) {
  $("#sign-doctor").addEventListener("click", () => signPaper("doctor"));
  $("#sign-head").addEventListener("click", () => signPaper("head_of_department"));
}

const num = (v, unit) => (v == null ? "—" : `${v}${unit}`);

function renderVitals(list) {
  $("#vitals-rows").replaceChildren(...list.slice().reverse().map((v) => el("tr", { "data-id": v.id },
    el("td", { text: hospitalTime(v.taken_at) }),
    el("td", { text: num(v.pulse, "") }),
    el("td", { text: num(v.temperature_c, " °C") }),
    el("td", { text: v.systolic == null ? "—" : `${v.systolic}/${v.diastolic}` }),
    el("td", { text: num(v.respiratory_rate, "") }),
    el("td", { text: num(v.spo2, "%") }),
    el("td", { text: num(v.weight_kg, " kg") }),
    el("td", { text: v.by.name }))));
  drawVitalsChart($("#vitals-chart"), list);
}

function soapLine(letter, name, text) {
  return text ? el("p", {}, el("strong", { text: `${letter} — ${name}: ` }), text) : null;
}

function renderNotes(r) {
  $("#progress-empty").hidden = r.progress_notes.length > 0;
  $("#progress-notes").replaceChildren(...r.progress_notes.slice().reverse().map((n) =>
    el("li", { "data-id": n.id }, byLine(n, n.written_at),
      soapLine("S", "Người bệnh kể", n.subjective),
      soapLine("O", "Khám thấy", n.objective),
      soapLine("A", "Đánh giá", n.assessment),
      soapLine("P", "Xử trí, y lệnh", n.plan))));
  $("#nursing-empty").hidden = r.nursing_notes.length > 0;
  $("#nursing-notes").replaceChildren(...r.nursing_notes.slice().reverse().map((n) =>
    el("li", { "data-id": n.id }, byLine(n, n.written_at), el("p", { text: n.note }))));
  $("#mar-rows").replaceChildren(...r.medications.slice().reverse().map((m) =>
    el("tr", { class: `mar-${m.status}` },
      el("td", { text: hospitalTime(m.recorded_at) }),
      el("td", { text: m.drug }), el("td", { text: m.dose }), el("td", { text: m.route }),
      el("td", { text: m.reason ? `${m.status_vi}: ${m.reason}` : m.status_vi }),
      el("td", { text: m.by.name }))));
  const KIND_VI = { admit: "Vào khoa", assign: "Xếp giường", transfer: "Chuyển", discharge: "Ra viện" };
  $("#movements").replaceChildren(...r.movements.map((m) => el("li", {},
    `${hospitalTime(m.moved_at)} — ${KIND_VI[m.kind] || m.kind}: `,
    m.kind === "discharge" ? `rời giường ${m.from_bed || "—"}`
      : `${m.from_bed ? `${m.from_bed} → ` : ""}${m.to_bed || `${m.to_ward} (chưa có giường)`}`,
    m.reason ? ` (${m.reason})` : "")));
}

// Tests and imaging for the stay, ordered on the visit it came from (results then arrive
// here live, like every result of the patient).
let servicesLoaded = false;
async function prepareOrders(stay) {
  if (!$("#order-form")) return;
  $("#order-form").hidden = !stay.visit_id || stay.status !== "admitted";
  $("#order-none").hidden = Boolean(stay.visit_id);
  if (!stay.visit_id || servicesLoaded) return;
  servicesLoaded = true;
  const services = (await api("GET", "/api/catalog/services")).filter((x) => x.kind !== "exam");
  $("#order-services").replaceChildren(...services.map((x) => el("option", { value: x.code, text: x.name_vi })));
}
if ($("#order-form")) {
  $("#order-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...$("#order-services").selectedOptions].map((o) => o.value);
    if (!chosen.length) return say("#order-message", "Chưa chọn dịch vụ nào", true);
    try {
      await api("POST", "/api/orders", { visit_id: record.stay.visit_id, services: chosen });
      say("#order-message", `Đã chỉ định ${chosen.length} dịch vụ`);
      $("#order-services").selectedIndex = -1;
      loadResults();
    } catch (error) {
      say("#order-message", error.message, true);
    }
  });
}

async function loadRecord() {
  try {
    record = await api("GET", `/api/inpatient/stays/${stayId}`);
    prepareOrders(record.stay).catch((error) => say("#order-message", error.message, true));
    renderHeader(record);
    renderVitals(record.vitals);
    renderNotes(record);
  } catch (error) {
    $("#patient-name").textContent = error.message;
  }
}

function resultRows(item) {
  if (item.lab_results && item.lab_results.length) {
    return el("table", { class: "grid results" }, ...item.lab_results.map((r) =>
      el("tr", { class: `flag-${r.flag}` }, el("td", { text: r.analyte_name_vi || r.analyte_code }),
        el("td", { class: "value", text: `${r.value} ${r.unit || ""}` }),
        el("td", { class: "muted", text: r.range_text || "" }))));
  }
  if (item.report) return el("p", {}, el("strong", { text: "Kết luận: " }), item.report.conclusion);
  return null;
}

async function loadResults() {
  try {
    const items = await api("GET", `/api/inpatient/stays/${stayId}/results`);
    if (!items.length) {
      $("#results").replaceChildren(el("p", { class: "muted", text: "Chưa có chỉ định cận lâm sàng." }));
      return;
    }
    $("#results").replaceChildren(...items.map((item) => el("div", { class: "result-item" },
      el("h3", {}, `${item.service_name} `, el("span", { class: "tag", text: STATUS_VI[item.status] || item.status })),
      resultRows(item))));
  } catch (error) {
    $("#results").replaceChildren(el("p", { class: "message bad", text: error.message }));
  }
}

function formValues(form, numeric) {
  const out = {};
  for (const [name, value] of new FormData(form).entries()) {
    const text = String(value).trim();
    if (text === "") continue;
    out[name] = numeric && numeric.has(name) ? Number(text.replace(",", ".")) : text;
  }
  return out;
}

function submitter(formId, url, messageId, done, numeric) {
  const form = $(formId);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", url, formValues(form, numeric));
      form.reset();
      say(messageId, done);
      loadRecord();
    } catch (error) {
      say(messageId, error.message, true);
    }
  });
}

const VITALS = new Set(["pulse", "temperature_c", "systolic", "diastolic", "respiratory_rate", "spo2", "weight_kg"]);
submitter("#vitals-form", `/api/inpatient/stays/${stayId}/vitals`, "#vitals-message", "Đã lưu sinh hiệu.", VITALS);
submitter("#progress-form", `/api/inpatient/stays/${stayId}/progress-notes`, "#progress-message", "Đã lưu tờ điều trị.");
submitter("#nursing-form", `/api/inpatient/stays/${stayId}/nursing-notes`, "#nursing-message", "Đã lưu phiếu chăm sóc.");
submitter("#mar-form", `/api/inpatient/stays/${stayId}/medications`, "#mar-message", "Đã ghi thuốc.", new Set(["quantity"]));

async function loadFreeBeds() {
  const code = $("#move-ward").value;
  try {
    const board = await api("GET", `/api/inpatient/wards/${encodeURIComponent(code)}/board`);
    const free = board.beds.filter((b) => b.status === "available");
    $("#move-bed").replaceChildren(...(free.length ? free.map((b) => el("option", { value: b.code, text: `${b.code} (${b.room})` }))
      : [el("option", { value: "", text: "Hết giường trống" })]));
  } catch (error) {
    say("#move-message", error.message, true);
  }
}
$("#move-ward").addEventListener("change", () => { moveWardChosen = true; loadFreeBeds(); });
$("#move-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const bed = $("#move-bed").value;
  if (!bed) return say("#move-message", "Chọn một giường trống.", true);
  try {
    await api("POST", `/api/inpatient/stays/${stayId}/bed`, { bed, reason: $("#move-reason").value.trim() || null });
    say("#move-message", `Đã chuyển sang giường ${bed}.`);
    loadRecord();
    loadFreeBeds();
  } catch (error) {
    say("#move-message", error.message, true);
  }
});

const dischargeForm = $("#discharge-form");
if (dischargeForm) {
  dischargeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.confirm("Xác nhận cho người bệnh ra viện? Sau khi ra viện hồ sơ không ghi thêm được.")) return;
    try {
      await api("POST", `/api/inpatient/stays/${stayId}/discharge`, {
        kind: $("#d-kind").value,
        summary: $("#d-summary").value,
        advice: $("#d-advice").value.trim() || null,
        icd_code: $("#d-icd").value.trim() || null,
      });
      say("#discharge-message", "Đã cho ra viện.");
      loadRecord();
    } catch (error) {
      say("#discharge-message", error.message, true);
    }
  });
}

let reloadTimer = null;
const stream = new EventSource(`/api/inpatient/stays/${stayId}/events`);
stream.addEventListener("ready", () => {
  $("#live-state").textContent = "● đang cập nhật trực tiếp";
  loadRecord();
  loadResults();
});
stream.addEventListener("resync", () => { loadRecord(); loadResults(); });
stream.addEventListener("inpatient", () => {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(loadRecord, 100);
});
stream.addEventListener("result", () => loadResults());
stream.onerror = () => { $("#live-state").textContent = "○ mất kết nối, đang thử lại…"; };
loadRecord();
loadResults();
loadFreeBeds();
