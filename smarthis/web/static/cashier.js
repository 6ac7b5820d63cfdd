// The cashier's workstation: find a visit, show its invoice with the insurance split line
// by line, take cash or card, print the receipt, refund or cancel with a reason, and the
// day-end report. Uses api(), el(), say() and $ from workstation.js.
"use strict";
const cashier = {
  visitId: null,
  invoice: null,
  mayCollect: document.querySelector(".cashier").dataset.mayCollect === "yes",
  mayRefund: document.querySelector(".cashier").dataset.mayRefund === "yes",
};

const money = (n) => `${Number(n).toLocaleString("vi-VN")} đ`;

function moneyCell(n) {
  return el("td", { class: "money", text: money(n) });
}

async function findVisits(event) {
  event.preventDefault();
  const q = $("#find-q").value.trim();
  const list = $("#visits");
  list.replaceChildren();
  try {
    const data = await api("GET", `/api/billing/visits?q=${encodeURIComponent(q)}`);
    say("#find-message", data.visits.length ? "" : "Không tìm thấy lượt khám nào");
    for (const visit of data.visits) {
      const when = new Date(visit.registered_at).toLocaleString("vi-VN");
      const button = el("button", { type: "button", "data-visit": visit.id },
        `${visit.patient.name} — lượt ${visit.visit_number} (${when})`);
      button.addEventListener("click", () => openVisit(visit.id));
      list.append(el("li", {}, button));
    }
    if (data.visits.length === 1) await openVisit(data.visits[0].id);
  } catch (error) {
    say("#find-message", error.message, true);
  }
}

async function openVisit(visitId) {
  cashier.visitId = visitId;
  try {
    const data = await api("GET", `/api/billing/visits/${visitId}/invoice`);
    showBill(data.visit, data.invoice);
  } catch (error) {
    say("#find-message", error.message, true);
  }
}

function showBill(visit, invoice) {
  cashier.invoice = invoice;
  $("#empty").hidden = true;
  $("#day-card").hidden = true;
  $("#bill-card").hidden = false;
  $("#qr").hidden = true;
  say("#bill-message", "");
  $("#patient-name").textContent = visit.patient.name;
  const card = visit.bhyt_code ? ` · Thẻ BHYT ${visit.bhyt_code}` : " · Không dùng BHYT";
  $("#patient-ids").textContent = `Mã BN ${visit.patient.mrn} · Lượt ${visit.visit_number}${card}`;
  if (!invoice) {
    $("#invoice-status").textContent = "Chưa có chi phí";
    for (const id of ["#lines", "#totals", "#payments", "#invoice-warnings"]) $(id).replaceChildren();
    $("#invoice-head").textContent = "";
    $("#invoice-explanation").textContent = "";
    $("#remaining").textContent = money(0);
    $("#pay-form").hidden = true;
    return;
  }
  $("#invoice-status").textContent = invoice.status_vi;
  $("#invoice-status").className = `badge ${invoice.status === "paid" ? "verified" : "pending"}`;
  $("#invoice-head").textContent =
    `Hoá đơn ${invoice.invoice_number} (lần ${invoice.version}) · mã đối tượng ${invoice.category}` +
    ` · mức hưởng ${invoice.muc_huong}% · nội dung CK: ${invoice.payment_reference}`;
  $("#invoice-explanation").textContent = invoice.explanation_vi;
  $("#invoice-warnings").replaceChildren(...invoice.warnings_vi.map((w) => el("li", { text: w })));
  $("#lines").replaceChildren(...invoice.lines.map((line) => el("tr", {},
    el("td", {}, el("div", { text: line.name }), el("div", { class: "explain", text: line.explanation_vi })),
    el("td", { text: `${line.quantity} ${line.unit}` }),
    moneyCell(line.hospital_amount), moneyCell(line.fund_pays),
    moneyCell(line.patient_copay), moneyCell(line.patient_self_pay))));
  const t = invoice.totals;
  $("#totals").replaceChildren(el("tr", {}, el("td", { text: "Tổng cộng" }), el("td", {}),
    moneyCell(t.hospital_total), moneyCell(t.fund_pays),
    moneyCell(t.patient_copay), moneyCell(t.patient_self_pay)));
  $("#remaining").textContent = money(invoice.remaining_vnd);
  const open = invoice.status === "open";
  $("#pay-form").hidden = !open || !cashier.mayCollect;
  $("#cancel-button").hidden = !cashier.mayRefund || invoice.paid_vnd > 0;
  $("#qr-button").hidden = invoice.remaining_vnd <= 0;
  showPayments(invoice.payments);
}

function showPayments(payments) {
  $("#payments").replaceChildren(...payments.map((p) => {
    const when = new Date(p.received_at).toLocaleString("vi-VN");
    const item = el("li", { "data-payment": p.id },
      `${p.method_vi} ${money(p.amount_vnd)} — ${when} — ${p.received_by}`,
      p.receipt_number ? ` — biên lai ${p.receipt_number} ` : " ",
      p.refunded_vnd ? el("span", { class: "muted", text: `(đã hoàn ${money(p.refunded_vnd)}) ` }) : null,
      p.review_reason_vi ? el("span", { class: p.status, text: `${p.review_reason_vi} ` }) : null);
    if (p.receipt_number) {
      item.append(el("a", { href: `/api/billing/payments/${p.id}/receipt.pdf`, target: "_blank", text: "In biên lai" }), " ");
    }
    if (cashier.mayRefund && p.amount_vnd > p.refunded_vnd) {
      const button = el("button", { type: "button", class: "refund", text: "Hoàn tiền" });
      button.addEventListener("click", () => refund(p));
      item.append(button);
    }
    return item;
  }));
}

async function pay(event) {
  event.preventDefault();
  const invoice = cashier.invoice;
  const method = document.querySelector('input[name="method"]:checked').value;
  const body = { method, amount_vnd: invoice.remaining_vnd };
  if (method === "card") body.card_reference = $("#card-ref").value.trim();
  try {
    const data = await api("POST", `/api/billing/invoices/${invoice.id}/payments`, body);
    await openVisit(cashier.visitId);
    say("#bill-message", `Đã thu ${money(data.payment.amount_vnd)} — biên lai ${data.payment.receipt_number}`);
    window.open(data.receipt_pdf, "_blank");
  } catch (error) {
    say("#bill-message", error.message, true);
  }
}

async function refund(payment) {
  const left = payment.amount_vnd - payment.refunded_vnd;
  const amountText = window.prompt(`Số tiền hoàn (tối đa ${money(left)}):`, String(left));
  if (amountText === null) return;
  const reason = window.prompt("Lý do hoàn tiền (bắt buộc):", "");
  if (reason === null) return;
  const method = payment.method === "vietqr" ? "transfer" : payment.method;
  try {
    await api("POST", `/api/billing/payments/${payment.id}/refunds`,
      { amount_vnd: Number(amountText), reason, method });
    await openVisit(cashier.visitId);
    say("#bill-message", "Đã hoàn tiền");
    await loadReview();
  } catch (error) {
    say("#bill-message", error.message, true);
  }
}

async function cancelInvoice() {
  const reason = window.prompt("Lý do huỷ hoá đơn (bắt buộc):", "");
  if (reason === null) return;
  try {
    await api("POST", `/api/billing/invoices/${cashier.invoice.id}/cancel`, { reason });
    await openVisit(cashier.visitId);
    say("#bill-message", "Đã huỷ hoá đơn");
  } catch (error) {
    say("#bill-message", error.message, true);
  }
}

async function showQr() {
  try {
    const data = await api("GET", `/api/billing/invoices/${cashier.invoice.id}/vietqr`);
    const box = $("#qr");
    box.innerHTML = data.svg; // produced by segno on the server from our own payload
    box.append(el("p", { text: `${data.account_name} · TK ${data.account} · ${money(data.amount_vnd)} · ND: ${data.purpose}` }));
    box.hidden = false;
  } catch (error) {
    say("#bill-message", error.message, true);
  }
}

async function loadReview() {
  try {
    const data = await api("GET", "/api/billing/payments/review");
    const list = $("#review");
    if (!data.payments.length) {
      list.replaceChildren(el("li", { class: "muted", text: "Không có" }));
      return;
    }
    list.replaceChildren(...data.payments.map((p) => {
      const item = el("li", {}, `${money(p.amount_vnd)} — ${p.review_reason_vi} — GD ${p.bank_transaction_id || "?"} `);
      if (p.invoice_id) {
        const open = el("button", { type: "button", text: "Xem" });
        open.addEventListener("click", async () => {
          const invoice = await api("GET", `/api/billing/invoices/${p.invoice_id}`);
          await openVisit(invoice.visit_id);
        });
        item.append(open, " ");
      }
      if (cashier.mayCollect) {
        const done = el("button", { type: "button", text: "Đã xử lý" });
        done.addEventListener("click", async () => {
          const note = window.prompt("Ghi chú xử lý:", "") || "";
          await api("POST", `/api/billing/payments/${p.id}/reviewed`, { note });
          await loadReview();
        });
        item.append(done);
      }
      return item;
    }));
  } catch (error) {
    $("#review").replaceChildren(el("li", { class: "bad", text: error.message }));
  }
}

async function dayEnd(event) {
  event.preventDefault();
  const day = $("#day").value;
  try {
    const data = await api("GET", `/api/billing/day-end${day ? `?day=${day}` : ""}`);
    $("#bill-card").hidden = true;
    $("#empty").hidden = true;
    $("#day-card").hidden = false;
    $("#day-title").textContent = `ngày ${new Date(data.day).toLocaleDateString("vi-VN")}`;
    const names = { cash: "Tiền mặt", card: "Thẻ", vietqr: "VietQR" };
    const rows = [];
    for (const c of data.cashiers) {
      for (const m of c.methods) {
        rows.push(el("tr", {}, el("td", { text: c.cashier === "bank" ? "Ngân hàng (VietQR)" : c.cashier }),
          el("td", { text: names[m.method] || m.method }), el("td", { class: "money", text: String(m.payments) }),
          moneyCell(m.received_vnd), el("td", { class: "money", text: String(m.refunds) }), moneyCell(m.refunded_vnd),
          moneyCell(m.net_vnd)));
      }
    }
    $("#day-rows").replaceChildren(...rows);
    $("#day-totals").replaceChildren(el("tr", {}, el("td", { text: "Tổng" }), el("td", {}), el("td", {}),
      moneyCell(data.received_vnd), el("td", {}), moneyCell(data.refunded_vnd), moneyCell(data.net_vnd)));
  } catch (error) {
    say("#find-message", error.message, true);
  }
}

document.querySelectorAll('input[name="method"]').forEach((input) =>
  input.addEventListener("change", () => { $("#card-ref").hidden = input.value !== "card" || !input.checked; }));
$("#find-form").addEventListener("submit", findVisits);
$("#pay-form").addEventListener("submit", pay);
$("#cancel-button").addEventListener("click", cancelInvoice);
$("#qr-button").addEventListener("click", showQr);
$("#day-form").addEventListener("submit", dayEnd);
loadReview();
