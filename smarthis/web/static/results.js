// Results workstation: the room's queue on the left (call next via the caller console API);
// today's worklist of the room's kind on the right (GET /api/orders/worklist/{point}): lab
// items take a specimen, values per analyte (flags after saving, critical values in red),
// verification by a second person and corrections with a reason; imaging and functional
// items take a report (technique, findings, conclusion), then verification.
"use strict";
const root = document.querySelector(".results-ws");
const point = root.dataset.point;
const FLAG_VI = { normal: "Bình thường", low: "Thấp", high: "Cao", critical_low: "Thấp nguy hiểm", critical_high: "Cao nguy hiểm", none: "" };
const SEX_VI = { male: "Nam", female: "Nữ" };
const IMAGING_KINDS = ["xray", "ct", "mri", "ultrasound", "endoscopy"]; // served to modalities

let current = null; // the ticket being served
const messages = {}; // item id -> [text, bad]: kept across re-rendering

// --- queue -----------------------------------------------------------------------------

async function refreshQueue() {
  try {
    const lists = await api("GET", `/api/queue/points/${encodeURIComponent(point)}`);
    $("#waiting").replaceChildren(...lists.waiting.map((t) => el("li", {},
      el("span", { class: "num", text: t.display_number }),
      el("span", { text: t.masked_name || "" }),
      t.priority_name_vi ? el("span", { class: "tag", text: t.priority_name_vi }) : null)));
    $("#waiting-count").textContent = lists.waiting.length;
    const before = current ? current.id : null;
    current = lists.called[0] || null;
    $("#current-number").textContent = current ? current.display_number : "—";
    $("#current-name").textContent = current ? current.masked_name || "" : "";
    $("#complete-ticket").disabled = !current;
    if ((current ? current.id : null) !== before) markCurrent();
  } catch (error) {
    say("#queue-message", error.message, true);
  }
}

$("#call-next").addEventListener("click", async () => {
  try {
    const ticket = await api("POST", `/api/queue/points/${encodeURIComponent(point)}/call-next`);
    say("#queue-message", ticket ? `Đã gọi số ${ticket.display_number}` : "Không còn bệnh nhân chờ.");
  } catch (error) {
    say("#queue-message", error.message, true);
  }
  await refreshQueue();
  await loadWorklist();
});

$("#complete-ticket").addEventListener("click", async () => {
  if (!current) return;
  try {
    await api("POST", `/api/queue/tickets/${current.id}/complete`);
    say("#queue-message", `Đã hoàn thành số ${current.display_number}`);
  } catch (error) {
    say("#queue-message", error.message, true);
  }
  await refreshQueue();
});

// --- worklist --------------------------------------------------------------------------

function markCurrent() {
  document.querySelectorAll(".work-item").forEach((node) => {
    node.classList.toggle("current", Boolean(current) && node.dataset.ticket === String(current.id));
  });
}

function patientLine(item) {
  const facts = [item.age_years !== null ? `${item.age_years} tuổi` : null, SEX_VI[item.sex] || null].filter(Boolean);
  return `${item.display_number || ""} · ${item.masked_name}${facts.length ? ` (${facts.join(", ")})` : ""}`;
}

function itemMessage(item) {
  const node = el("span", { class: "message item-message", role: "status" });
  const kept = messages[item.item_id];
  if (kept) { node.textContent = kept[0]; node.classList.toggle("bad", kept[1]); }
  return node;
}

async function act(itemId, work, okText) {
  try {
    const result = await work();
    messages[itemId] = [typeof okText === "function" ? okText(result) : okText, false];
  } catch (error) {
    messages[itemId] = [error.message, true];
  }
  await loadWorklist();
}

function verifyButton(item) {
  if (item.status !== "resulted") return null;
  const button = el("button", { type: "button", class: "verify primary", text: "Duyệt" });
  button.addEventListener("click", () => act(item.item_id,
    () => api("POST", `/api/orders/items/${item.item_id}/verify`), "Đã duyệt kết quả."));
  return button;
}

function labBody(item) {
  const parts = [];
  const specimen = el("div", { class: "specimen" });
  if (item.accession_number) {
    specimen.append("Mã mẫu: ", el("span", { class: "accession", text: item.accession_number }), " ",
      el("a", { href: item.label_url, target: "_blank", class: "label-link", text: "In nhãn mẫu (PDF)" }));
  } else {
    const collect = el("button", { type: "button", class: "collect primary", text: "Lấy mẫu" });
    collect.addEventListener("click", () => act(item.item_id,
      () => api("POST", `/api/orders/items/${item.item_id}/specimen`),
      (taken) => `Đã lấy mẫu, mã mẫu ${taken.accession_number}. Dán nhãn lên ống.`));
    specimen.append(el("span", { class: "muted", text: "Chưa lấy mẫu. " }), collect);
  }
  parts.push(specimen);
  const results = Object.fromEntries(item.lab_results.map((r) => [r.analyte_code, r]));
  const open = item.status !== "verified" && item.status !== "cancelled";
  const rows = item.analytes.map((a) => {
    const r = results[a.code];
    const row = el("tr", { class: r ? `flag-${r.flag}` : "", "data-analyte": a.code });
    let valueCell;
    if (r) {
      valueCell = el("td", { class: "value", text: r.value });
    } else {
      valueCell = el("td", {}, el("input", { class: "value", "data-analyte": a.code, inputmode: "decimal", "aria-label": a.name_vi }));
    }
    const correctCell = el("td", {});
    if (r) {
      const fix = el("button", { type: "button", class: "correct", text: "Sửa" });
      fix.addEventListener("click", () => {
        const value = el("input", { class: "new-value", "aria-label": "Giá trị mới", value: r.value });
        const reason = el("input", { class: "reason", "aria-label": "Lý do sửa", placeholder: "Lý do sửa (bắt buộc)" });
        const save = el("button", { type: "button", class: "save-correction", text: "Lưu sửa" });
        save.addEventListener("click", () => act(item.item_id, () => {
          if (!reason.value.trim()) throw new Error("Cần ghi lý do sửa kết quả.");
          if (!value.value.trim()) throw new Error("Chưa nhập giá trị mới.");
          return api("POST", `/api/orders/results/${r.id}/correct`, { value: value.value.trim(), reason: reason.value.trim() });
        },
          `Đã sửa ${a.name_vi} (phiên bản mới; bản cũ được lưu lại). Cần duyệt lại.`));
        correctCell.replaceChildren(el("span", { class: "correction" }, value, reason, save));
      });
      correctCell.append(fix);
      if (r.version > 1) correctCell.append(el("span", { class: "muted", text: ` v${r.version}` }));
    }
    row.append(
      el("td", { text: a.name_vi }),
      valueCell,
      el("td", { text: a.unit }),
      el("td", { class: "muted", text: (r && r.range_text) || a.range_text || "" }),
      el("td", { class: "flag", text: r ? FLAG_VI[r.flag] || r.flag : "" }),
      correctCell);
    return row;
  });
  parts.push(el("table", { class: "grid results" },
    el("thead", {}, el("tr", {}, ...["Chỉ số", "Kết quả", "Đơn vị", "Khoảng tham chiếu", "Đánh giá", ""].map((h) => el("th", { text: h })))),
    el("tbody", {}, ...rows)));
  const actions = el("div", { class: "actions" });
  const missing = item.analytes.filter((a) => !results[a.code]);
  if (open && missing.length) {
    const save = el("button", { type: "button", class: "save-results primary", text: "Lưu kết quả" });
    save.addEventListener("click", () => {
      const box = document.querySelector(`.work-item[data-item="${item.item_id}"]`);
      const values = [...box.querySelectorAll("input.value")]
        .filter((input) => input.value.trim())
        .map((input) => ({ analyte_code: input.dataset.analyte, value: input.value.trim() }));
      if (!values.length) {
        messages[item.item_id] = ["Chưa nhập kết quả nào.", true];
        loadWorklist();
        return;
      }
      act(item.item_id, () => api("POST", `/api/orders/items/${item.item_id}/results`, { values }),
        `Đã lưu ${values.length} kết quả. Cần người thứ hai duyệt.`);
    });
    actions.append(save);
  }
  actions.append(verifyButton(item) || "", itemMessage(item));
  parts.push(actions);
  return parts;
}

function reportBody(item) {
  const report = item.report;
  const open = item.status !== "cancelled";
  const technique = el("textarea", { class: "technique", rows: 2 });
  const findings = el("textarea", { class: "findings", rows: 5 });
  const conclusion = el("textarea", { class: "conclusion", rows: 2 });
  technique.value = report ? report.technique : "";
  findings.value = report ? report.findings : "";
  conclusion.value = report ? report.conclusion : "";
  const form = el("div", { class: "report-form" },
    el("label", {}, "Kỹ thuật ", technique),
    el("label", {}, "Mô tả (kết quả) ", findings),
    el("label", {}, "Kết luận ", conclusion));
  let reason = null;
  if (report) {
    reason = el("input", { class: "reason", placeholder: "Lý do sửa (bắt buộc khi sửa phiếu đã có)" });
    form.append(el("label", {}, "Lý do sửa ", reason));
    form.append(el("p", { class: "muted", text: `Phiên bản ${report.version}, ${report.entered_by || ""}` +
      (report.verified_by ? ` · đã duyệt bởi ${report.verified_by}` : " · chờ duyệt") }));
  }
  const actions = el("div", { class: "actions" });
  if (open) {
    const save = el("button", { type: "button", class: "save-report primary", text: report ? "Lưu phiếu sửa" : "Lưu phiếu kết quả" });
    save.addEventListener("click", () => act(item.item_id, () => api("POST", `/api/orders/items/${item.item_id}/report`, {
      technique: technique.value.trim(),
      findings: findings.value.trim(),
      conclusion: conclusion.value.trim(),
      correction_reason: reason ? reason.value.trim() || null : null,
    }), report ? "Đã lưu phiếu sửa (bản cũ được lưu lại). Cần duyệt lại." : "Đã lưu phiếu kết quả. Cần người thứ hai duyệt."));
    actions.append(save);
  }
  actions.append(verifyButton(item) || "", itemMessage(item));
  // The images the PACS received for this item (imaging.js): viewer link and preview.
  const images = el("div", { class: "imaging-slot" });
  if (IMAGING_KINDS.includes(item.kind)) loadImaging(item.visit_id, images, item.item_id);
  return [images, form, actions];
}

function renderItem(item) {
  const box = el("section", { class: `card work-item status-${item.status}`, "data-item": item.item_id, "data-ticket": item.ticket_id || "" },
    el("header", {},
      el("h3", {}, item.service_name),
      el("span", { class: `badge ${item.status}`, text: STATUS_VI[item.status] || item.status })),
    el("p", { class: "patient" }, el("strong", { text: patientLine(item) })));
  box.append(...(item.kind === "lab" ? labBody(item) : reportBody(item)));
  return box;
}

function criticalAlert(items) {
  const critical = [];
  for (const item of items) {
    for (const r of item.lab_results) {
      if (r.flag.startsWith("critical") && item.status !== "verified") critical.push(`${item.masked_name}: ${r.analyte_name_vi} = ${r.value} ${r.unit} (${FLAG_VI[r.flag]})`);
    }
  }
  const box = $("#critical-alert");
  box.hidden = !critical.length;
  box.textContent = critical.length ? `GIÁ TRỊ NGUY HIỂM — báo ngay bác sĩ chỉ định: ${critical.join("; ")}` : "";
}

async function loadWorklist() {
  try {
    const data = await api("GET", `/api/orders/worklist/${encodeURIComponent(point)}`);
    const hideDone = $("#hide-done").checked;
    const items = data.items.filter((item) => !hideDone || item.status !== "verified");
    $("#worklist").replaceChildren(...(items.length ? items.map(renderItem)
      : [el("p", { class: "card muted", text: "Chưa có chỉ định nào hôm nay." })]));
    criticalAlert(data.items);
    markCurrent();
    say("#worklist-message", "");
  } catch (error) {
    say("#worklist-message", error.message, true);
  }
}

$("#hide-done").addEventListener("change", loadWorklist);

refreshQueue().then(loadWorklist);
setInterval(refreshQueue, 10000);
