// Kiosk "pay fees" (thanh toán viện phí): the patient scans the ticket's QR (or the CCCD's
// QR and types the birth date), reads the bill in plain words (what the insurance fund pays,
// what is left for them), pays with a banking app from the VietQR on the screen, and the
// receipt prints once the bank has told the hospital. Loaded after kiosk.js and uses its
// helpers (state, show, api, t, busyWhile, openDialog, showError, buildKeypad, edit,
// birthDate, goHome, openTakeNumber); kiosk.js calls kioskPay.onScan() and
// openPaymentChoice().
"use strict";

Object.assign(WORDS.vi, {
  payHint: "Quét phiếu số thứ tự hoặc CCCD",
  payHere: "Thanh toán tại đây bằng VietQR",
  payTitle: "Thanh toán viện phí",
  payScanTicket: "Đưa mã QR trên phiếu số thứ tự vào máy quét",
  payScanCccd: "Hoặc quét mã QR trên thẻ CCCD, rồi nhập ngày sinh",
  payDobTitle: "Nhập ngày sinh",
  payShow: "Xem hoá đơn",
  payBillOf: "Hoá đơn của",
  payTotal: "Tổng chi phí khám chữa bệnh",
  payFund: "Bảo hiểm y tế chi trả",
  payYou: "Bạn cần thanh toán",
  payLine: (fund, you) => `BHYT trả ${fund} · bạn trả ${you}`,
  payScanWithApp: "Mở ứng dụng ngân hàng, quét mã này để chuyển khoản. Không sửa số tiền và nội dung.",
  payAccount: (name, account) => `Người nhận: ${name} · STK ${account}`,
  payPurpose: (purpose) => `Nội dung: ${purpose}`,
  payWaiting: "Đang chờ ngân hàng xác nhận…",
  payNothing: "Bảo hiểm y tế chi trả toàn bộ: bạn không phải thanh toán.",
  payAlready: "Hoá đơn này đã được thanh toán.",
  payDoneTitle: "Đã thanh toán. Xin cảm ơn!",
  payReceiptPrinted: "Biên lai đã được in, mời bạn nhận",
  payReceiptNotPrinted: "Chưa in được biên lai — bấm In biên lai (PDF) hoặc nhận tại quầy thu ngân",
  payReceiptPdf: "In biên lai (PDF)",
  payPartial: (left) => `Đã nhận một phần. Còn thiếu ${left} — vui lòng đến quầy thu ngân.`,
  payTimeout: "Chưa nhận được xác nhận của ngân hàng. Nếu đã chuyển khoản, vui lòng đến quầy thu ngân.",
});
Object.assign(WORDS.en, {
  payHint: "Scan your ticket or ID card",
  payHere: "Pay here with VietQR",
  payTitle: "Pay hospital fees",
  payScanTicket: "Hold the QR code on your queue ticket under the scanner",
  payScanCccd: "Or scan the QR code on your ID card (CCCD), then enter your date of birth",
  payDobTitle: "Enter your date of birth",
  payShow: "Show my bill",
  payBillOf: "Bill of",
  payTotal: "Total cost of care",
  payFund: "Paid by health insurance",
  payYou: "You pay",
  payLine: (fund, you) => `Insurance pays ${fund} · you pay ${you}`,
  payScanWithApp: "Open your banking app and scan this code. Do not change the amount or the message.",
  payAccount: (name, account) => `To: ${name} · account ${account}`,
  payPurpose: (purpose) => `Message: ${purpose}`,
  payWaiting: "Waiting for the bank's confirmation…",
  payNothing: "Health insurance pays everything: you have nothing to pay.",
  payAlready: "This bill has been paid.",
  payDoneTitle: "Paid. Thank you!",
  payReceiptPrinted: "Your receipt has been printed — please take it",
  payReceiptNotPrinted: "The receipt was not printed — press Print receipt (PDF) or ask at the cashier",
  payReceiptPdf: "Print receipt (PDF)",
  payPartial: (left) => `Part of the amount arrived. ${left} is missing — please go to the cashier.`,
  payTimeout: "No confirmation from the bank yet. If you have paid, please go to the cashier.",
});

const PAY_POLL_MS = 2000;
const PAY_WAIT_MS = 10 * 60 * 1000; // a patient fumbling with a banking app: ten minutes

const pay = { qr: null, dob: "", bill: null, receipt: null, polling: false };

function vnd(n) {
  return `${Number(n).toLocaleString("vi-VN")} đ`;
}

function payNode(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text ?? "";
  if (className) node.className = className;
  return node;
}

function openPaymentChoice() {
  openDialog(t("homePayment"), t("paymentMessage"), [
    { label: t("paymentTakeNumber"), action: () => openTakeNumber("cashier") },
    { label: t("payHere"), primary: true, action: openPay },
  ]);
}

function openPay() {
  Object.assign(pay, { qr: null, dob: "", bill: null, receipt: null });
  renderPayDob();
  show("pay-scan");
}

// Scans while a pay screen is up belong to the pay flow; true when taken.
function payOnScan(text) {
  if (!state.screen.startsWith("pay-")) return false;
  closeDialog();
  if (text.includes("/t/") && !text.includes("|")) {
    lookUpBill({ ticket_qr: text });
  } else {
    pay.qr = text;
    pay.dob = "";
    renderPayDob();
    show("pay-dob");
  }
  return true;
}

function renderPayDob() {
  const d = pay.dob.padEnd(8, "_");
  $("#pay-dob").textContent = `${d.slice(0, 2)} / ${d.slice(2, 4)} / ${d.slice(4)}`;
  $("#pay-dob-next").disabled = pay.dob.length !== 8;
}

async function lookUpBill(body) {
  if (state.inFlight) return;
  try {
    pay.bill = await busyWhile(() => api("POST", "/api/kiosk/billing/lookup", body));
    renderBill();
    show("pay-bill");
    const invoice = pay.bill.invoice;
    if (invoice.status === "paid") await finishPaid();
    else if (pay.bill.vietqr) waitForBank(invoice.id);
  } catch (error) {
    showError(error, body.ticket_qr ? () => show("pay-scan") : () => show("pay-dob"));
  }
}

function renderBill() {
  const bill = pay.bill;
  if (!bill) return;
  const invoice = bill.invoice;
  $("#pay-name").textContent = bill.visit.patient.name;
  $("#pay-lines").replaceChildren(...invoice.lines.map((line) => {
    const row = payNode("li", "");
    row.append(payNode("strong", line.name), payNode("span",
      t("payLine", vnd(line.fund_pays), vnd(line.patient_copay + line.patient_self_pay)), "k-pay-split"));
    if (state.lang === "vi") row.append(payNode("small", line.explanation_vi, "k-pay-why"));
    return row;
  }));
  const totals = invoice.totals;
  $("#pay-total").textContent = vnd(totals.hospital_total);
  $("#pay-fund").textContent = vnd(totals.fund_pays);
  $("#pay-you").textContent = vnd(invoice.remaining_vnd);
  $("#pay-explanation").textContent = state.lang === "vi" ? invoice.explanation_vi : "";
  const qr = bill.vietqr;
  const box = $("#pay-qr");
  box.hidden = !qr;
  if (qr) {
    box.dataset.payload = qr.payload;
    $("#pay-qr-image").innerHTML = qr.svg; // drawn by the server (segno) from our payload
    $("#pay-account").textContent = t("payAccount", qr.account_name, qr.account);
    $("#pay-purpose").textContent = t("payPurpose", qr.purpose);
  }
  let note = "";
  if (invoice.status === "paid") note = t("payAlready");
  else if (!qr) note = t("payNothing");
  $("#pay-note").textContent = note;
  $("#pay-note").hidden = !note;
}

async function waitForBank(invoiceId) {
  if (pay.polling) return;
  pay.polling = true;
  const started = Date.now();
  try {
    while (state.screen === "pay-bill" && Date.now() - started < PAY_WAIT_MS) {
      state.lastTouch = Date.now(); // paying on a phone is not walking away
      await new Promise((resolve) => setTimeout(resolve, PAY_POLL_MS));
      if (state.screen !== "pay-bill") return;
      let status;
      try {
        status = await api("GET", `/api/kiosk/billing/invoices/${invoiceId}/status`);
      } catch (_error) {
        continue; // a lost answer: ask again at the next tick
      }
      if (status.status === "paid") {
        await finishPaid();
        return;
      }
      if (status.paid_vnd > 0) {
        $("#pay-note").textContent = t("payPartial", vnd(status.remaining_vnd));
        $("#pay-note").hidden = false;
      }
    }
    if (state.screen === "pay-bill") {
      openDialog(t("payTitle"), t("payTimeout"), [{ label: t("backHome"), primary: true, action: goHome }]);
    }
  } finally {
    pay.polling = false;
  }
}

async function finishPaid() {
  const invoiceId = pay.bill.invoice.id;
  try {
    pay.receipt = await busyWhile(() => api("POST", `/api/kiosk/billing/invoices/${invoiceId}/receipt`));
  } catch (error) {
    pay.receipt = { printed: false, message_vi: errorText(error), receipt_pdf: null };
  }
  renderPayDone();
  show("pay-done");
}

function renderPayDone() {
  const receipt = pay.receipt;
  if (!receipt) return;
  const box = $("#pay-receipt");
  box.className = `k-print ${receipt.printed ? "k-good" : "k-warn"}`;
  box.dataset.printed = String(receipt.printed);
  box.textContent = receipt.printed ? t("payReceiptPrinted") : t("payReceiptNotPrinted");
  $("#pay-receipt-pdf").hidden = receipt.printed || !receipt.receipt_pdf;
}

function openReceiptPdf() {
  if (!pay.receipt || !pay.receipt.receipt_pdf) return;
  $("#pdf-frame").src = `${pay.receipt.receipt_pdf}#view=Fit&navpanes=0`;
  $("#pdf-view").hidden = false;
}

buildKeypad($('[data-keypad="pay-dob"]'), (key) => {
  pay.dob = edit(pay.dob, key, 8);
  renderPayDob();
});
$("#pay-dob-next").addEventListener("click", () => {
  const dob = birthDate(pay.dob);
  if (!dob) {
    openDialog(t("errorTitle"), t("dateInvalid"), [{ label: t("understood"), primary: true }], "error");
    return;
  }
  lookUpBill({ qr_text: pay.qr, date_of_birth: dob });
});
$("#pay-receipt-pdf").addEventListener("click", openReceiptPdf);
for (const button of $$(".k-lang-btn")) {
  button.addEventListener("click", () => { renderBill(); renderPayDone(); });
}

window.kioskPay = { onScan: payOnScan, open: openPay };
applyLanguage(); // the words above arrived after kiosk.js first drew the screen
renderPayDob();
