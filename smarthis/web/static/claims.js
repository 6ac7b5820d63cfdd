// Claims page: a month's XML 130 claims with the portal's answer, and queueing the month.
"use strict";
const at = (iso) => (iso ? new Date(iso).toLocaleString("vi-VN", { dateStyle: "short", timeStyle: "short" }) : "—");
const LABELS = { pending: "Chờ gửi", sent: "Đang gửi", accepted: "Đã tiếp nhận", rejected: "Bị từ chối" };

function tile(title, value) {
  return el("div", { class: "tile" }, el("strong", { text: String(value) }), el("span", { text: title }));
}

async function load() {
  const month = $("#month").value;
  try {
    const data = await api("GET", `/api/claims?month=${month}`);
    $("#counts").replaceChildren(...Object.keys(LABELS).map((k) => tile(LABELS[k], data.counts[k] || 0)));
    const body = $("#rows tbody");
    if (!data.submissions.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "muted", text: "Chưa có hồ sơ nào của tháng này được đưa vào hàng đợi" })));
      return;
    }
    body.replaceChildren(...data.submissions.map((s) => el("tr", {},
      el("td", { text: s.claim_code }), el("td", { text: s.kind_vi }), el("td", {}, el("span", { class: `badge ${s.status}`, text: s.status_vi })),
      el("td", { text: s.transaction_code || "—" }), el("td", { text: s.reason || s.last_error || "" }),
      el("td", { text: String(s.attempts) }), el("td", { text: at(s.answered_at) }))));
  } catch (error) {
    say("#message", error.message, true);
  }
}

async function queue() {
  try {
    const result = await api("POST", "/api/claims/queue", { month: $("#month").value });
    const held = result.held_back.map((h) => el("li", { text: `${h.visit}${h.stay ? ` (nội trú ${h.stay})` : ""}: ${h.reasons.join("; ")}` }));
    $("#held").replaceChildren(...(held.length ? [el("h2", { text: "Lượt khám, đợt nội trú chưa đủ điều kiện" }), el("ul", {}, ...held)] : []));
    say("#message", `Đã đưa ${result.queued} hồ sơ vào hàng đợi; ${result.invalid.length} hồ sơ lỗi; ${result.held_back.length} lượt khám, đợt nội trú chưa đủ điều kiện`,
      result.invalid.length > 0);
    load();
  } catch (error) {
    say("#message", error.message, true);
  }
}

const now = new Date();
$("#month").value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
$("#month-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
if (document.querySelector(".claims").dataset.maySubmit === "yes") $("#queue").addEventListener("click", queue);
load();
