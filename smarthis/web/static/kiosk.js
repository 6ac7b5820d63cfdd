// Kiosk: the patient's own touch screen in the hospital lobby. Plain JS, no external
// resources (closed network). Every word on the screen comes from WORDS below.
//
// Touches after identification (at most four):
//   1. a specialty, or today's follow-up         required (a follow-up booked for today is
//                                                already chosen: one touch less)
//   2. a priority (pregnant, disability, merit) optional
//   3. "Lấy số"                                 required
//   4. "In phiếu (PDF)" or "Xong"               optional: the PDF only when the kiosk has no
//                                                printer; the ticket screen goes home by
//                                                itself after 30 seconds
// So two touches give a ticket, four at the very most.
//
// Identification, three ways:
// - CCCD QR: a keyboard-wedge scanner "types" the QR text very fast, then Enter. A global
//   listener collects it wherever the focus is (see the scanner section).
// - Chip card: the reader's bridge program (a local service or the kiosk shell) calls
//     window.smartKiosk.chipCard({id_card, full_name, date_of_birth, gender, ...})
//   with the JSON the reader gives (an object or its JSON text); it is posted as {chip: json}
//   and the screen continues exactly as after a QR scan. It returns a promise.
// - VNeID number on the on-screen keypad; the first visit also asks name, birth date, sex.
"use strict";

const WORDS = {
  vi: {
    homeTitle: "Xin chào! Bạn cần làm gì?",
    homeRegister: "Đăng ký khám bệnh",
    homeRegisterHint: "Quét CCCD, thẻ chip hoặc VNeID",
    homeNumber: "Lấy số thứ tự",
    homeNumberHint: "Thu ngân, nhận thuốc, tiếp đón, thông tin",
    homeResultsHint: "Quét phiếu số thứ tự hoặc CCCD",
    resultsTitle: "Tra cứu kết quả xét nghiệm, chẩn đoán hình ảnh",
    resultsScanTicket: "Đưa mã QR trên phiếu số thứ tự vào máy quét",
    resultsScanCccd: "Hoặc quét mã QR trên thẻ CCCD, rồi nhập ngày sinh",
    resultsDobTitle: "Nhập ngày sinh",
    resultsDobLead: "Để bảo vệ thông tin của bạn: ngày, tháng, năm sinh (ví dụ 02071975)",
    resultsShow: "Xem kết quả",
    resultsOf: "Kết quả của",
    resultsVerifiedNote: "Chỉ hiển thị kết quả đã được bác sĩ, kỹ thuật viên duyệt.",
    resultsNone: "Chưa có kết quả đã duyệt. Vui lòng quay lại sau hoặc hỏi bác sĩ điều trị.",
    resultsPrint: "In kết quả",
    resultsTest: "Xét nghiệm",
    resultsValue: "Kết quả",
    resultsRange: "Bình thường trong khoảng",
    resultsFlag: "Đánh giá",
    resultsFindings: "Mô tả",
    resultsConclusion: "Kết luận",
    flag_normal: "Bình thường",
    flag_low: "Thấp",
    flag_high: "Cao",
    flag_critical_low: "Thấp",
    flag_critical_high: "Cao",
    homeResults: "Tra cứu kết quả",
    homePayment: "Thanh toán viện phí",
    atCounter: "Hiện làm tại quầy",
    homeScanTip: "Có thể quét ngay mã QR trên CCCD để đăng ký khám",
    resultsMessage:
      "Tra cứu kết quả hiện thực hiện tại quầy tiếp đón hoặc Khoa Xét nghiệm. " +
      "Vui lòng mang theo CCCD hoặc phiếu hẹn.",
    paymentMessage:
      "Thanh toán ngay tại đây bằng ứng dụng ngân hàng (VietQR). Tiền mặt, thẻ được " +
      "thanh toán tại quầy thu ngân: bạn có thể lấy số thứ tự Thu ngân ngay tại đây.",
    paymentTakeNumber: "Lấy số Thu ngân",
    understood: "Đã hiểu",
    identifyTitle: "Đăng ký khám bệnh",
    identifyQr: "Đưa mã QR trên thẻ CCCD vào máy quét",
    identifyChip: "Hoặc đặt thẻ CCCD gắn chip lên đầu đọc thẻ",
    identifyWaiting: "Đang chờ quét thẻ…",
    identifyVneid: "Không mang thẻ? Nhập số định danh VNeID",
    vneidTitle: "Nhập số định danh cá nhân",
    vneidLead: "12 chữ số, in trên thẻ CCCD hoặc trong ứng dụng VNeID",
    detailsTitle: "Lần đầu khám tại bệnh viện",
    detailsLead: "Vui lòng nhập họ tên, ngày sinh và giới tính",
    fullName: "Họ và tên",
    birthDate: "Ngày sinh (ngày / tháng / năm)",
    sex: "Giới tính",
    male: "Nam",
    female: "Nữ",
    back: "Quay lại",
    backHome: "Về màn hình chính",
    cancel: "Hủy",
    continue: "Tiếp tục",
    clear: "Xóa hết",
    backspace: "← Xóa",
    hello: "Xin chào",
    age: (n) => `, ${n} tuổi`,
    coverage: (p) => `Mức hưởng ${p}%`,
    validTo: (d) => `hạn thẻ đến ${d}`,
    chooseSpecialty: "Chọn chuyên khoa khám",
    appointmentTitle: "Tái khám theo lịch hẹn hôm nay",
    appointmentDetail: (specialty, doctor) => [specialty, doctor && `BS ${doctor}`].filter(Boolean).join(" · "),
    appointmentOthers: "Hoặc chọn chuyên khoa khác:",
    chooseService: "Chọn dịch vụ cần lấy số",
    noChoices: "Hiện chưa có phòng mở — vui lòng đến quầy tiếp đón",
    waitAbout: (m) => (m > 0 ? `Chờ khoảng ${m} phút` : "Không phải chờ"),
    waitingCount: (n) => (n > 0 ? `${n} người đang chờ` : ""),
    priorityTitle: "Đối tượng ưu tiên (nếu có)",
    pregnant: "Phụ nữ có thai",
    disability: "Người khuyết tật",
    revolutionary_merit: "Người có công với cách mạng",
    elderly_75: "Người từ 75 tuổi",
    child_under_6: "Trẻ em dưới 6 tuổi",
    priorityAuto: "Người từ 75 tuổi và trẻ dưới 6 tuổi được ưu tiên tự động",
    take: "Lấy số",
    yourNumber: "Số thứ tự của bạn",
    goTo: "Mời đến:",
    room: (label) => (/^\d+$/.test(label) ? `Phòng ${label}` : label),
    floor: (floor) => floor,
    expectedWait: (m) =>
      m > 0 ? `Thời gian chờ dự kiến: khoảng ${m} phút` : "Thời gian chờ dự kiến: sắp đến lượt",
    insurance: (text) => text,
    priorityLine: (name) => `Ưu tiên: ${name}`,
    printed: null, // the server's own words (print.message_vi)
    notPrinted: null,
    printPdf: "In phiếu (PDF)",
    printNow: "In",
    close: "Đóng",
    done: "Xong",
    countdown: (s) => `Tự động về màn hình chính sau ${s} giây`,
    busy: "Đang xử lý, vui lòng chờ…",
    errorTitle: "Chưa thực hiện được",
    retry: "Thử lại",
    offline: "Mất kết nối, vui lòng thử lại hoặc đến quầy tiếp đón",
    serverBusy: "Hệ thống đang bận, vui lòng thử lại hoặc đến quầy tiếp đón",
    notActivated: "Kiosk chưa được kích hoạt — vui lòng báo nhân viên",
    dateInvalid: "Ngày sinh chưa đúng, vui lòng nhập lại (ngày / tháng / năm)",
    chipInvalid: "Không đọc được thẻ chip, vui lòng đặt lại thẻ lên đầu đọc",
  },
  en: {
    homeTitle: "Welcome! What do you need?",
    homeRegister: "Register for examination",
    homeRegisterHint: "Scan your ID card, chip card or VNeID",
    homeNumber: "Take a number",
    homeNumberHint: "Cashier, pharmacy, reception, information",
    homeResultsHint: "Scan your ticket or ID card",
    resultsTitle: "Look up test and imaging results",
    resultsScanTicket: "Hold the QR code on your queue ticket under the scanner",
    resultsScanCccd: "Or scan the QR code on your ID card (CCCD), then enter your date of birth",
    resultsDobTitle: "Enter your date of birth",
    resultsDobLead: "To protect your information: day, month, year (for example 02071975)",
    resultsShow: "Show results",
    resultsOf: "Results of",
    resultsVerifiedNote: "Only results checked and approved by the hospital are shown.",
    resultsNone: "No approved results yet. Please come back later or ask your doctor.",
    resultsPrint: "Print results",
    resultsTest: "Test",
    resultsValue: "Result",
    resultsRange: "Normal range",
    resultsFlag: "Assessment",
    resultsFindings: "Findings",
    resultsConclusion: "Conclusion",
    flag_normal: "Normal",
    flag_low: "Low",
    flag_high: "High",
    flag_critical_low: "Low",
    flag_critical_high: "High",
    homeResults: "Test results",
    homePayment: "Pay hospital fees",
    atCounter: "At the counter for now",
    homeScanTip: "You can scan the QR code on your ID card right now to register",
    resultsMessage:
      "Test results are available at the reception desk or the Laboratory for now. " +
      "Please bring your ID card or appointment slip.",
    paymentMessage:
      "Pay here with your banking app (VietQR). Cash and cards are paid at the cashier " +
      "counter: you can take a cashier number here.",
    paymentTakeNumber: "Take a cashier number",
    understood: "OK",
    identifyTitle: "Register for examination",
    identifyQr: "Hold the QR code on your ID card (CCCD) under the scanner",
    identifyChip: "Or place your chip ID card on the card reader",
    identifyWaiting: "Waiting for your card…",
    identifyVneid: "No card? Enter your VNeID number",
    vneidTitle: "Enter your personal ID number",
    vneidLead: "12 digits, printed on your ID card or shown in the VNeID app",
    detailsTitle: "First visit to this hospital",
    detailsLead: "Please enter your full name, date of birth and sex",
    fullName: "Full name",
    birthDate: "Date of birth (day / month / year)",
    sex: "Sex",
    male: "Male",
    female: "Female",
    back: "Back",
    backHome: "Back to start",
    cancel: "Cancel",
    continue: "Continue",
    clear: "Clear",
    backspace: "← Delete",
    hello: "Hello",
    age: (n) => `, ${n} years old`,
    coverage: (p) => `Insurance pays ${p}%`,
    validTo: (d) => `card valid until ${d}`,
    chooseSpecialty: "Choose a specialty",
    appointmentTitle: "Today's follow-up appointment",
    appointmentDetail: (specialty, doctor) => [specialty, doctor && `Dr ${doctor}`].filter(Boolean).join(" · "),
    appointmentOthers: "Or choose another specialty:",
    chooseService: "Choose a service",
    noChoices: "No room is open right now — please go to the reception desk",
    waitAbout: (m) => (m > 0 ? `About ${m} min wait` : "No wait"),
    waitingCount: (n) => (n > 0 ? `${n} waiting` : ""),
    priorityTitle: "Priority (if it applies to you)",
    pregnant: "Pregnant woman",
    disability: "Person with a disability",
    revolutionary_merit: "Person with revolutionary merit",
    elderly_75: "Aged 75 or over",
    child_under_6: "Child under 6",
    priorityAuto: "People aged 75 or over and children under 6 get priority automatically",
    take: "Get my number",
    yourNumber: "Your number",
    goTo: "Please go to:",
    room: (label) => (/^\d+$/.test(label) ? `Room ${label}` : label),
    floor: (floor) => floor.replace(/^Tầng\s*/i, "Floor "),
    expectedWait: (m) => (m > 0 ? `Expected wait: about ${m} minutes` : "Expected wait: almost your turn"),
    insurance: (text) => `Insurance: ${text}`,
    priorityLine: (name) => `Priority: ${name}`,
    printed: "Your ticket has been printed — please take it",
    notPrinted: "The ticket was not printed — please remember your number or print it as a PDF",
    printPdf: "Print ticket (PDF)",
    printNow: "Print",
    close: "Close",
    done: "Done",
    countdown: (s) => `Returning to the start screen in ${s} seconds`,
    busy: "Working on it, please wait…",
    errorTitle: "That did not work",
    retry: "Try again",
    offline: "Connection lost — please try again or go to the reception desk",
    serverBusy: "The system is busy — please try again or go to the reception desk",
    notActivated: "This kiosk is not activated — please tell a staff member",
    dateInvalid: "That date of birth is not valid — please enter day / month / year",
    chipInvalid: "The chip card could not be read — please place it on the reader again",
  },
};

const TICKET_SECONDS = 30; // the ticket screen goes home by itself
const IDLE_SECONDS = 90; // any other screen: a patient who walked away leaves nothing shown
const REQUEST_TIMEOUT_MS = 20000; // identification waits up to 3 s for the insurance portal
const SCAN_GAP_MS = 300; // a scanner types much faster; a longer pause starts a new scan
const VNEID_DIGITS = 12;

const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const sink = $("#scan-sink");

const state = {
  lang: "vi",
  screen: "home",
  mode: "register", // "register": examination after identification; "number": take a number
  patient: null,
  insurance: null,
  appointment: null, // today's follow-up, booked at an earlier visit
  choices: null,
  selected: null,
  priority: null,
  key: null,
  inFlight: false,
  ticket: null,
  print: null,
  vneid: "",
  dob: "",
  sex: null,
  resultsQr: null, // the CCCD QR text waiting for its birth date
  resultsDob: "",
  results: null, // the last lookup's answer, and the request that gave it (for printing)
  resultsBody: null,
  pdfUrl: null,
  lastTouch: Date.now(),
};

function t(key, ...args) {
  const value = WORDS[state.lang][key] ?? WORDS.vi[key];
  return typeof value === "function" ? value(...args) : value;
}

// --- talking to the server ----------------------------------------------------------

class KioskError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "";
    this.messageEn = error.message_en || "";
  }
}

async function api(method, url, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (_error) {
    throw new KioskError(0, { code: "offline" });
  } finally {
    clearTimeout(timer);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new KioskError(response.status, data.error || {});
  return data;
}

function errorText(error) {
  if (!(error instanceof KioskError) || error.code === "offline") return t("offline");
  if (error.status === 401 || error.status === 403) return t("notActivated");
  if (error.status >= 500) return t("serverBusy");
  return state.lang === "en" && error.messageEn ? error.messageEn : error.message;
}

// crypto.randomUUID exists only on https or localhost; getRandomValues works on plain http.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "k-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// One request at a time; the busy veil appears only when the answer is slow.
async function busyWhile(work) {
  state.inFlight = true;
  const veil = setTimeout(() => { $("#busy").hidden = false; }, 250);
  try {
    return await work();
  } finally {
    clearTimeout(veil);
    $("#busy").hidden = true;
    state.inFlight = false;
  }
}

// --- screens, language, dialogs -----------------------------------------------------

function show(screen) {
  state.screen = screen;
  for (const section of $$(".k-screen")) section.hidden = section.id !== `screen-${screen}`;
  state.lastTouch = Date.now();
  window.scrollTo(0, 0);
  keepScannerFocus();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const el of $$("[data-t]")) el.textContent = t(el.dataset.t);
  for (const button of $$(".k-lang-btn")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  renderChoose();
  renderTicket();
  renderResults();
}

function setLanguage(lang) {
  state.lang = lang;
  applyLanguage();
}

// buttons: [{label, primary, action}]
function openDialog(title, message, buttons, tone = "") {
  $("#dialog-title").textContent = title;
  $("#dialog-message").textContent = message;
  $("#dialog").dataset.tone = tone;
  const row = $("#dialog-buttons");
  row.replaceChildren();
  for (const spec of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `k-btn ${spec.primary ? "k-primary" : "k-ghost"}`;
    button.textContent = spec.label;
    button.addEventListener("click", () => {
      closeDialog();
      spec.action?.();
    });
    row.append(button);
  }
  $("#dialog").hidden = false;
}

function closeDialog() {
  $("#dialog").hidden = true;
}

function showError(error, retry) {
  const buttons = [];
  if (retry) buttons.push({ label: t("retry"), primary: true, action: retry });
  buttons.push({ label: t("backHome"), primary: !retry, action: goHome });
  openDialog(t("errorTitle"), errorText(error), buttons, "error");
}

function goHome() {
  closeDialog();
  closePdf();
  Object.assign(state, {
    patient: null, insurance: null, appointment: null, choices: null, selected: null, priority: null,
    key: null, ticket: null, print: null, vneid: "", dob: "", sex: null,
    resultsQr: null, resultsDob: "", results: null, resultsBody: null,
  });
  $("#results-list").replaceChildren();
  $("#details-name").value = "";
  renderDigits();
  renderDetails();
  // The next person starts in Vietnamese.
  if (state.lang !== "vi") setLanguage("vi");
  show("home");
}

// --- the keyboard-wedge scanner -----------------------------------------------------
// Characters are collected from keydown (focus on a button or the page) and from input
// events (focus in an editable element: scanners and test drivers send letters such as
// "ễ" as text, without a keydown). Enter submits when the burst contains '|', which a CCCD
// QR always has and a typed name never does.

const scan = { buffer: "", last: 0 };

function isEditable(el) {
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable);
}

function collect(chars) {
  const now = performance.now();
  if (now - scan.last > SCAN_GAP_MS) scan.buffer = "";
  scan.last = now;
  scan.buffer = (scan.buffer + chars).slice(-1000);
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    const fresh = performance.now() - scan.last <= SCAN_GAP_MS;
    const text = scan.buffer;
    scan.buffer = "";
    if (event.target === sink) {
      event.preventDefault();
      sink.value = "";
    }
    if (fresh && (text.includes("|") || text.includes("/t/"))) {
      event.preventDefault(); // never "click" the focused button with the scanner's Enter
      const field = event.target;
      if (isEditable(field) && field !== sink && field.value.endsWith(text)) {
        field.value = field.value.slice(0, -text.length);
      }
      onScan(text.trim());
    }
    return;
  }
  if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey &&
      !isEditable(event.target)) {
    collect(event.key);
  }
}, true);

document.addEventListener("input", (event) => {
  if (event.data && event.inputType && event.inputType.startsWith("insert")) collect(event.data);
  if (event.target === sink && sink.value.length > 2000) sink.value = "";
}, true);

// Keep the sink focused unless the patient is typing into a real field.
function keepScannerFocus() {
  const active = document.activeElement;
  // A field on a screen just hidden keeps the focus unless it is taken back.
  if (isEditable(active) && active !== sink && active.offsetParent !== null) return;
  sink.focus({ preventScroll: true });
}

sink.addEventListener("blur", () => setTimeout(keepScannerFocus, 0));
document.addEventListener("click", () => setTimeout(keepScannerFocus, 0));
window.addEventListener("focus", keepScannerFocus);

// A ticket's QR (its URL holds "/t/") looks up results from any screen; a CCCD QR on the
// results screens asks for the birth date; anywhere else it registers.
function onScan(text) {
  if (window.kioskPay && window.kioskPay.onScan(text)) return; // the pay screens (kiosk-pay.js)
  if (text.includes("/t/") && !text.includes("|")) {
    lookUpResults({ ticket_token: text });
    return;
  }
  if (state.screen === "results-scan" || state.screen === "results-dob") {
    closeDialog();
    state.resultsQr = text;
    state.resultsDob = "";
    renderResultsDob();
    show("results-dob");
    return;
  }
  identify({ qr_text: text });
}

// --- identification -----------------------------------------------------------------

async function identify(body) {
  if (state.inFlight) return;
  closeDialog();
  try {
    const result = await busyWhile(() => api("POST", "/api/kiosk/identify", body));
    state.patient = result.patient;
    state.insurance = result.insurance;
    state.appointment = result.appointment;
    await openChoose("register");
  } catch (error) {
    if (error.code === "patient_not_found_need_details" && body.vneid_number) {
      show("details");
      return;
    }
    const fromScan = body.qr_text !== undefined || body.chip !== undefined;
    // A card read again is the natural retry for a scan; a typed number is resent as is.
    showError(error, fromScan ? () => show("identify") : () => identify(body));
  }
}

function chipCard(json) {
  let payload = json;
  if (typeof json === "string") {
    try {
      payload = JSON.parse(json);
    } catch (_error) {
      openDialog(t("errorTitle"), t("chipInvalid"), [{ label: t("understood"), primary: true }], "error");
      return Promise.resolve();
    }
  }
  if (!payload || typeof payload !== "object") {
    openDialog(t("errorTitle"), t("chipInvalid"), [{ label: t("understood"), primary: true }], "error");
    return Promise.resolve();
  }
  return identify({ chip: payload });
}

window.smartKiosk = { chipCard };

// --- the on-screen keypad (VNeID number, birth date) ---------------------------------

function buildKeypad(container, onKey) {
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "backspace"];
  for (const key of keys) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "k-key";
    if (/\d/.test(key)) {
      button.textContent = key;
    } else {
      button.dataset.t = key;
      button.classList.add("k-key-word");
    }
    button.addEventListener("click", () => onKey(key));
    container.append(button);
  }
}

function edit(value, key, max) {
  if (key === "clear") return "";
  if (key === "backspace") return value.slice(0, -1);
  return value.length < max ? value + key : value;
}

function renderDigits() {
  const display = $("#vneid-display");
  display.replaceChildren();
  for (let i = 0; i < VNEID_DIGITS; i += 1) {
    const box = document.createElement("span");
    box.className = "k-digit" + (i === state.vneid.length ? " k-cursor" : "");
    box.textContent = state.vneid[i] || "";
    display.append(box);
  }
  $("#vneid-next").disabled = state.vneid.length !== VNEID_DIGITS;
}

function birthDate(digits = state.dob) {
  if (digits.length !== 8) return null;
  const day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  const year = Number(digits.slice(4));
  const when = new Date(Date.UTC(year, month - 1, day));
  const valid = when.getUTCFullYear() === year && when.getUTCMonth() === month - 1 &&
    when.getUTCDate() === day && year >= 1900 && when <= new Date();
  return valid ? `${digits.slice(4)}-${digits.slice(2, 4)}-${digits.slice(0, 2)}` : null;
}

function renderDetails() {
  const d = state.dob.padEnd(8, "_");
  $("#details-dob").textContent = `${d.slice(0, 2)} / ${d.slice(2, 4)} / ${d.slice(4)}`;
  for (const button of $$("[data-sex]")) {
    button.setAttribute("aria-pressed", String(button.dataset.sex === state.sex));
  }
  const nameOk = $("#details-name").value.trim().length >= 2;
  $("#details-next").disabled = !(nameOk && state.dob.length === 8 && state.sex);
}

// --- choosing a specialty or a service ----------------------------------------------

async function openChoose(mode, preselectKind = null) {
  const choices = await busyWhile(() => api("GET", "/api/kiosk/choices"));
  state.mode = mode;
  state.choices = choices;
  state.selected = null;
  state.priority = null;
  // One key per attempt: a double tap or "Thử lại" after a lost answer sends the same key,
  // so the server gives back the same visit and ticket.
  state.key = newKey();
  if (preselectKind) {
    state.selected = choices.services.find((c) => c.kind === preselectKind) || null;
  } else if (mode === "register" && state.appointment) {
    state.selected = appointmentChoice(); // confirming it is then a single touch on "Lấy số"
  }
  renderChoose();
  show("choose");
}

async function openTakeNumber(preselectKind = null) {
  if (state.inFlight) return;
  try {
    state.patient = null;
    state.insurance = null;
    state.appointment = null;
    await openChoose("number", preselectKind);
  } catch (error) {
    showError(error, () => openTakeNumber(preselectKind));
  }
}

const INSURANCE_TONE = {
  verified: "good",
  verified_check_id: "warn",
  not_verified: "warn",
  rejected: "bad",
  no_card: "bad",
};
const INSURANCE_ICON = { good: "✓", warn: "!", bad: "✕" };

function formatDate(iso) {
  return iso ? iso.split("-").reverse().join("/") : "";
}

function renderInsurance() {
  const patient = state.patient;
  const insurance = state.insurance;
  $("#patient-block").hidden = !(state.mode === "register" && patient);
  if (!patient || !insurance) return;
  $("#patient-name").textContent = patient.masked_name;
  $("#patient-age").textContent = patient.age == null ? "" : t("age", patient.age);
  const tone = INSURANCE_TONE[insurance.status] || "warn";
  const box = $("#insurance");
  box.className = `k-insurance k-${tone}`;
  box.dataset.status = insurance.status;
  $("#insurance-icon").textContent = INSURANCE_ICON[tone];
  $("#insurance-message").textContent =
    state.lang === "en" ? insurance.message_en : insurance.message_vi;
  // The portal's own explanation is in Vietnamese only.
  const detail = state.lang === "vi" ? insurance.detail_vi : "";
  $("#insurance-detail").textContent = detail || "";
  $("#insurance-detail").hidden = !detail;
  const coverage = [];
  if (insurance.coverage_percent != null) coverage.push(t("coverage", insurance.coverage_percent));
  if (insurance.valid_to) coverage.push(t("validTo", formatDate(insurance.valid_to)));
  $("#insurance-coverage").textContent = coverage.join(" — ");
  $("#insurance-coverage").hidden = coverage.length === 0;
}

function choiceKey(choice) {
  return `${choice.appointment ? "appointment" : choice.kind}:${choice.specialty || ""}`;
}

function appointmentChoice() {
  const booked = state.appointment;
  return booked && { kind: "examination", specialty: booked.specialty, appointment: true };
}

function choiceButton(choice, title, detail) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = choice.appointment ? "k-choice k-appointment" : "k-choice";
  button.dataset.choice = choiceKey(choice);
  const selected = state.selected && choiceKey(state.selected) === choiceKey(choice);
  button.setAttribute("aria-pressed", String(!!selected));
  const name = document.createElement("strong");
  name.textContent = title;
  const line = document.createElement("span");
  line.className = "k-choice-wait";
  line.textContent = detail;
  button.append(name, line);
  button.addEventListener("click", () => {
    state.selected = choice;
    renderChoose();
  });
  return button;
}

function renderChoose() {
  if (!state.choices) return;
  renderInsurance();
  const register = state.mode === "register";
  $("#choose-title").textContent = t(register ? "chooseSpecialty" : "chooseService");
  const list = register ? state.choices.specialties : state.choices.services;
  const grid = $("#choices");
  grid.replaceChildren();
  const booked = register && state.appointment;
  if (booked) {
    grid.append(
      choiceButton(appointmentChoice(), t("appointmentTitle"),
        t("appointmentDetail", booked.specialty, booked.doctor_name)),
    );
    const others = document.createElement("p");
    others.className = "k-choices-others";
    others.textContent = t("appointmentOthers");
    grid.append(others);
  }
  for (const choice of list) {
    const detail = [t("waitAbout", choice.expected_wait_minutes), t("waitingCount", choice.waiting)]
      .filter(Boolean).join(" · ");
    grid.append(choiceButton(choice, state.lang === "en" ? choice.name_en : choice.name_vi, detail));
  }
  $("#choices-empty").hidden = list.length > 0;
  $("#choices-empty").textContent = t("noChoices");
  for (const button of $$("[data-priority]")) {
    button.setAttribute("aria-pressed", String(button.dataset.priority === state.priority));
  }
  $("#take").disabled = !state.selected || state.inFlight;
}

async function take() {
  if (state.inFlight || !state.selected) return;
  const button = $("#take");
  button.disabled = true; // at once: a second tap in the same instant finds it disabled
  const choice = state.selected;
  const body = { idempotency_key: state.key };
  if (state.priority) body.priority = state.priority;
  try {
    const result = await busyWhile(() => {
      if (state.mode === "register") {
        const what = choice.appointment ? { appointment: true } : { specialty: choice.specialty };
        return api("POST", "/api/kiosk/register", { ...body, patient_id: state.patient.id, ...what });
      }
      return api("POST", "/api/kiosk/take-number", { ...body, kind: choice.kind });
    });
    const ticket = state.mode === "register" ? result.ticket : result;
    showTicket(ticket, result.print);
  } catch (error) {
    showError(error, take);
  } finally {
    button.disabled = !state.selected || state.inFlight;
  }
}

// --- the ticket ---------------------------------------------------------------------

let countdown = null;

function showTicket(ticket, print) {
  state.ticket = ticket;
  state.print = print;
  renderTicket();
  show("ticket");
  startCountdown();
}

function renderTicket() {
  const ticket = state.ticket;
  if (!ticket) return;
  $("#ticket-number").textContent = ticket.display_number;
  const place = [ticket.room_label ? t("room", ticket.room_label) : ticket.service_point_name];
  if (ticket.floor) place.push(t("floor", ticket.floor));
  $("#ticket-place").textContent = place.join(" — ");
  const lines = {
    "#ticket-wait": ticket.expected_wait_minutes == null ? "" : t("expectedWait", ticket.expected_wait_minutes),
    "#ticket-name": [ticket.service_point_name, ticket.masked_name].filter(Boolean).join(" · "),
    "#ticket-insurance": ticket.insurance_status_vi ? t("insurance", ticket.insurance_status_vi) : "",
    "#ticket-priority": ticket.priority_group
      ? t("priorityLine", WORDS[state.lang][ticket.priority_group] || ticket.priority_name_vi || "")
      : "",
  };
  for (const [sel, text] of Object.entries(lines)) {
    $(sel).textContent = text;
    $(sel).hidden = !text;
  }
  const print = state.print || { printed: false, message_vi: "" };
  const box = $("#ticket-print");
  box.className = `k-print ${print.printed ? "k-good" : "k-warn"}`;
  box.dataset.printed = String(print.printed);
  box.textContent = (print.printed ? t("printed") : t("notPrinted")) || print.message_vi;
  $("#ticket-pdf").hidden = print.printed;
}

function renderCountdown(left) {
  $("#ticket-countdown").textContent = t("countdown", left);
}

function startCountdown() {
  stopCountdown();
  const tick = () => {
    if (state.screen !== "ticket") return stopCountdown();
    if (!$("#pdf-view").hidden) state.lastTouch = Date.now(); // reading the PDF
    const left = TICKET_SECONDS - Math.floor((Date.now() - state.lastTouch) / 1000);
    if (left <= 0) return goHome();
    renderCountdown(left);
  };
  tick();
  countdown = setInterval(tick, 1000);
}

function stopCountdown() {
  if (countdown) clearInterval(countdown);
  countdown = null;
}

// --- results ------------------------------------------------------------------------

function renderResultsDob() {
  const d = state.resultsDob.padEnd(8, "_");
  $("#results-dob").textContent = `${d.slice(0, 2)} / ${d.slice(2, 4)} / ${d.slice(4)}`;
  $("#results-dob-next").disabled = state.resultsDob.length !== 8;
}

async function lookUpResults(body) {
  if (state.inFlight) return;
  closeDialog();
  try {
    state.results = await busyWhile(() => api("POST", "/api/kiosk/results", body));
    state.resultsBody = body;
    renderResults();
    show("results");
  } catch (error) {
    const again = body.ticket_token ? () => show("results-scan") : () => show("results-dob");
    showError(error, again);
  }
}

function cell(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text ?? "";
  if (className) node.className = className;
  return node;
}

function renderResults() {
  const found = state.results;
  if (!found) return;
  $("#results-name").textContent = found.masked_name;
  const shown = found.items.filter((item) => item.lab_results.length || item.report);
  const list = $("#results-list");
  list.replaceChildren();
  for (const item of shown) {
    const box = document.createElement("section");
    box.className = "k-result";
    box.append(cell("h2", item.service_name));
    if (item.lab_results.length) {
      const table = document.createElement("table");
      const head = document.createElement("tr");
      for (const key of ["resultsTest", "resultsValue", "resultsRange", "resultsFlag"]) {
        head.append(cell("th", t(key)));
      }
      table.append(head);
      for (const r of item.lab_results) {
        const row = document.createElement("tr");
        row.className = `k-flag-${r.flag.replace("critical_", "")}`;
        row.dataset.analyte = r.analyte_code;
        const value = cell("td", r.value, "k-value");
        value.append(" ", cell("span", r.unit, "k-unit")); // the range repeats the unit
        row.append(cell("td", r.analyte_name_vi), value, cell("td", r.range_text),
          cell("td", t(`flag_${r.flag}`) || r.flag, "k-flag"));
        table.append(row);
      }
      box.append(table);
    }
    if (item.report) {
      const findings = cell("p", "");
      findings.append(cell("strong", `${t("resultsFindings")}: `), item.report.findings);
      const conclusion = cell("p", "");
      conclusion.append(cell("strong", `${t("resultsConclusion")}: `), item.report.conclusion);
      box.append(findings, conclusion);
    }
    list.append(box);
  }
  $("#results-empty").hidden = shown.length > 0;
  $("#results-print").hidden = shown.length === 0;
}

async function printResults() {
  if (state.inFlight || !state.resultsBody) return;
  try {
    const blob = await busyWhile(async () => {
      const response = await fetch("/api/kiosk/results/print.pdf", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(state.resultsBody),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new KioskError(response.status, data.error || {});
      }
      return response.blob();
    });
    closePdf();
    state.pdfUrl = URL.createObjectURL(blob);
    $("#pdf-frame").src = `${state.pdfUrl}#view=Fit&navpanes=0`;
    $("#pdf-view").hidden = false;
  } catch (error) {
    showError(error instanceof KioskError ? error : new KioskError(0, { code: "offline" }), printResults);
  }
}

function openPdf() {
  if (!state.ticket) return;
  const frame = $("#pdf-frame");
  frame.src = `/api/kiosk/tickets/${state.ticket.id}/ticket.pdf#view=Fit&navpanes=0`;
  $("#pdf-view").hidden = false;
}

function closePdf() {
  $("#pdf-view").hidden = true;
  $("#pdf-frame").removeAttribute("src");
  if (state.pdfUrl) URL.revokeObjectURL(state.pdfUrl);
  state.pdfUrl = null;
}

function printPdf() {
  try {
    $("#pdf-frame").contentWindow.print();
  } catch (_error) {
    // The PDF viewer's own print button stays on screen.
  }
}

// --- wiring -------------------------------------------------------------------------

buildKeypad($('[data-keypad="vneid"]'), (key) => {
  state.vneid = edit(state.vneid, key, VNEID_DIGITS);
  renderDigits();
});
buildKeypad($('[data-keypad="results-dob"]'), (key) => {
  state.resultsDob = edit(state.resultsDob, key, 8);
  renderResultsDob();
});
buildKeypad($('[data-keypad="dob"]'), (key) => {
  state.dob = edit(state.dob, key, 8);
  renderDetails();
});

for (const button of $$(".k-lang-btn")) {
  button.addEventListener("click", () => setLanguage(button.dataset.lang));
}
for (const button of $$("[data-home]")) button.addEventListener("click", goHome);

$("#go-register").addEventListener("click", () => show("identify"));
$("#go-number").addEventListener("click", () => openTakeNumber());
$("#go-results").addEventListener("click", () => show("results-scan"));
$("#results-dob-next").addEventListener("click", () => {
  const dob = birthDate(state.resultsDob);
  if (!dob) {
    openDialog(t("errorTitle"), t("dateInvalid"), [{ label: t("understood"), primary: true }], "error");
    return;
  }
  lookUpResults({ qr_text: state.resultsQr, date_of_birth: dob });
});
$("#results-print").addEventListener("click", printResults);
$("#go-payment").addEventListener("click", () => openPaymentChoice()); // kiosk-pay.js

$("#go-vneid").addEventListener("click", () => {
  state.vneid = "";
  renderDigits();
  show("vneid");
});
$("#vneid-back").addEventListener("click", () => show("identify"));
$("#vneid-next").addEventListener("click", () => {
  if (state.vneid.length === VNEID_DIGITS) identify({ vneid_number: state.vneid, vneid_level2: true });
});

$("#details-back").addEventListener("click", () => show("vneid"));
$("#details-name").addEventListener("input", renderDetails);
$("#details-name").addEventListener("keydown", (event) => {
  // The on-screen keyboard's Enter closes the name; the birth date comes next on the keypad.
  if (event.key === "Enter" && !event.defaultPrevented) {
    event.preventDefault();
    $("#details-name").blur();
  }
});
for (const button of $$("[data-sex]")) {
  button.addEventListener("click", () => {
    state.sex = button.dataset.sex;
    renderDetails();
  });
}
$("#details-next").addEventListener("click", () => {
  const dob = birthDate();
  if (!dob) {
    openDialog(t("errorTitle"), t("dateInvalid"), [{ label: t("understood"), primary: true }], "error");
    return;
  }
  identify({
    vneid_number: state.vneid,
    vneid_level2: true,
    full_name: $("#details-name").value.trim(),
    date_of_birth: dob,
    sex: state.sex,
  });
});

for (const button of $$("[data-priority]")) {
  button.addEventListener("click", () => {
    state.priority = state.priority === button.dataset.priority ? null : button.dataset.priority;
    renderChoose();
  });
}
$("#take").addEventListener("click", take);
$("#ticket-done").addEventListener("click", goHome);
$("#ticket-pdf").addEventListener("click", openPdf);
$("#pdf-close").addEventListener("click", closePdf);
$("#pdf-print").addEventListener("click", printPdf);

document.addEventListener("pointerdown", () => { state.lastTouch = Date.now(); }, true);
document.addEventListener("keydown", () => { state.lastTouch = Date.now(); }, true);
setInterval(() => {
  const idle = (Date.now() - state.lastTouch) / 1000;
  const leftOpen = state.screen !== "home" || !$("#dialog").hidden;
  if (leftOpen && state.screen !== "ticket" && !state.inFlight && idle > IDLE_SECONDS) goHome();
}, 5000);

applyLanguage();
renderDigits();
renderDetails();
renderResultsDob();
show("home");
