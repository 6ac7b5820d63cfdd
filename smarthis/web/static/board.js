// Queue display board (a waiting area's TV) and door display (one room). The server renders
// the first state; this script keeps it current from the Server-Sent Events stream and, on
// boards, speaks each call once per area (the first board to claim a call speaks it).
"use strict";

const page = document.body.dataset;
const IS_BOARD = page.mode === "board";
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const TZ = "Asia/Ho_Chi_Minh";
const FLASH_MS = 8000;
const RECENT_SHOWN = 6;
const DOOR_NEXT_SHOWN = 3;
const REFRESH_MS = 60000;
const REOPEN_MS = 3000;
// A call older than this (replayed after a long outage) is shown but not spoken.
const ANNOUNCE_MAX_AGE_MS = 120000;
// `?sound=off` silences a board (two boards in one hall: one speaks).
const MUTED = new URLSearchParams(location.search).get("sound") === "off";

let state = JSON.parse(document.getElementById("initial-state").textContent);
let lastEventId = state.last_event_id || 0;
// Events up to this id are already in the loaded state (the server read them before it).
let stateEventId = lastEventId;
let serverOffsetMs = 0; // the server's clock minus this device's (TVs' clocks drift)
const heard = new Set((state.recent_calls || []).map((c) => c.event_id));

// --- rendering (the same markup as board.html / door.html) ---

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function roomTitle(label, name) {
  if (!label) return name;
  return /^[0-9]/.test(label) ? `Phòng ${label}` : label;
}

function nextNumbers(numbers) {
  const box = el("span", "next-numbers");
  if (numbers.length === 0) box.append(el("i", "", "—"));
  for (const number of numbers) box.append(el("b", "", number));
  return box;
}

function footer(tag, className, room, shown) {
  const foot = el(tag, className);
  const next = el("div", "next");
  next.append(el("span", "caption", "Tiếp theo"), nextNumbers(room.next.slice(0, shown)));
  const waiting = el("div", "waiting");
  waiting.append(el("span", "caption", "Đang chờ"), el("b", "waiting-count", room.waiting_count));
  if (room.expected_wait_minutes > 0) {
    waiting.append(el("span", "expected-wait", `khoảng ${room.expected_wait_minutes} phút`));
  }
  foot.append(next, waiting);
  return foot;
}

function servingBox(className, caption, serving) {
  const box = el("div", className);
  box.append(
    el("span", "caption", caption),
    el("span", "serving-number", serving ? serving.display_number : "—"),
    el("span", "serving-name", serving ? serving.masked_name || "" : "Chưa gọi số"),
  );
  return box;
}

function roomCard(room) {
  const card = el("article", room.serving ? "room" : "room idle");
  card.dataset.code = room.code;
  const head = el("header", "room-head");
  head.append(el("span", "room-label", roomTitle(room.room_label, room.name)));
  if (room.floor) head.append(el("span", "room-floor", room.floor));
  card.append(
    head,
    el("div", "room-name", room.room_label ? room.name : ""),
    servingBox("serving", "Đang phục vụ", room.serving),
    footer("footer", "room-foot", room, room.next.length),
  );
  return card;
}

function callItem(call, first) {
  const item = el("li", first ? "call latest" : "call");
  item.dataset.eventId = call.event_id;
  item.append(
    el("span", "call-number", call.display_number),
    el("span", "call-room", `→ ${roomTitle(call.room_label, call.room_name)}`),
    el("span", "call-name", call.masked_name || ""),
  );
  if (call.kind === "recalled") item.append(el("span", "call-again", "Gọi lại"));
  return item;
}

function gridShape(count) {
  const cols = count <= 1 ? 1 : count <= 4 ? 2 : count <= 9 ? 3 : 4;
  return [cols, Math.max(1, Math.ceil(count / cols))];
}

function renderRooms(rooms) {
  const grid = document.getElementById("rooms");
  const [cols, rows] = gridShape(rooms.length);
  grid.style.setProperty("--cols", cols);
  grid.style.setProperty("--rows", rows);
  if (rooms.length === 0) grid.replaceChildren(el("p", "empty", "Khu này chưa có phòng nào mở."));
  else grid.replaceChildren(...rooms.map(roomCard));
  fitNumbers(grid);
}

function renderCalls(flashLatest) {
  const list = document.getElementById("recent-calls");
  list.replaceChildren(...state.recent_calls.map((call, i) => callItem(call, i === 0)));
  fitNumbers(list);
  if (flashLatest && list.firstElementChild) flash(list.firstElementChild);
}

function renderDoor(room) {
  const main = document.getElementById("door");
  main.classList.toggle("idle", !room.serving);
  main.querySelector(".door-serving").replaceWith(servingBox("door-serving", "Mời số", room.serving));
  main.querySelector(".door-foot").replaceWith(footer("div", "door-foot", room, DOOR_NEXT_SHOWN));
  fitNumbers(main);
}

// Sizes are set for Noto Sans; a TV whose fonts are wider would cut a number off, so a
// number that overflows its box is shrunk until it fits.
function fitNumbers(root = document) {
  for (const node of root.querySelectorAll(".serving-number, .call.latest .call-number")) {
    node.style.fontSize = "";
    if (node.scrollWidth > node.clientWidth) {
      const size = parseFloat(getComputedStyle(node).fontSize);
      node.style.fontSize = `${Math.floor((size * node.clientWidth) / node.scrollWidth)}px`;
    }
  }
}

function flash(node) {
  // Restarting the animation needs a reflow between removing and adding the class.
  node.classList.remove("flash");
  void node.offsetWidth;
  node.classList.add("flash");
  setTimeout(() => node.classList.remove("flash"), FLASH_MS);
}

function show(fresh) {
  state = fresh;
  lastEventId = fresh.last_event_id;
  stateEventId = fresh.last_event_id;
  if (IS_BOARD) {
    renderRooms(fresh.rooms);
    renderCalls(false);
  } else {
    renderDoor(fresh.room);
  }
}

// --- live updates ---

const isCall = (event) => event.kind === "called" || event.kind === "recalled";

// Events arrive in commit order, which is not always id order (ids are taken at insert on
// PostgreSQL): remember which ids were shown instead of skipping every id below the largest.
const shownIds = new Set();

function apply(event) {
  // A replayed event may already be in a state loaded meanwhile: show it once, but it may
  // still need speaking (the snapshot carries no spoken text).
  if (!shownIds.has(event.event_id) && event.event_id > stateEventId) {
    shownIds.add(event.event_id);
    if (shownIds.size > 2000) shownIds.delete(shownIds.values().next().value);
    lastEventId = Math.max(lastEventId, event.event_id);
    if (IS_BOARD) applyToBoard(event);
    else applyToDoor(event);
  }
  if (IS_BOARD && isCall(event)) announce(event);
}

function applyToBoard(event) {
  const index = state.rooms.findIndex((r) => r.code === event.service_point_code);
  if (index < 0) {
    refresh(); // a room opened after the page loaded: take the whole new state
    return;
  }
  state.rooms[index] = event.room;
  const card = roomCard(event.room);
  document.querySelector(`.room[data-code="${CSS.escape(event.room.code)}"]`)?.replaceWith(card);
  fitNumbers(card);
  if (!isCall(event)) return;
  flash(card);
  const call = {};
  for (const key of ["event_id", "kind", "display_number", "masked_name", "room_label",
    "room_name", "service_point_code", "at"]) call[key] = event[key];
  state.recent_calls = [call, ...state.recent_calls].slice(0, RECENT_SHOWN);
  renderCalls(true);
}

function applyToDoor(event) {
  state.room = event.room;
  renderDoor(event.room);
  if (isCall(event)) flash(document.querySelector("#door .door-serving"));
}

async function fetchState() {
  const response = await fetch(page.stateUrl, { cache: "no-store" });
  if (!response.ok) throw new Error(`state ${response.status}`);
  const date = Date.parse(response.headers.get("Date") || "");
  if (!Number.isNaN(date)) serverOffsetMs = date + 500 - Date.now(); // Date has 1 s steps
  return response.json();
}

let refreshing = null;
// The whole state again: after a reconnect, on resync, and every minute (`periodic`): a
// skipped patient returns to the queue by the clock, with no event, and a stream that died
// silently shows up as a gap between the state and the events received.
function refresh({ periodic = false, resync = false } = {}) {
  refreshing ??= fetchState()
    .then((fresh) => {
      if (periodic && fresh.last_event_id > lastEventId) reopen(); // replays the gap
      // A snapshot older than events already shown would step the board back (a resync
      // is always taken: the event log itself may have been reset).
      if (resync || fresh.last_event_id >= lastEventId) show(fresh);
    })
    .catch(() => {
      setConnection("lost");
      lostSince ??= Date.now();
      if (periodic) reopen();
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

let source = null;
let lostSince = null;
let reopenTimer = null;

function connect() {
  // The first connection resumes from the rendered state; EventSource's own reconnects send
  // Last-Event-ID, and the server replays what was missed from the database.
  source = new EventSource(`${page.eventsUrl}?last_event_id=${lastEventId}`);
  source.onopen = () => {
    setConnection("ok");
    if (lostSince !== null) {
      lostSince = null;
      refresh();
    }
  };
  source.addEventListener("queue", (message) => apply(JSON.parse(message.data)));
  source.addEventListener("resync", () => refresh({ resync: true }));
  source.onerror = () => {
    setConnection("lost");
    lostSince ??= Date.now();
    // The browser retries by itself after a network error; it gives up after an HTTP error
    // (a restarting server or proxy answering 502), so then we reopen the stream ourselves.
    if (source.readyState === EventSource.CLOSED) {
      clearTimeout(reopenTimer);
      reopenTimer = setTimeout(reopen, REOPEN_MS);
    }
  };
}

function reopen() {
  source?.close();
  connect();
}

const CONNECTION_TEXT = {
  ok: "● Trực tuyến",
  lost: "Mất kết nối — đang kết nối lại…",
  connecting: "Đang kết nối…",
};

function setConnection(status) {
  const badge = document.getElementById("connection");
  badge.dataset.state = status;
  badge.textContent = CONNECTION_TEXT[status];
  document.body.classList.toggle("offline", status === "lost");
}

// --- spoken calls ---

const sound = { context: null };

function soundReady() {
  return sound.context?.state === "running" && "speechSynthesis" in window;
}

function setUpSound() {
  if (!IS_BOARD || MUTED || page.speaker !== "yes" || !window.AudioContext) return;
  // Browsers start audio only after a tap, unless the TV's browser is started with
  // --autoplay-policy=no-user-gesture-required; without it, offer a one-time tap.
  sound.context = new AudioContext();
  const button = document.getElementById("sound-on");
  const update = () => { button.hidden = sound.context.state === "running"; };
  sound.context.onstatechange = update;
  button.addEventListener("click", () => {
    sound.context.resume();
    if ("speechSynthesis" in window) speechSynthesis.speak(new SpeechSynthesisUtterance(" "));
  });
  update();
}

function tooOld(event) {
  return Date.now() + serverOffsetMs - Date.parse(event.at) > ANNOUNCE_MAX_AGE_MS;
}

let speaking = Promise.resolve();

function announce(event) {
  if (heard.has(event.event_id) || !event.announce_vi) return;
  heard.add(event.event_id);
  if (heard.size > 2000) heard.delete(heard.values().next().value); // oldest first
  // A board that cannot make a sound must not claim: another board in the area should speak.
  if (!soundReady() || tooOld(event)) return;
  const claim = claimAnnouncement(event.event_id); // claim now, speak in arrival order
  speaking = speaking
    .then(() => claim)
    .then(async (mine) => {
      if (!mine) return;
      await chime();
      await speak(event.announce_vi);
    })
    .catch(() => {});
}

async function claimAnnouncement(eventId) {
  const response = await fetch(`/api/display/announcements/${eventId}/claim`, {
    method: "POST",
    headers: { "X-CSRF-Token": CSRF },
  });
  return response.ok && (await response.json()).announce === true;
}

function chime() {
  // Two soft tones ("ding-dong") so heads turn before the words.
  const ctx = sound.context;
  const start = ctx.currentTime + 0.05;
  [[880, 0], [660, 0.45]].forEach(([hz, offset]) => {
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    tone.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.8);
    tone.connect(gain).connect(ctx.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.85);
  });
  return new Promise((resolve) => setTimeout(resolve, 1400));
}

function speak(text) {
  return new Promise((resolve) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "vi-VN";
    utterance.rate = 0.9;
    const voice = speechSynthesis.getVoices().find((v) => /^vi\b|^vi[-_]/i.test(v.lang));
    if (voice) utterance.voice = voice;
    // Some engines never end an utterance (no voice installed): never block the queue.
    const guard = setTimeout(done, 15000);
    function done() {
      clearTimeout(guard);
      resolve();
    }
    utterance.onend = done;
    utterance.onerror = done;
    speechSynthesis.speak(utterance);
  });
}

// --- clock ---

const clockTime = new Intl.DateTimeFormat("vi-VN", {
  hour: "2-digit", minute: "2-digit", hour12: false, timeZone: TZ,
});
const clockDate = new Intl.DateTimeFormat("vi-VN", {
  weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: TZ,
});
let shownDay = null;

function tick() {
  const now = new Date(Date.now() + serverOffsetMs);
  document.getElementById("clock-time").textContent = clockTime.format(now);
  const day = clockDate.format(now);
  document.getElementById("clock-date").textContent = day;
  if (shownDay !== null && day !== shownDay) refresh(); // a new day: yesterday's calls go
  shownDay = day;
}

setUpSound();
fitNumbers();
document.fonts?.ready.then(() => fitNumbers());
window.addEventListener("resize", () => fitNumbers());
tick();
setInterval(tick, 1000);
setInterval(() => refresh({ periodic: true }), REFRESH_MS);
connect();
refresh(); // learns the server's clock at once (for the clock and the age of calls)
