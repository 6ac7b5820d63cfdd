// Staff profiles page: each row saves through PUT /api/staff-profiles/{login}.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const message = document.getElementById("profile-message");

document.getElementById("profiles").addEventListener("click", async (event) => {
  if (!event.target.classList.contains("save")) return;
  const row = event.target.closest("tr");
  const body = {};
  row.querySelectorAll("input, select").forEach((field) => { body[field.name] = field.value || null; });
  const response = await fetch(`/api/staff-profiles/${encodeURIComponent(row.dataset.login)}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  row.classList.toggle("unsaved", !response.ok);
  if (response.ok) {
    row.querySelector('[name="certificate_number"]').value = data.certificate_number || "";
    row.querySelector('[name="department_code"]').value = data.department_code || "";
    message.textContent = `Đã lưu hồ sơ ${data.full_name}`;
    message.className = "alert good";
  } else {
    message.textContent = data.error ? data.error.message : `Lỗi ${response.status}`;
    message.className = "alert bad";
  }
  message.hidden = false;
});
