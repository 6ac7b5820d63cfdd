// Statistics page: reads /api/queue/stats for the chosen day and lays it out.
"use strict";
const $ = (sel) => document.querySelector(sel);
const KINDS = {
  reception: "Tiếp đón", examination: "Khám bệnh", lab: "Lấy mẫu xét nghiệm", ultrasound: "Siêu âm",
  xray: "X-quang", ct: "CT", mri: "Cộng hưởng từ", endoscopy: "Nội soi", ecg: "Điện tim",
  cashier: "Thu ngân", pharmacy: "Nhận thuốc", information: "Thông tin",
};
const cell = (value) => {
  const td = document.createElement("td");
  td.textContent = value ?? "—";
  return td;
};
function tile(title, value) {
  const div = document.createElement("div");
  div.className = "tile";
  const strong = document.createElement("strong");
  strong.textContent = value;
  const span = document.createElement("span");
  span.textContent = title;
  div.append(strong, span);
  return div;
}

async function load(day) {
  const url = day ? `/api/queue/stats?day=${day}` : "/api/queue/stats";
  $("#stats-json").href = url;
  const response = await fetch(url);
  const stats = await response.json();
  if (!response.ok) {
    $("#stats-summary").replaceChildren(tile("Lỗi", stats.error ? stats.error.message : response.status));
    return;
  }
  const share = stats.kiosk_share === null ? "—" : `${(stats.kiosk_share * 100).toFixed(1)}%`;
  $("#stats-summary").replaceChildren(
    tile("Phiếu đã phát", stats.tickets), tile("Lượt khám", stats.visits),
    tile("Đăng ký tại kiosk", share), tile("Vắng mặt", stats.no_shows));
  $("#stats-steps tbody").replaceChildren(...Object.entries(stats.steps).map(([kind, s]) => {
    const tr = document.createElement("tr");
    tr.append(cell(KINDS[kind] || kind), cell(s.tickets), cell(s.wait_minutes_p50), cell(s.wait_minutes_p90),
      cell(s.service_minutes_p50), cell(s.no_shows));
    return tr;
  }));
  $("#stats-hours tbody").replaceChildren(...Object.entries(stats.served_per_hour).map(([hour, n]) => {
    const tr = document.createElement("tr");
    tr.append(cell(hour), cell(n));
    return tr;
  }));
  $("#stats-day").value = stats.day;
}

$("#stats-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load($("#stats-day").value);
});
load();
