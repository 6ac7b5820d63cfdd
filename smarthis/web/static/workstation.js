// Shared by the staff workstations (doctor, results): JSON calls with the CSRF header,
// element building and status messages.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (sel) => document.querySelector(sel);
const STATUS_VI = { ordered: "Đã chỉ định", in_progress: "Đang thực hiện", resulted: "Có kết quả (chờ duyệt)", verified: "Đã duyệt", cancelled: "Đã hủy" };

class ApiError extends Error {
  constructor(status, data) {
    super((data && data.error && data.error.message) || `Lỗi ${status}`);
    this.status = status;
    this.data = data;
  }
}

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

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

function say(id, text, bad) {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle("bad", Boolean(bad));
}
