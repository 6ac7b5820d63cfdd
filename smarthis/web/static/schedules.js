// Week plan page: add and remove duty entries through /api/schedules, then reload.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const message = document.getElementById("plan-message");

function show(text, good) {
  message.textContent = text;
  message.className = good ? "alert good" : "alert bad";
  message.hidden = false;
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.ok) return true;
  const data = await response.json().catch(() => ({}));
  show(data.error ? data.error.message : `Lỗi ${response.status}`, false);
  return false;
}

document.getElementById("plan-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const ok = await call("POST", "/api/schedules", Object.fromEntries(form.entries()));
  if (ok) location.reload();
});

document.getElementById("plan").addEventListener("click", async (event) => {
  const id = event.target.dataset.remove;
  if (!id) return;
  if (await call("DELETE", `/api/schedules/${id}`)) location.reload();
});
