// Management dashboard: reads /api/reports/dashboard for a date range and draws each
// figure as hand-made inline SVG (no chart library, nothing fetched from a CDN).
"use strict";
const $ = (sel) => document.querySelector(sel);
const SVG_NS = "http://www.w3.org/2000/svg";
const fmt = new Intl.NumberFormat("vi-VN");
const pctFmt = new Intl.NumberFormat("vi-VN", { style: "percent", maximumFractionDigits: 1 });
const pct = (x) => (x === null || x === undefined ? "—" : pctFmt.format(x));
const num = (x) => (x === null || x === undefined ? "—" : fmt.format(x));
const MONEY_COLUMNS = new Set(["cash", "card", "vietqr", "received", "refunds", "net"]);
const SHARE_COLUMNS = new Set(["kiosk_share", "occupancy", "range_occupancy"]);

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function shortMoney(v) {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)} tỷ`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} tr`;
  if (v >= 1e3) return `${Math.round(v / 1e3)} N`;
  return String(v);
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function noData(container, message) {
  const svg = el("svg", { viewBox: "0 0 600 80", role: "img" });
  svg.append(el("text", { x: 300, y: 45, "text-anchor": "middle", class: "nodata" }, message));
  container.replaceChildren(svg);
}

// Vertical bars per day; `series` stack on each other (kiosk under reception).
function columns(container, labels, series, format) {
  const W = 640, H = 260, L = 56, R = 10, T = 14, B = 38;
  const totals = labels.map((_, i) => series.reduce((s, ser) => s + (ser.values[i] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" });
  const plotH = H - T - B, plotW = W - L - R;
  for (let k = 0; k <= 4; k++) {
    const y = T + plotH - (plotH * k) / 4;
    svg.append(el("line", { x1: L, x2: W - R, y1: y, y2: y, class: "gridline" }));
    svg.append(el("text", { x: L - 6, y: y + 4, "text-anchor": "end" }, format((max * k) / 4)));
  }
  const step = plotW / Math.max(1, labels.length);
  const barW = Math.max(2, Math.min(40, step * 0.7));
  const every = Math.ceil(labels.length / 14); // keep day labels readable on long ranges
  labels.forEach((label, i) => {
    const x = L + step * i + (step - barW) / 2;
    let base = T + plotH;
    for (const ser of series) {
      const h = (plotH * (ser.values[i] || 0)) / max;
      if (h > 0) {
        const rect = el("rect", { x, y: base - h, width: barW, height: h, class: ser.cls });
        rect.append(el("title", {}, `${label}: ${ser.label} ${num(ser.values[i])}`));
        svg.append(rect);
      }
      base -= h;
    }
    if (totals[i] > 0 && labels.length <= 14) {
      svg.append(el("text", { x: x + barW / 2, y: base - 3, "text-anchor": "middle", class: "value" }, format(totals[i])));
    }
    if (i % every === 0) {
      svg.append(el("text", { x: x + barW / 2, y: H - B + 16, "text-anchor": "middle" }, label));
    }
  });
  svg.append(el("line", { x1: L, x2: W - R, y1: T + plotH, y2: T + plotH, class: "axis" }));
  container.replaceChildren(svg);
}

// Horizontal bars, one group per row, one bar per series (median beside p90...).
function bars(container, labels, series, format) {
  const W = 640, L = 230, R = 60, T = 8, groupGap = 10, barH = 14;
  const groupH = series.length * barH + groupGap;
  const H = T + labels.length * groupH + 6;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.map((v) => v || 0))));
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" });
  labels.forEach((label, i) => {
    const y0 = T + i * groupH;
    svg.append(el("text", { x: L - 8, y: y0 + (series.length * barH) / 2 + 4, "text-anchor": "end" }, label));
    series.forEach((ser, j) => {
      const v = ser.values[i];
      const y = y0 + j * barH;
      const w = v ? ((W - L - R) * v) / max : 0;
      const rect = el("rect", { x: L, y, width: Math.max(w, v ? 1 : 0), height: barH - 2, class: ser.cls });
      rect.append(el("title", {}, `${label}: ${ser.label} ${v === null || v === undefined ? "—" : format(v)}`));
      svg.append(rect);
      svg.append(el("text", { x: L + w + 4, y: y + barH - 4, class: "value" }, v === null || v === undefined ? "—" : format(v)));
    });
  });
  svg.append(el("line", { x1: L, x2: L, y1: T - 4, y2: H - 4, class: "axis" }));
  container.replaceChildren(svg);
}

function renderTable(container, table) {
  if (!table.available) {
    const p = document.createElement("p");
    p.className = "nodata";
    p.textContent = "Chưa có dữ liệu (phân hệ chưa được triển khai).";
    container.replaceChildren(p);
    return;
  }
  if (!table.rows.length) {
    const p = document.createElement("p");
    p.className = "nodata";
    p.textContent = "Không có số liệu trong khoảng ngày này.";
    container.replaceChildren(p);
    return;
  }
  const t = document.createElement("table");
  t.className = "grid";
  const head = t.createTHead().insertRow();
  for (const col of table.columns) {
    const th = document.createElement("th");
    th.textContent = col.title;
    head.append(th);
  }
  const body = t.createTBody();
  for (const row of table.rows) {
    const tr = body.insertRow();
    for (const col of table.columns) {
      const td = tr.insertCell();
      const v = row[col.key];
      if (typeof v === "number" || v === null) td.className = "num";
      if (col.key === "late_documents" && v === null) td.textContent = "chưa có dữ liệu";
      else if (SHARE_COLUMNS.has(col.key)) td.textContent = pct(v);
      else if (typeof v === "number") td.textContent = num(v);
      else td.textContent = v ?? "—";
    }
  }
  container.replaceChildren(t);
}

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

function dayLabel(iso) {
  const [, m, d] = iso.split("-");
  return `${d}/${m}`;
}

function draw(data) {
  const t = data.tables;
  const visits = t.visits, revenue = t.revenue, waits = t.waits, claims = t.claims, beds = t.beds;
  const totalWait = waits.rows.find((r) => r.step === "registered->concluded");
  const claimTotal = claims.rows.filter((r) => r.document === "claim").reduce((s, r) => s + r.count, 0);
  const rejected = claims.rows.filter((r) => r.document === "claim" && r.status === "rejected").reduce((s, r) => s + r.count, 0);
  $("#dash-tiles").replaceChildren(
    tile("Lượt khám", num(visits.summary.visits)),
    tile("Đăng ký tại kiosk", pct(visits.summary.kiosk_share)),
    tile("Thời gian một lượt khám (trung vị)", totalWait && totalWait.median_minutes !== null ? `${totalWait.median_minutes} phút` : "—"),
    tile("Thực thu (VNĐ)", num(revenue.summary.net)),
    tile("Hồ sơ BHYT bị từ chối", claimTotal ? `${rejected}/${claimTotal}` : "—"),
    tile("Công suất giường trong kỳ", beds.available ? pct(beds.summary.range_occupancy) : "chưa có dữ liệu"),
    tile("Giường đang có người bệnh", beds.available ? `${num(beds.summary.occupied)}/${num(beds.summary.beds)}` : "chưa có dữ liệu"),
    tile("Hội chẩn liên viện đã họp", num(t.consultations.summary.held)),
  );
  const days = visits.rows.map((r) => dayLabel(r.day));
  columns($("#chart-visits"), days, [
    { values: visits.rows.map((r) => r.kiosk), cls: "bar-kiosk", label: "Kiosk" },
    { values: visits.rows.map((r) => r.reception), cls: "bar-reception", label: "Quầy" },
  ], (v) => fmt.format(Math.round(v)));
  columns($("#chart-revenue"), revenue.rows.map((r) => dayLabel(r.day)), [
    { values: revenue.rows.map((r) => Math.max(0, r.net)), cls: "bar-revenue", label: "Thực thu" },
  ], shortMoney);
  if (waits.rows.every((r) => r.visits === 0)) noData($("#chart-waits"), "Chưa có lượt khám nào đo được thời gian chờ");
  else bars($("#chart-waits"), waits.rows.map((r) => r.name), [
    { values: waits.rows.map((r) => r.median_minutes), cls: "bar-median", label: "Trung vị" },
    { values: waits.rows.map((r) => r.p90_minutes), cls: "bar-p90", label: "P90" },
  ], (v) => `${v} ph`);
  const claimRows = claims.rows.filter((r) => r.document === "claim");
  if (claimRows.every((r) => r.count === 0)) noData($("#chart-claims"), "Chưa có hồ sơ BHYT trong khoảng ngày này");
  else bars($("#chart-claims"), claimRows.map((r) => r.status_name), [
    { values: claimRows.map((r) => r.count), cls: "bar-claim", label: "Số hồ sơ" },
  ], (v) => fmt.format(v));
  // each status bar in its own colour
  $("#chart-claims").querySelectorAll("rect.bar-claim").forEach((rect, i) => rect.classList.add(`bar-claim-${claimRows[i].status}`));
  if (!beds.available) noData($("#chart-beds"), "Chưa có dữ liệu (phân hệ nội trú chưa triển khai)");
  else if (!beds.rows.length) noData($("#chart-beds"), "Chưa khai báo giường bệnh");
  else bars($("#chart-beds"), beds.rows.map((r) => r.ward), [
    { values: beds.rows.map((r) => r.beds), cls: "bar-beds", label: "Giường" },
    { values: beds.rows.map((r) => r.occupied), cls: "bar-occupied", label: "Có người bệnh" },
  ], (v) => fmt.format(v));
  for (const key of ["visits", "revenue", "waits", "claims", "beds", "staff_work", "department_work"]) {
    renderTable($(`#table-${key}`), t[key]);
  }
  document.querySelectorAll("a[data-csv]").forEach((a) => {
    a.href = `/api/reports/${a.dataset.csv}.csv?from=${data.from}&to=${data.to}`;
    a.download = "";
  });
}

async function load(from, to) {
  const err = $("#range-error");
  err.hidden = true;
  const response = await fetch(`/api/reports/dashboard?from=${from}&to=${to}`);
  const data = await response.json();
  if (!response.ok) {
    err.textContent = data.error ? data.error.message : `Lỗi ${response.status}`;
    err.hidden = false;
    return;
  }
  history.replaceState(null, "", `?from=${from}&to=${to}`);
  draw(data);
  document.body.dataset.loaded = "yes";
}

function isoDay(d) {
  // The hospital's calendar day (UTC+7, no summer time), whatever the browser's zone.
  return new Date(d.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function setRange(days) {
  const now = new Date();
  $("#range-to").value = isoDay(now);
  $("#range-from").value = isoDay(new Date(now.getTime() - (days - 1) * 86400 * 1000));
}

document.addEventListener("DOMContentLoaded", () => {
  const params = new URLSearchParams(location.search);
  if (params.get("from") && params.get("to")) {
    $("#range-from").value = params.get("from");
    $("#range-to").value = params.get("to");
  } else setRange(7);
  $("#range-form").addEventListener("submit", (e) => {
    e.preventDefault();
    load($("#range-from").value, $("#range-to").value);
  });
  document.querySelectorAll(".quick button").forEach((b) => b.addEventListener("click", () => {
    setRange(Number(b.dataset.days));
    load($("#range-from").value, $("#range-to").value);
  }));
  load($("#range-from").value, $("#range-to").value);
});
