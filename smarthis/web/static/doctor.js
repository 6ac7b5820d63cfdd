// Doctor's workstation: the room's queue on the left (call next via the caller console
// API); the visit on the right: history, vital signs, ICD-10 diagnoses, orders, results
// (live over SSE from /api/visits/{id}/events) and the conclusion.
"use strict";
const point = document.querySelector(".doctor").dataset.point;
const FLAG_VI = { normal: "Bình thường", low: "Thấp", high: "Cao", critical_low: "Thấp nguy hiểm", critical_high: "Cao nguy hiểm" };
const KIND_GROUPS = [
  ["lab", "Xét nghiệm"],
  ["ultrasound", "Siêu âm"],
  ["xray", "X-quang"],
  ["ct", "CT"],
  ["mri", "MRI"],
  ["ecg", "Điện tim"],
  ["endoscopy", "Nội soi"],
  ["procedure", "Thủ thuật"],
];

let current = null; // the ticket being served
let visitId = null;
let record = null;
let diagnoses = { main: null, secondary: [] }; // {code, name_vi}
let stream = null;
const analyteNames = {}; // analyte code -> Vietnamese name, from the results shown

// --- queue -----------------------------------------------------------------------------

async function refreshQueue() {
  try {
    const lists = await api("GET", `/api/queue/points/${encodeURIComponent(point)}`);
    $("#waiting").replaceChildren(...lists.waiting.map((t) => el("li", {},
      el("span", { class: "num", text: t.display_number }),
      el("span", { text: t.masked_name || "" }),
      t.priority_name_vi ? el("span", { class: "tag", text: t.priority_name_vi }) : null)));
    $("#waiting-count").textContent = lists.waiting.length;
    current = lists.called[0] || null;
    $("#current-number").textContent = current ? current.display_number : "—";
    $("#current-name").textContent = current ? current.masked_name || "" : "";
    $("#complete-ticket").disabled = !current;
    if (current && current.visit_id && visitId === null) openVisit(current.visit_id);
  } catch (error) {
    say("#queue-message", error.message, true);
  }
}

$("#call-next").addEventListener("click", async () => {
  try {
    const ticket = await api("POST", `/api/queue/points/${encodeURIComponent(point)}/call-next`);
    if (!ticket) {
      say("#queue-message", "Không còn bệnh nhân chờ.");
    } else {
      say("#queue-message", `Đã gọi số ${ticket.display_number}`);
      if (ticket.visit_id) await openVisit(ticket.visit_id);
      else say("#queue-message", `Đã gọi số ${ticket.display_number} (chưa có lượt khám)`);
    }
  } catch (error) {
    say("#queue-message", error.message, true);
  }
  refreshQueue();
  document.dispatchEvent(new CustomEvent("patient-called"));
});

$("#complete-ticket").addEventListener("click", async () => {
  if (!current) return;
  try {
    await api("POST", `/api/queue/tickets/${current.id}/complete`);
    say("#queue-message", `Đã hoàn thành số ${current.display_number}`);
  } catch (error) {
    say("#queue-message", error.message, true);
  }
  refreshQueue();
});

// --- the visit -------------------------------------------------------------------------

function age(patient) {
  const year = patient.date_of_birth ? Number(patient.date_of_birth.slice(0, 4)) : patient.birth_year;
  return year ? `${new Date().getFullYear() - year} tuổi` : "";
}

function fmtDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

function fmtTime(iso) {
  return new Date(iso).toLocaleTimeString("vi-VN", {
    hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh",
  });
}

async function openVisit(id) {
  visitId = id;
  $("#no-visit").hidden = true;
  $("#visit").hidden = false;
  $("#critical-alert").hidden = true;
  $("#papers").replaceChildren();
  let data = await api("GET", `/api/visits/${id}/examination`);
  if (!data.examination && data.status !== "concluded") {
    try {
      data = await api("POST", `/api/visits/${id}/examination/start`, {});
    } catch (error) {
      say("#notes-message", error.message, true);
    }
  }
  showRecord(data);
  await Promise.all([loadOrders(), loadResults(), loadPrescription()]);
  listen();
}

function showRecord(data) {
  record = data;
  const p = data.patient;
  $("#patient-name").textContent = p.full_name;
  $("#patient-facts").textContent = [p.sex === "male" ? "Nam" : p.sex === "female" ? "Nữ" : "", age(p),
    p.date_of_birth ? `sinh ${fmtDate(p.date_of_birth)}` : ""].filter(Boolean).join(" · ");
  $("#patient-mrn").textContent = p.mrn;
  $("#patient-record-link").href = `/patients/${p.id}/record`;
  $("#visit-number").textContent = data.visit_number;
  $("#visit-status").textContent = data.conclusion_vi ? `Đã kết thúc: ${data.conclusion_vi}` : "Đang khám";
  const exam = data.examination || {};
  $("#reason").value = exam.reason || "";
  $("#history").value = exam.history || "";
  $("#examination-notes").value = exam.examination_notes || "";
  $("#advice").value = exam.advice || "";
  $("#category-field").hidden = !data.uses_insurance;
  $("#category").value = data.confirmed_category || data.proposed_category || "";
  const last = data.vitals[data.vitals.length - 1];
  $("#vitals-last").textContent = last ? `Lần đo gần nhất ${fmtTime(last.measured_at)}: mạch ${last.pulse ?? "—"}, HA ${last.systolic ?? "—"}/${last.diastolic ?? "—"}, nhiệt độ ${last.temperature_c ?? "—"}, BMI ${last.bmi ?? "—"}` : "";
  const main = data.diagnoses.find((d) => d.is_main);
  diagnoses = {
    main: main ? { code: main.icd_code, name_vi: main.name_vi } : null,
    secondary: data.diagnoses.filter((d) => !d.is_main).map((d) => ({ code: d.icd_code, name_vi: d.name_vi })),
  };
  showDiagnoses();
}

$("#save-notes").addEventListener("click", async () => {
  try {
    showRecord(await api("PATCH", `/api/visits/${visitId}/examination`, {
      reason: $("#reason").value, history: $("#history").value, examination_notes: $("#examination-notes").value,
    }));
    say("#notes-message", "Đã lưu.");
  } catch (error) {
    say("#notes-message", error.message, true);
  }
});

// --- vital signs -----------------------------------------------------------------------

const VITALS = [
  ["pulse", "#v-pulse", parseInt], ["temperature_c", "#v-temperature", parseFloat],
  ["systolic", "#v-systolic", parseInt], ["diastolic", "#v-diastolic", parseInt],
  ["respiratory_rate", "#v-respiratory", parseInt], ["spo2", "#v-spo2", parseInt],
  ["height_cm", "#v-height", parseFloat], ["weight_kg", "#v-weight", parseFloat],
];
const number = (sel, parse) => {
  const text = $(sel).value.trim().replace(",", ".");
  return text === "" ? null : parse(text);
};

function showBmi() {
  const h = number("#v-height", parseFloat);
  const w = number("#v-weight", parseFloat);
  if (!h || !w) {
    $("#bmi").textContent = "—";
    $("#bmi-class").textContent = "";
    return;
  }
  const bmi = w / ((h / 100) ** 2);
  $("#bmi").textContent = bmi.toFixed(1);
  // Asian cut-offs (WHO 2004), used by the Ministry of Health.
  $("#bmi-class").textContent = bmi < 18.5 ? "gầy" : bmi < 23 ? "bình thường" : bmi < 25 ? "thừa cân" : "béo phì";
}
$("#v-height").addEventListener("input", showBmi);
$("#v-weight").addEventListener("input", showBmi);

$("#save-vitals").addEventListener("click", async () => {
  const body = {};
  for (const [field, sel, parse] of VITALS) {
    const value = number(sel, parse);
    if (value !== null && Number.isNaN(value)) {
      say("#vitals-message", "Chỉ nhập số.", true);
      $(sel).focus();
      return;
    }
    if (value !== null) body[field] = value;
  }
  try {
    const saved = await api("POST", `/api/visits/${visitId}/vitals`, body);
    say("#vitals-message", `Đã lưu sinh hiệu${saved.bmi ? ` · BMI ${saved.bmi}` : ""}.`);
    showRecord(await api("GET", `/api/visits/${visitId}/examination`));
  } catch (error) {
    say("#vitals-message", error.message, true);
  }
});

// --- diagnoses -------------------------------------------------------------------------

let searchTimer = null;
let searchSeq = 0;
$("#icd-query").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(searchIcd, 200);
});

async function searchIcd() {
  const q = $("#icd-query").value.trim();
  const seq = ++searchSeq;
  if (q.length < 2) {
    $("#icd-hits").replaceChildren();
    return;
  }
  const hits = await api("GET", `/api/catalog/icd10?q=${encodeURIComponent(q)}&limit=12`).catch(() => []);
  if (seq !== searchSeq) return; // a later keystroke's answer wins
  $("#icd-hits").replaceChildren(...hits.map((hit) => {
    const li = el("li", { role: "option", "data-code": hit.code },
      el("strong", { text: hit.code }), " ", el("span", { text: hit.name_vi }),
      hit.not_main ? el("span", { class: "tag", text: "không dùng làm bệnh chính" }) : null,
      hit.sex_only ? el("span", { class: "tag", text: hit.sex_only === "female" ? "chỉ nữ" : "chỉ nam" }) : null,
      el("span", { class: "pick" },
        el("button", { type: "button", class: "pick-main", text: "Bệnh chính" }),
        el("button", { type: "button", class: "pick-secondary", text: "Bệnh kèm" })));
    li.querySelector(".pick-main").addEventListener("click", () => pick(hit, true));
    li.querySelector(".pick-secondary").addEventListener("click", () => pick(hit, false));
    return li;
  }));
}

function pick(hit, asMain) {
  const entry = { code: hit.code, name_vi: hit.name_vi };
  diagnoses.secondary = diagnoses.secondary.filter((d) => d.code !== hit.code);
  if (asMain) {
    if (diagnoses.main && diagnoses.main.code !== hit.code) diagnoses.secondary.unshift(diagnoses.main);
    diagnoses.main = entry;
  } else if (!diagnoses.main || diagnoses.main.code !== hit.code) {
    diagnoses.secondary.push(entry);
  }
  $("#icd-query").value = "";
  $("#icd-hits").replaceChildren();
  $("#dx-problems").replaceChildren();
  showDiagnoses();
  say("#dx-message", "Chưa lưu — bấm “Lưu chẩn đoán”.");
}

function chip(entry, onRemove) {
  const button = el("button", { type: "button", class: "link", title: "Bỏ", "aria-label": `Bỏ ${entry.code}`, text: "×" });
  button.addEventListener("click", onRemove);
  return el("span", { class: "dx-chip" }, el("strong", { text: entry.code }), ` ${entry.name_vi} `, button);
}

function showDiagnoses() {
  $("#dx-main").replaceChildren(diagnoses.main
    ? chip(diagnoses.main, () => { diagnoses.main = null; showDiagnoses(); })
    : el("span", { class: "muted", text: "chưa chọn" }));
  $("#dx-secondary").replaceChildren(...(diagnoses.secondary.length ? diagnoses.secondary.map((d) =>
    chip(d, () => { diagnoses.secondary = diagnoses.secondary.filter((x) => x !== d); showDiagnoses(); }))
    : [el("span", { class: "muted", text: "không" })]));
}

function showProblems(problems, confirmable) {
  const box = $("#dx-problems");
  box.replaceChildren(...problems.map((p) =>
    el("div", { class: p.severity === "error" || !confirmable ? "alert bad" : "alert warn" },
      (p.icd ? `${p.icd}: ` : "") + p.message)));
  if (confirmable) {
    const confirm = el("button", { type: "button", class: "primary", text: "Xác nhận và lưu" });
    confirm.addEventListener("click", () => saveDiagnoses(true));
    box.append(confirm);
  }
}

async function saveDiagnoses(confirmWarnings) {
  try {
    await api("PUT", `/api/visits/${visitId}/diagnoses`, {
      main: diagnoses.main ? diagnoses.main.code : null,
      secondary: diagnoses.secondary.map((d) => d.code),
      confirm_warnings: confirmWarnings,
    });
    $("#dx-problems").replaceChildren();
    say("#dx-message", "Đã lưu chẩn đoán.");
  } catch (error) {
    const problems = (error.data && error.data.error && error.data.error.problems) || [];
    if (error.status === 409) {
      showProblems(problems, true);
      say("#dx-message", "Có cảnh báo cần xác nhận.", true);
    } else {
      if (problems.length) showProblems(problems, false);
      say("#dx-message", error.message, true);
    }
  }
}
$("#save-dx").addEventListener("click", () => saveDiagnoses(false));

// --- orders ----------------------------------------------------------------------------

const chosen = new Set();

async function loadServices() {
  const services = (await api("GET", "/api/catalog/services")).filter((s) => s.kind !== "exam");
  const groups = [];
  for (const [kind, title] of KIND_GROUPS) {
    const ofKind = services.filter((s) => s.kind === kind);
    if (!ofKind.length) continue;
    const box = el("fieldset", { class: "service-group" }, el("legend", { text: title }));
    let panel = null;
    for (const s of ofKind) {
      if (kind === "lab" && s.lab_panel !== panel) {
        panel = s.lab_panel;
        const thisPanel = s.lab_panel || "";
        const all = el("button", { type: "button", class: "link panel-all", "data-panel": panel || "", text: `${s.lab_panel_name_vi || "Khác"} — chọn cả nhóm` });
        all.addEventListener("click", () => {
          box.querySelectorAll(`input[data-panel="${thisPanel}"]`).forEach((input) => {
            input.checked = true;
            chosen.add(input.value);
          });
          $("#order-count").textContent = chosen.size;
        });
        box.append(el("div", { class: "panel-title" }, all));
      }
      const input = el("input", { type: "checkbox", value: s.code, "data-panel": s.lab_panel || "" });
      input.addEventListener("change", () => {
        if (input.checked) chosen.add(s.code); else chosen.delete(s.code);
        $("#order-count").textContent = chosen.size;
      });
      box.append(el("label", { class: "check service" }, input, ` ${s.name_vi}`));
    }
    groups.push(box);
  }
  $("#service-groups").replaceChildren(...groups);
}

async function loadOrders() {
  const orders = await api("GET", `/api/orders/visit/${visitId}`).catch(() => []);
  $("#orders").replaceChildren(...orders.map((o) => el("li", {},
    `Phiếu chỉ định số ${o.id} (${fmtTime(o.ordered_at)}): `,
    o.route.map((r) => `${r.room_label} ${r.point_name} — số ${r.display_number}`).join(" → "), " ",
    el("a", { href: o.slip_url, target: "_blank", text: "In phiếu chỉ dẫn" }))));
}

$("#place-order").addEventListener("click", async () => {
  if (!chosen.size) {
    say("#order-message", "Chưa chọn dịch vụ nào.", true);
    return;
  }
  try {
    const order = await api("POST", "/api/orders", { visit_id: visitId, services: [...chosen] });
    say("#order-message", `Đã chỉ định ${order.items.length} dịch vụ.`);
    chosen.clear();
    document.querySelectorAll("#service-groups input:checked").forEach((input) => { input.checked = false; });
    $("#order-count").textContent = 0;
    await Promise.all([loadOrders(), loadResults()]);
  } catch (error) {
    say("#order-message", error.message, true);
  }
});

// --- results (live) --------------------------------------------------------------------

async function loadResults() {
  if (visitId === null) return;
  loadImaging(visitId, $("#imaging-studies")); // the visit's studies (imaging.js)
  const items = await api("GET", `/api/orders/visit/${visitId}/results`).catch(() => null);
  if (items === null) return;
  if (!items.length) {
    $("#results").replaceChildren(el("p", { class: "muted", text: "Chưa có chỉ định." }));
    return;
  }
  $("#results").replaceChildren(...items.map((item) => {
    const box = el("div", { class: `result-item status-${item.status}`, "data-item": item.id },
      el("h3", {}, item.service_name, " ", el("span", { class: `badge ${item.status}`, text: STATUS_VI[item.status] || item.status })));
    for (const r of item.lab_results) analyteNames[r.analyte_code] = r.analyte_name_vi;
    if (item.lab_results.length) {
      const rows = item.lab_results.map((r) => el("tr", { class: `flag-${r.flag}` },
        el("td", { text: r.analyte_name_vi }),
        el("td", { class: "value", text: r.value }),
        el("td", { text: r.unit }),
        el("td", { class: "muted", text: r.range_text || "" }),
        el("td", { class: "flag", text: FLAG_VI[r.flag] || r.flag })));
      box.append(el("table", { class: "grid results" },
        el("thead", {}, el("tr", {}, ...["Chỉ số", "Kết quả", "Đơn vị", "Khoảng tham chiếu", "Đánh giá"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...rows)));
    }
    if (item.report) {
      box.append(el("p", {}, el("strong", { text: "Mô tả: " }), item.report.findings),
        el("p", {}, el("strong", { text: "Kết luận: " }), item.report.conclusion));
    }
    return box;
  }));
}

function criticalAlert(event) {
  const box = $("#critical-alert");
  box.hidden = false;
  box.replaceChildren(el("strong", { text: "KẾT QUẢ NGUY HIỂM: " }),
    `${analyteNames[event.analyte_code] || event.analyte_code} = ${event.value} (${FLAG_VI[event.flag] || event.flag}). `);
  const see = el("a", { href: "#results-card", text: "Xem kết quả" });
  const ok = el("button", { type: "button", text: "Đã biết" });
  ok.addEventListener("click", () => { box.hidden = true; });
  box.append(" ", see, " ", ok);
}

// Criticals for the doctor's other patients (the open visit's stream handles its own).
function listenForCriticals() {
  const alerts = new EventSource("/api/me/critical-results");
  alerts.addEventListener("result", (message) => {
    const event = JSON.parse(message.data);
    if (event.visit_id === visitId) return;
    const box = $("#critical-alert");
    box.hidden = false;
    const record = el("a", { href: `/patients/${event.patient_id}/record`, text: "Mở hồ sơ bệnh nhân" });
    const ok = el("button", { type: "button", text: "Đã biết" });
    ok.addEventListener("click", () => { box.hidden = true; });
    box.replaceChildren(el("strong", { text: "KẾT QUẢ NGUY HIỂM (bệnh nhân khác): " }),
      `${analyteNames[event.analyte_code] || event.analyte_code} = ${event.value} (${FLAG_VI[event.flag] || event.flag}), lượt khám #${event.visit_id}. `,
      record, " ", ok);
  });
}
listenForCriticals();

function listen() {
  if (stream) stream.close();
  const id = visitId;
  stream = new EventSource(`/api/visits/${id}/events`);
  const reload = () => { if (id === visitId) loadResults(); };
  stream.addEventListener("ready", () => { $("#live-state").textContent = "● đang cập nhật trực tiếp"; reload(); });
  stream.addEventListener("resync", reload);
  stream.addEventListener("result", (message) => {
    const event = JSON.parse(message.data);
    if (id !== visitId) return;
    loadResults().then(() => { if (event.kind === "critical") criticalAlert(event); });
    if (event.kind === "ordered") loadOrders();
  });
  stream.addEventListener("visit", async () => {
    if (id === visitId) showRecord(await api("GET", `/api/visits/${id}/examination`));
  });
  stream.onerror = () => { $("#live-state").textContent = "○ mất kết nối, đang thử lại…"; };
}

// --- prescription ----------------------------------------------------------------------

const DEFAULT_INSTRUCTIONS = "Uống 1 viên/lần, 2 lần/ngày, sau ăn";
let rxItems = []; // {drug: {code, active_ingredient, strength, brand_name, unit, controlled}, quantity, instructions, days}
let rxIssued = false;
let drugTimer = null;
let drugSeq = 0;

function drugLabel(d) {
  return `${d.active_ingredient} ${d.strength}${d.brand_name ? ` (${d.brand_name})` : ""}`;
}

$("#drug-query").addEventListener("input", () => {
  clearTimeout(drugTimer);
  drugTimer = setTimeout(searchDrugs, 200);
});

async function searchDrugs() {
  const q = $("#drug-query").value.trim();
  const seq = ++drugSeq;
  if (q.length < 2) {
    $("#drug-hits").replaceChildren();
    return;
  }
  const hits = await api("GET", `/api/catalog/drugs?q=${encodeURIComponent(q)}&limit=12`).catch(() => []);
  if (seq !== drugSeq) return;
  if (!hits.length) {
    $("#drug-hits").replaceChildren(el("li", { class: "muted", text: "Không tìm thấy thuốc." }));
    return;
  }
  $("#drug-hits").replaceChildren(...hits.map((d) => {
    const add = el("button", { type: "button", class: "pick-drug", text: "Thêm vào đơn" });
    add.addEventListener("click", () => addDrug(d));
    return el("li", { "data-code": d.code },
      el("strong", { text: drugLabel(d) }),
      el("span", { class: "muted", text: `${d.dosage_form}, ${d.route} · ${d.unit}` }),
      d.controlled ? el("span", { class: "tag controlled", text: `Thuốc ${d.controlled} — cần đơn đặc biệt` }) : null,
      el("span", { class: "pick" }, add));
  }));
}

function addDrug(d) {
  $("#drug-query").value = "";
  $("#drug-hits").replaceChildren();
  if (rxItems.some((item) => item.drug.code === d.code)) {
    say("#rx-message", `${drugLabel(d)} đã có trong đơn.`, true);
    return;
  }
  const oral = d.route === "uống" && d.unit === "viên";
  rxItems.push({ drug: d, quantity: oral ? 10 : 1, instructions: oral ? DEFAULT_INSTRUCTIONS : "", days: oral ? 5 : null });
  showPrescription();
  say("#rx-message", "Chưa lưu — bấm “Lưu đơn” hoặc “Ký và phát hành đơn”.");
}

function showPrescription() {
  $("#rx-items").replaceChildren(...rxItems.map((item, index) => {
    const qty = el("input", { class: "qty", inputmode: "numeric", value: String(item.quantity ?? ""), "aria-label": `Số lượng ${item.drug.active_ingredient}` });
    qty.addEventListener("input", () => { item.quantity = qty.value.trim(); });
    const how = el("input", { class: "instructions", value: item.instructions || "", "aria-label": `Cách dùng ${item.drug.active_ingredient}` });
    how.addEventListener("input", () => { item.instructions = how.value; });
    const days = el("input", { class: "days", inputmode: "numeric", value: item.days == null ? "" : String(item.days), "aria-label": `Số ngày ${item.drug.active_ingredient}` });
    days.addEventListener("input", () => { item.days = days.value.trim(); });
    const remove = el("button", { type: "button", class: "link", title: "Bỏ", "aria-label": `Bỏ ${item.drug.code}`, text: "×" });
    remove.addEventListener("click", () => { rxItems.splice(index, 1); showPrescription(); });
    for (const input of [qty, how, days]) input.disabled = rxIssued;
    remove.hidden = rxIssued;
    return el("tr", { "data-code": item.drug.code },
      el("td", {}, el("strong", { text: drugLabel(item.drug) }),
        item.drug.controlled ? el("span", { class: "tag controlled", text: ` ${item.drug.controlled}` }) : null),
      el("td", {}, qty), el("td", { text: item.drug.unit }), el("td", {}, how), el("td", {}, days), el("td", {}, remove));
  }));
  $("#rx-empty").hidden = rxItems.length > 0;
  $("#drug-query").disabled = rxIssued;
  $("#rx-save").disabled = rxIssued;
  $("#rx-issue").disabled = rxIssued;
}

function showPrescriptionPapers(prescription) {
  $("#rx-status").textContent = prescription
    ? (prescription.status === "issued" ? `Đã phát hành ${fmtTime(prescription.issued_at)}` : "Bản nháp")
    : "";
  $("#rx-papers").replaceChildren(prescription
    ? el("a", { id: "rx-pdf", href: `/api/visits/${visitId}/prescription.pdf`, target: "_blank", text: prescription.status === "issued" ? "In đơn thuốc" : "Xem đơn thuốc (nháp)" })
    : "");
}

function takePrescription(prescription) {
  rxIssued = Boolean(prescription && prescription.status === "issued");
  rxItems = prescription ? prescription.items.map((item) => ({
    drug: { ...item, code: item.drug_code }, quantity: item.quantity, instructions: item.instructions, days: item.days,
  })) : [];
  showPrescription();
  showPrescriptionPapers(prescription);
}

async function loadPrescription() {
  say("#rx-message", "");
  try {
    takePrescription(await api("GET", `/api/visits/${visitId}/prescription`));
  } catch (error) {
    takePrescription(null);
    if (error.status !== 404) say("#rx-message", error.message, true);
  }
}

function wholeNumber(text) {
  const value = String(text ?? "").trim();
  return /^\d+$/.test(value) ? Number(value) : NaN;
}

async function savePrescription(issue) {
  const items = [];
  for (const item of rxItems) {
    const quantity = wholeNumber(item.quantity);
    if (Number.isNaN(quantity)) {
      say("#rx-message", `Số lượng ${item.drug.active_ingredient} phải là số nguyên.`, true);
      return;
    }
    const daysText = String(item.days ?? "").trim();
    const days = daysText === "" ? null : wholeNumber(daysText);
    if (Number.isNaN(days)) {
      say("#rx-message", `Số ngày dùng ${item.drug.active_ingredient} phải là số nguyên.`, true);
      return;
    }
    items.push({ drug_code: item.drug.code, quantity, instructions: item.instructions || "", days });
  }
  try {
    const saved = await api("POST", `/api/visits/${visitId}/prescription`, {
      items, advice: $("#advice").value || null, issue,
    });
    takePrescription(saved);
    say("#rx-message", issue ? "Đã ký và phát hành đơn thuốc." : "Đã lưu đơn (nháp).");
  } catch (error) {
    say("#rx-message", error.message, true);
  }
}
$("#rx-save").addEventListener("click", () => savePrescription(false));
$("#rx-issue").addEventListener("click", () => savePrescription(true));

// --- conclusion ------------------------------------------------------------------------

function conclusionChoice() {
  return document.querySelector('input[name="conclusion"]:checked').value;
}
document.querySelectorAll('input[name="conclusion"]').forEach((input) => input.addEventListener("change", () => {
  const choice = conclusionChoice();
  $("#follow-up-field").hidden = choice !== "follow_up";
  $("#referral-field").hidden = choice !== "referral";
  $("#referral-reason-field").hidden = choice !== "referral";
}));

$("#conclude").addEventListener("click", async () => {
  const conclusion = conclusionChoice();
  const body = { conclusion, advice: $("#advice").value || null };
  if (record.uses_insurance && $("#category").value) body.category = $("#category").value;
  if (conclusion === "follow_up") body.follow_up_date = $("#follow-up-date").value || null;
  if (conclusion === "referral") {
    body.referral_to = $("#referral-to").value || null;
    body.referral_reason = $("#referral-reason").value || null;
  }
  try {
    showRecord(await api("POST", `/api/visits/${visitId}/conclude`, body));
    say("#conclude-message", `Đã kết thúc khám: ${record.conclusion_vi || ""}`);
    const links = [];
    if (conclusion === "follow_up") links.push(el("a", { href: `/api/visits/${visitId}/follow-up.pdf`, target: "_blank", text: "In giấy hẹn tái khám" }));
    if (conclusion === "referral") links.push(el("a", { href: `/api/visits/${visitId}/referral.pdf`, target: "_blank", text: "In giấy chuyển tuyến" }));
    $("#papers").replaceChildren(...links);
  } catch (error) {
    say("#conclude-message", error.message, true);
  }
});

loadServices().catch((error) => say("#order-message", error.message, true));
refreshQueue();
setInterval(refreshQueue, 10000);
