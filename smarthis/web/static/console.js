// Caller console: one service point's waiting / called / served lists and the actions on
// them. Keyboard: N or Enter = call next, R = recall, S = no-show, C = complete,
// T = transfer. Lists refresh after every action and every 10 s.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const point = document.querySelector(".console").dataset.point;
const $ = (sel) => document.querySelector(sel);
let current = null; // the ticket being served (status "called")

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && data.error && data.error.message) || `Lỗi ${response.status}`);
  return data;
}

function say(text) {
  $("#console-message").textContent = text;
}

function item(ticket, extra) {
  const li = document.createElement("li");
  const num = document.createElement("span");
  num.className = "num";
  num.textContent = ticket.display_number;
  const name = document.createElement("span");
  name.textContent = ticket.masked_name || "";
  li.append(num, name);
  if (ticket.priority_name_vi) {
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = ticket.priority_name_vi;
    li.append(tag);
  }
  if (extra) {
    const e = document.createElement("span");
    e.className = "muted";
    e.textContent = extra;
    li.append(e);
  }
  return li;
}

async function refresh() {
  try {
    const lists = await api("GET", `/api/queue/points/${encodeURIComponent(point)}`);
    $("#waiting").replaceChildren(...lists.waiting.map((t) => item(t, t.status === "skipped" ? "vắng, chờ gọi lại" : "")));
    $("#waiting-count").textContent = lists.waiting.length;
    $("#called").replaceChildren(...lists.called.map((t) => item(t, `gọi ${t.call_count} lần`)));
    $("#served").replaceChildren(...lists.served.slice(0, 30).map((t) => item(t)));
    current = lists.called[0] || null;
    $("#current-number").textContent = current ? current.display_number : "—";
    $("#current-name").textContent = current ? current.masked_name || "" : "";
  } catch (error) {
    say(error.message);
  }
}

async function act(label, request) {
  try {
    const result = await request();
    say(label(result));
  } catch (error) {
    say(error.message);
  }
  await refresh();
}

const needCurrent = () => {
  if (!current) throw new Error("Chưa gọi số nào.");
  return current;
};

const actions = {
  callNext: () => act((t) => (t ? `Đã gọi số ${t.display_number}` : "Không còn ai chờ."),
    () => api("POST", `/api/queue/points/${encodeURIComponent(point)}/call-next`)),
  recall: () => act((t) => `Đã gọi lại số ${t.display_number}`,
    async () => api("POST", `/api/queue/tickets/${needCurrent().id}/recall`)),
  skip: () => act((t) => `Số ${t.display_number}: vắng mặt`,
    async () => api("POST", `/api/queue/tickets/${needCurrent().id}/skip`)),
  complete: () => act((t) => (t ? `Xong; bệnh nhân quay lại với số ${t.display_number}` : "Đã hoàn thành"),
    async () => api("POST", `/api/queue/tickets/${needCurrent().id}/complete`)),
  transfer: () => act((t) => `Đã chuyển: số mới ${t.display_number} tại ${t.service_point_name}`,
    async () => api("POST", `/api/queue/tickets/${needCurrent().id}/transfer`, {
      to_point_code: $("#transfer-to").value,
      return_after: $("#return-after").checked,
    })),
};

$("#call-next").addEventListener("click", actions.callNext);
$("#recall").addEventListener("click", actions.recall);
$("#skip").addEventListener("click", actions.skip);
$("#complete").addEventListener("click", actions.complete);
$("#transfer").addEventListener("click", actions.transfer);

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  const action = { n: actions.callNext, enter: actions.callNext, r: actions.recall, s: actions.skip, c: actions.complete, t: actions.transfer }[key];
  if (action) {
    event.preventDefault();
    action();
  }
});

refresh();
setInterval(refresh, 10000);
