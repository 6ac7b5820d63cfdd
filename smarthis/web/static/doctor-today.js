// Doctor's workstation, "Hôm nay": the signed-in doctor's shifts today (the duty plan) and
// the patients asked back today in this room's specialty, marked once they have registered.
// Loaded on opening and after each call (a patient's arrival changes the list), not on a
// timer: every listing is an audited read of those patients.
"use strict";
(() => {
  const room = document.querySelector(".doctor").dataset.point;

  function birth(p) {
    if (p.date_of_birth) return p.date_of_birth.slice(0, 4);
    return p.birth_year ? String(p.birth_year) : "";
  }

  async function showShifts() {
    try {
      const shifts = await api("GET", "/api/me/schedule");
      $("#my-shifts").textContent = shifts.length
        ? shifts.map((s) => `Ca ${s.shift_name_vi.toLowerCase()} ${hours(s)} — phòng ${s.room_code}`).join(" · ")
        : "Không có ca trực theo lịch hôm nay.";
    } catch (error) {
      $("#my-shifts").textContent = `Không tải được lịch trực: ${error.message}`;
    }
  }

  function hours(shift) {
    return `${fmtTime(shift.starts_at)}–${fmtTime(shift.ends_at)}`; // hospital time (doctor.js)
  }

  async function showFollowUps() {
    try {
      const day = await api("GET", `/api/appointments/follow-ups?point=${encodeURIComponent(room)}`);
      const list = day.follow_ups;
      $("#follow-up-count").textContent = list.length;
      $("#follow-ups").replaceChildren(...list.map((p) => el("li", { class: p.arrived_visit_number ? "arrived" : "" },
        el("div", {},
          el("strong", { text: p.full_name }), " ",
          el("span", { class: "muted", text: `${birth(p)} · ${p.mrn}` })),
        p.main_diagnosis ? el("div", { class: "dx", text: p.main_diagnosis }) : null,
        el("div", { class: "muted", text: `Hẹn khi khám ngày ${fmtDate(p.booked_on)}${p.booked_by ? ` · BS ${p.booked_by}` : ""}` }),
        el("span", {
          class: p.arrived_visit_number ? "tag came" : "tag",
          text: p.arrived_visit_number ? `Đã đến · lượt ${p.arrived_visit_number}` : "Chưa đến",
        }))));
      say("#follow-up-message", list.length ? "" : "Không có bệnh nhân hẹn tái khám hôm nay.");
    } catch (error) {
      say("#follow-up-message", error.message, true);
    }
  }

  $("#refresh-follow-ups").addEventListener("click", showFollowUps);
  document.addEventListener("patient-called", showFollowUps);
  showShifts();
  showFollowUps();
})();
