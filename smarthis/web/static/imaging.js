// Imaging on the doctor's and the results screens: a visit's imaging items with the
// studies the PACS received for them (GET /api/imaging/visits/{id}). "Xem ảnh" opens the
// study in the PACS viewer; the thumbnail is a preview SmartHIS fetches from the PACS
// (permission-checked and audited), so the browser never holds PACS credentials.
"use strict";
const IMAGING_REUSE_MS = 3000; // one request serves every item of a visit on a re-render
const imagingFetches = new Map(); // visit id -> { at, promise }

function imagingOfVisit(visitId) {
  const kept = imagingFetches.get(visitId);
  if (kept && Date.now() - kept.at < IMAGING_REUSE_MS) return kept.promise;
  const promise = api("GET", `/api/imaging/visits/${visitId}`);
  imagingFetches.set(visitId, { at: Date.now(), promise });
  return promise;
}

function imagingStudy(study) {
  const facts = `${study.series_count} loạt, ${study.instances_count} ảnh · nhận lúc ${new Date(study.received_at).toLocaleString("vi-VN")}`;
  const node = el("div", { class: "imaging-study", "data-study": study.id });
  if (study.preview_url) {
    node.append(el("img", { class: "imaging-thumb", src: study.preview_url, alt: "Ảnh xem trước", loading: "lazy" }));
  }
  const links = el("div", {}, el("span", { class: "muted", text: facts }));
  if (study.viewer_url) {
    links.append(" ", el("a", { class: "imaging-viewer", href: study.viewer_url, target: "_blank", rel: "noopener", text: "Xem ảnh" }));
  }
  node.append(links);
  return node;
}

function imagingItem(item, withName) {
  const box = el("div", { class: `imaging-item imaging-${item.status}`, "data-item": item.item_id },
    el("div", {}, withName ? el("strong", { text: item.service_name }) : null, " ",
      el("span", { class: "muted", text: `${item.modality} · mã chụp ${item.accession_number}` }), " ",
      el("span", { class: "imaging-status", text: item.status_vi })));
  box.append(...item.studies.map(imagingStudy));
  return box;
}

// Fills `target` with the visit's imaging (only item `itemId` when given); quiet on
// failure: the rest of the screen must keep working when imaging cannot be read.
async function loadImaging(visitId, target, itemId) {
  if (!target || visitId === null || visitId === undefined) return;
  let items;
  try {
    items = await imagingOfVisit(visitId);
  } catch (error) {
    target.replaceChildren(el("p", { class: "message bad", text: error.message }));
    return;
  }
  const shown = itemId === undefined ? items : items.filter((item) => item.item_id === itemId);
  if (!shown.length) {
    target.replaceChildren(itemId === undefined ? el("p", { class: "muted", text: "Chưa có chỉ định chẩn đoán hình ảnh." }) : "");
    return;
  }
  target.replaceChildren(...shown.map((item) => imagingItem(item, itemId === undefined)));
}
