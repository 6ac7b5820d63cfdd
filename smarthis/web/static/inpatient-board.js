// A ward's live bed board: rooms and beds coloured by status, the patients waiting to be
// taken in, and a stream of the ward's changes (/api/inpatient/wards/{code}/events).
"use strict";
const board = document.querySelector(".board-page");
const ward = board.dataset.ward;
let available = []; // bed codes free in this ward, for the admission pickers

function ageOf(patient) {
  return patient.birth_year ? `${new Date().getFullYear() - patient.birth_year} tuổi` : "";
}

function bedPicker(id) {
  const select = el("select", { id, "aria-label": "Chọn giường" });
  select.append(el("option", { value: "", text: available.length ? "— chọn giường —" : "Hết giường trống" }));
  for (const code of available) select.append(el("option", { value: code, text: code }));
  return select;
}

async function setStatus(code, status) {
  try {
    await api("POST", `/api/inpatient/beds/${encodeURIComponent(code)}/status`, { status });
    say("#board-message", `Đã cập nhật giường ${code}.`);
  } catch (error) {
    say("#board-message", error.message, true);
  }
  load();
}

function bedTile(bed) {
  const tile = el("article", { class: `bed ${bed.status}`, "data-bed": bed.code });
  tile.append(el("header", {}, el("strong", { class: "bed-code", text: bed.code }),
    el("span", { class: "bed-status", text: bed.status_vi })));
  if (bed.stay) {
    const p = bed.stay.patient;
    const link = el("a", { href: `/inpatient/stays/${bed.stay.id}`, class: "bed-patient", text: p.full_name });
    tile.append(link,
      el("div", { class: "bed-facts", text: [p.sex_vi, ageOf(p), `ngày thứ ${bed.stay.day}`].filter(Boolean).join(" · ") }),
      el("div", { class: "bed-dx", text: bed.stay.diagnosis }));
    if (bed.stay.kind === "day_care") tile.append(el("span", { class: "tag", text: bed.stay.kind_vi }));
  } else if (bed.status === "cleaning") {
    const done = el("button", { type: "button", text: "Đã dọn xong" });
    done.addEventListener("click", () => setStatus(bed.code, "available"));
    tile.append(done);
  } else if (bed.status === "out_of_service") {
    const back = el("button", { type: "button", text: "Đưa vào sử dụng" });
    back.addEventListener("click", () => setStatus(bed.code, "available"));
    tile.append(back);
  } else {
    const off = el("button", { type: "button", class: "link", text: "Ngừng sử dụng" });
    off.addEventListener("click", () => {
      if (window.confirm(`Ngừng sử dụng giường ${bed.code}?`)) setStatus(bed.code, "out_of_service");
    });
    tile.append(off);
  }
  return tile;
}

// --- direct admission (doctors): a patient from the emergency room or a referral --------

let chosenPatient = null;
let icdTimer = null;

async function searchPatients() {
  const q = $("#da-query").value.trim();
  if (q.length < 2) return;
  try {
    const found = await api("GET", `/api/patients?q=${encodeURIComponent(q)}&limit=8`);
    $("#da-hits").replaceChildren(...found.map((p) => {
      const pick = el("button", { type: "button", text: "Chọn" });
      pick.addEventListener("click", () => {
        chosenPatient = p;
        for (const li of document.querySelectorAll("#da-hits li")) {
          li.classList.remove("chosen");
          const button = li.querySelector("button");
          if (button) button.textContent = "Chọn";
        }
        pick.parentElement.classList.add("chosen");
        pick.textContent = "✓ Đã chọn";
      });
      return el("li", { "data-patient": p.id }, el("strong", { text: p.full_name }),
        el("span", { class: "muted", text: ` ${p.birth_year || ""} · Mã BN ${p.mrn}` }), pick);
    }));
    if (!found.length) $("#da-hits").replaceChildren(el("li", { class: "muted", text: "Không tìm thấy." }));
  } catch (error) {
    say("#admit-message", error.message, true);
  }
}

function setUpDirectAdmission() {
  const form = $("#direct-form");
  if (!form) return;
  $("#da-search").addEventListener("click", searchPatients);
  $("#da-query").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); searchPatients(); }
  });
  $("#da-icd").addEventListener("input", () => {
    clearTimeout(icdTimer);
    icdTimer = setTimeout(async () => {
      const q = $("#da-icd").value.trim();
      if (q.length < 2) return;
      const hits = await api("GET", `/api/catalog/icd10?q=${encodeURIComponent(q)}&limit=10`).catch(() => []);
      $("#da-icd-hits").replaceChildren(...hits.map((h) => el("option", { value: h.code, text: h.name_vi })));
    }, 200);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosenPatient) return say("#admit-message", "Chọn người bệnh trước.", true);
    try {
      const stay = await api("POST", "/api/inpatient/stays", {
        ward,
        admitted_from: $("#da-from").value,
        patient_id: chosenPatient.id,
        icd_code: $("#da-icd").value.trim() || null,
        reason: $("#da-reason").value.trim() || null,
        bed: $("#da-bed").value || null,
      });
      say("#admit-message", `Đã nhập viện ${chosenPatient.full_name} (số vào viện ${stay.stay_number})${stay.bed ? `, giường ${stay.bed}` : ""}.`);
      form.reset();
      chosenPatient = null;
      $("#da-hits").replaceChildren();
    } catch (error) {
      say("#admit-message", error.message, true);
    }
    load();
  });
}
setUpDirectAdmission();

function renderBoard(data) {
  for (const [status, count] of Object.entries(data.counts)) {
    const node = $(`#count-${status}`);
    if (node) node.textContent = count;
  }
  available = data.beds.filter((b) => b.status === "available").map((b) => b.code);
  if ($("#da-bed")) {
    const kept = $("#da-bed").value;
    $("#da-bed").replaceChildren(el("option", { value: "", text: "— xếp giường sau —" }),
      ...available.map((code) => el("option", { value: code, text: code })));
    if (available.includes(kept)) $("#da-bed").value = kept;
  }
  const rooms = new Map();
  for (const bed of data.beds) {
    if (!rooms.has(bed.room)) rooms.set(bed.room, []);
    rooms.get(bed.room).push(bed);
  }
  $("#rooms").replaceChildren(...[...rooms.entries()].map(([room, beds]) =>
    el("section", { class: "room card" }, el("h2", { text: room }),
      el("div", { class: "beds" }, ...beds.map(bedTile)))));
  $("#waiting-title").hidden = data.waiting.length === 0;
  $("#waiting").replaceChildren(...data.waiting.map((w) => {
    const picker = bedPicker(`bed-for-stay-${w.stay.id}`);
    const go = el("button", { type: "button", class: "primary", text: "Xếp giường" });
    go.addEventListener("click", async () => {
      if (!picker.value) return say("#admit-message", "Chọn một giường trống.", true);
      try {
        await api("POST", `/api/inpatient/stays/${w.stay.id}/bed`, { bed: picker.value });
        say("#admit-message", `Đã xếp ${w.patient.full_name} vào giường ${picker.value}.`);
      } catch (error) {
        say("#admit-message", error.message, true);
      }
      load();
    });
    return el("li", {}, el("a", { href: `/inpatient/stays/${w.stay.id}`, text: w.patient.full_name }),
      el("span", { class: "muted", text: ` ${w.stay.admission_icd_code} ${w.stay.admission_diagnosis}` }), picker, go);
  }));
}

function renderPending(list) {
  $("#pending-empty").hidden = list.length > 0;
  $("#pending").replaceChildren(...list.map((p) => {
    const picker = bedPicker(`bed-for-visit-${p.visit_id}`);
    const go = el("button", { type: "button", class: "primary admit", text: "Nhận vào giường" });
    go.addEventListener("click", async () => {
      if (!picker.value && !window.confirm("Chưa chọn giường. Nhận vào khoa và xếp giường sau?")) return;
      try {
        const stay = await api("POST", "/api/inpatient/stays", {
          ward, visit_id: p.visit_id, admitted_from: "outpatient", bed: picker.value || null,
        });
        say("#admit-message", `Đã nhận ${p.patient.full_name} (số vào viện ${stay.stay_number})${stay.bed ? `, giường ${stay.bed}` : ""}.`);
      } catch (error) {
        say("#admit-message", error.message, true);
      }
      load();
    });
    return el("li", { "data-visit": p.visit_id },
      el("strong", { text: p.patient.full_name }),
      el("span", { class: "muted", text: ` ${p.patient.sex_vi} · ${ageOf(p.patient)} · lượt khám ${p.visit_number}` }),
      p.diagnosis ? el("span", { class: "pending-dx", text: p.diagnosis }) : null,
      picker, go);
  }));
}

async function load() {
  try {
    const [data, pending] = await Promise.all([
      api("GET", `/api/inpatient/wards/${encodeURIComponent(ward)}/board`),
      api("GET", "/api/inpatient/pending-admissions"),
    ]);
    renderBoard(data);
    renderPending(pending);
  } catch (error) {
    say("#board-message", error.message, true);
  }
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, 150);
}

const stream = new EventSource(`/api/inpatient/wards/${encodeURIComponent(ward)}/events`);
stream.addEventListener("ready", () => { $("#live-state").textContent = "● đang cập nhật trực tiếp"; load(); });
stream.addEventListener("resync", reloadSoon);
stream.addEventListener("inpatient", reloadSoon);
stream.onerror = () => { $("#live-state").textContent = "○ mất kết nối, đang thử lại…"; };
// New conclusions "admit" come from the examination rooms, not from this ward's stream.
setInterval(() => api("GET", "/api/inpatient/pending-admissions").then(renderPending).catch(() => {}), 30000);
load();
