// The vital-signs chart of a stay, drawn as SVG by hand (no chart library): pulse (red,
// left scale) and temperature (blue, right scale) on the ward's usual aligned grid
// (40-160 beats ↔ 35-41 °C), blood pressure as bars in a panel below.
"use strict";
const SVG_NS = "http://www.w3.org/2000/svg";
const HOSPITAL_TZ = "Asia/Ho_Chi_Minh";

const CLOCK = new Intl.DateTimeFormat("en-GB", {
  timeZone: HOSPITAL_TZ, hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", hour12: false,
});

// "08:30 26/11": times as the ward reads them (Vietnam), whatever the workstation's zone.
function hospitalTime(iso) {
  if (!iso) return "";
  const part = Object.fromEntries(CLOCK.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${part.hour}:${part.minute} ${part.day}/${part.month}`;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawVitalsChart(container, vitals) {
  const W = 720, top = 34, H1 = 200, gap = 34, H2 = 110, left = 46, right = 46, bottom = 30;
  const pad = 36; // keeps the first and last points (and their labels) off the scales
  const H = top + H1 + gap + H2 + bottom;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
  root.append(svg("title", {}, "Biểu đồ dấu hiệu sinh tồn"));
  const plotW = W - left - right - 2 * pad;
  const n = vitals.length;
  const x = (i) => left + pad + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1));
  const yPulse = (v) => top + H1 - ((v - 40) / 120) * H1;
  const yTemp = (v) => top + H1 - ((v - 35) / 6) * H1;
  const bpTop = top + H1 + gap;
  const yBp = (v) => bpTop + H2 - (v / 200) * H2;
  // grid and scales
  for (let t = 35; t <= 41; t++) {
    const y = yTemp(t);
    root.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: t === 37 ? "grid-line mid" : "grid-line" }));
    root.append(svg("text", { x: W - right + 6, y: y + 4, class: "axis temp" }, `${t}°`));
    root.append(svg("text", { x: left - 6, y: y + 4, class: "axis pulse", "text-anchor": "end" }, `${40 + (t - 35) * 20}`));
  }
  // legend above the grid: which line is which, with units
  const legend = [["pulse", "Mạch (lần/phút)"], ["temp", "Nhiệt độ (°C)"], ["bp", "Huyết áp (mmHg)"]];
  legend.forEach(([cls, text], i) => {
    const lx = left + i * 190;
    root.append(cls === "bp"
      ? svg("line", { x1: lx + 10, x2: lx + 10, y1: 6, y2: 20, class: "bp-bar" })
      : svg("line", { x1: lx, x2: lx + 22, y1: 13, y2: 13, class: `series ${cls}` }));
    root.append(svg("text", { x: lx + 28, y: 17, class: "legend" }, text));
  });
  for (const v of [0, 50, 100, 150, 200]) {
    const y = yBp(v);
    root.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: "grid-line" }));
    root.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, `${v}`));
  }
  if (n === 0) {
    root.append(svg("text", { x: W / 2, y: top + H1 / 2, class: "empty", "text-anchor": "middle" }, "Chưa có số đo"));
    container.replaceChildren(root);
    return;
  }
  const line = (key, y, cls) => {
    const points = vitals.map((v, i) => (v[key] == null ? null : `${x(i)},${y(v[key])}`)).filter(Boolean);
    if (points.length > 1) root.append(svg("polyline", { points: points.join(" "), class: `series ${cls}` }));
    vitals.forEach((v, i) => {
      if (v[key] == null) return;
      const dot = svg("circle", { cx: x(i), cy: y(v[key]), r: 4, class: `dot ${cls}` });
      dot.append(svg("title", {}, `${key === "pulse" ? "Mạch" : "Nhiệt độ"} ${v[key]}`));
      root.append(dot);
    });
  };
  line("pulse", yPulse, "pulse");
  line("temperature_c", yTemp, "temp");
  vitals.forEach((v, i) => {
    if (v.systolic != null && v.diastolic != null) {
      root.append(svg("line", { x1: x(i), x2: x(i), y1: yBp(v.systolic), y2: yBp(v.diastolic), class: "bp-bar" }));
      root.append(svg("text", { x: x(i), y: yBp(v.systolic) - 4, class: "bp-label", "text-anchor": "middle" }, `${v.systolic}/${v.diastolic}`));
    }
    root.append(svg("text", { x: x(i), y: H - 10, class: "axis", "text-anchor": "middle" }, hospitalTime(v.taken_at)));
  });
  container.replaceChildren(root);
}
