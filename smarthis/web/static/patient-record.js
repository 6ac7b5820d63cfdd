// Patient record: the EMR timeline from /api/patients/{id}/timeline (the API audits the
// read), grouped by visit, with each visit's printable record.
"use strict";
const patientId = document.querySelector(".patient-record").dataset.patient;
const $ = (sel) => document.querySelector(sel);
const VISIT_STATUS_VI = { registered: "Đã đăng ký", in_examination: "Đang khám", concluded: "Đã kết thúc", cancelled: "Đã huỷ" };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function fmtDateTime(iso) {
  return new Date(iso).toLocaleString("vi-VN", {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Asia/Ho_Chi_Minh", // the hospital's time, whatever the workstation's clock says
  });
}

async function load() {
  const response = await fetch(`/api/patients/${encodeURIComponent(patientId)}/timeline`);
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const message = $("#pr-message");
    message.textContent = (data && data.error && data.error.message) || `Lỗi ${response.status}`;
    message.classList.add("bad");
    return;
  }
  document.title = `Hồ sơ bệnh án — ${data.full_name}`;
  $("#pr-name").textContent = `— ${data.full_name}`;
  $("#pr-mrn").textContent = data.mrn;
  $("#pr-count").textContent = `${data.visits.length} lượt khám`;
  $("#pr-message").textContent = data.visits.length ? "" : "Chưa có lượt khám nào.";
  $("#pr-visits").replaceChildren(...data.visits.map((visit) => el("section", { class: "card visit-card", "data-visit": visit.visit_id },
    el("h2", {},
      el("span", { text: `Lượt khám ${visit.visit_number}` }),
      el("span", { class: "muted", text: `${fmtDateTime(visit.registered_at)} · ${VISIT_STATUS_VI[visit.status] || visit.status}` }),
      el("a", { class: "record-pdf", href: `/api/visits/${visit.visit_id}/record.pdf`, target: "_blank", text: "In phiếu khám bệnh (PDF)" })),
    visit.entries.length
      ? el("table", { class: "timeline" }, el("tbody", {}, ...visit.entries.map((entry) => el("tr", { class: entry.pending ? `pending kind-${entry.kind}` : `kind-${entry.kind}` },
        el("td", { class: "time", text: fmtDateTime(entry.at) }),
        el("td", { class: "title" }, entry.title_vi, entry.pending ? el("span", { class: "pending-tag", text: "chưa duyệt" }) : null),
        el("td", { class: "detail", text: entry.detail })))))
      : el("p", { class: "muted", text: "Chưa có diễn biến." }))));
}

load().catch((error) => {
  $("#pr-message").textContent = error.message;
  $("#pr-message").classList.add("bad");
});
