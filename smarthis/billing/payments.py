"""Payments: money put on an invoice at the cashier (cash, card) or by bank transfer.

The invoice row is locked (SELECT ... FOR UPDATE) while a payment is applied, so two
payments for one invoice settle it once: the second sees the first's amount and is flagged
as an over-payment rather than paying the invoice twice."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis import events
from smarthis.billing.invoices import OPEN, PAID, hospital_day, invoice_for
from smarthis.billing.models import Invoice, Payment
from smarthis.clinical.examination import record_step
from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import MAX_ID, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.security import audit
from smarthis.security.principal import Principal

CounterMethod = Literal["cash", "card"]
METHOD_NAMES_VI = {"cash": "Tiền mặt", "card": "Thẻ ngân hàng", "vietqr": "Chuyển khoản VietQR"}
REVIEW_REASONS_VI = {
    "partial": "Chuyển khoản thiếu so với số phải trả",
    "overpaid": "Chuyển khoản thừa so với số phải trả: cần hoàn phần thừa",
    "unknown_reference": "Nội dung chuyển khoản không khớp hoá đơn nào",
    "invoice_not_open": "Hoá đơn đã được thanh toán hoặc đã huỷ: cần hoàn tiền",
    "other_account": "Tiền vào tài khoản khác tài khoản thu viện phí",
}


def remaining(invoice: Invoice) -> int:
    return max(0, invoice.amount_due - invoice.paid_vnd)


def receipt_number(session: Session, facility_code: str) -> str:
    day = hospital_day(utcnow()).strftime("%y%m%d")
    return f"BL{day}{next_value(session, f'receipt:{facility_code}:{day}'):05d}"


def _announce(session: Session, invoice: Invoice) -> None:
    events.emit(
        session,
        {
            "topic": "billing",
            "facility": invoice.facility_code,
            "visit_id": invoice.visit_id,
            "invoice_id": invoice.id,
            "status": invoice.status,
            "at": utcnow().isoformat(),
        },
    )


def apply_to_invoice(session: Session, invoice: Invoice, payment: Payment) -> None:
    """Count the payment on the (locked) invoice; fully paid -> paid, and the visit's
    "paid" step is recorded. Partial and over-payments are flagged for the cashier."""
    invoice.paid_vnd += payment.amount_vnd
    if invoice.paid_vnd < invoice.amount_due:
        if payment.method == "vietqr":
            payment.status, payment.review_reason = "needs_review", "partial"
        _announce(session, invoice)
        return
    if invoice.paid_vnd > invoice.amount_due:
        payment.status, payment.review_reason = "needs_review", "overpaid"
    invoice.status = PAID
    invoice.paid_at = payment.received_at
    visit = session.get(Visit, invoice.visit_id)
    assert visit is not None
    record_step(session, visit, "paid", payment.received_by, at=payment.received_at)
    _announce(session, invoice)


def collect_at_counter(
    session: Session,
    actor: Principal,
    invoice_id: int,
    method: CounterMethod,
    amount_vnd: int,
    card_reference: str | None = None,
) -> Payment:
    """The cashier takes exactly what is left to pay (cash change is given at the desk)."""
    invoice = invoice_for(session, actor, invoice_id, lock=True)
    if invoice.status != OPEN:
        raise Conflict(
            "invoice_not_open",
            "Hoá đơn đã thanh toán hoặc đã huỷ: tải lại hoá đơn của lượt khám",
            "The invoice is paid or voided; reload the visit's invoice",
            field="invoice_id",
        )
    left = remaining(invoice)
    if amount_vnd != left:
        raise DomainError(
            "payment_amount_mismatch",
            f"Số tiền thu phải đúng số còn phải trả: {left:,} đồng".replace(",", "."),
            f"The amount must equal what is left to pay: {left} VND",
            field="amount_vnd",
        )
    if method == "card" and not (card_reference or "").strip():
        raise DomainError(
            "payment_card_reference_missing",
            "Nhập mã chuẩn chi (mã giao dịch) trên hoá đơn máy POS",
            "Enter the POS approval code",
            field="card_reference",
        )
    now = utcnow()
    payment = Payment(
        facility_code=invoice.facility_code,
        invoice_id=invoice.id,
        visit_id=invoice.visit_id,
        patient_id=invoice.patient_id,
        method=method,
        amount_vnd=amount_vnd,
        refunded_vnd=0,
        status="confirmed",
        applied=True,
        receipt_number=receipt_number(session, invoice.facility_code),
        card_reference=(card_reference or "").strip() or None,
        received_at=now,
        received_by=actor.name,
    )
    session.add(payment)
    apply_to_invoice(session, invoice, payment)
    session.flush()
    audit.record(
        session,
        actor,
        "billing.collect",
        patient_id=invoice.patient_id,
        detail={"invoice": invoice.id, "method": method, "amount": amount_vnd},
    )
    return payment


def payment_for(
    session: Session, actor: Principal, payment_id: int, *, lock: bool = False
) -> Payment:
    payment = None
    if 1 <= payment_id <= MAX_ID:
        query = select(Payment).where(Payment.id == payment_id)
        payment = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if payment is None or payment.facility_code != actor.facility_code:
        raise NotFound(
            "payment_not_found",
            f"Không có khoản thu số {payment_id}",
            f"No payment {payment_id}",
            field="payment_id",
        )
    return payment


def payments_of_invoice(session: Session, invoice_id: int) -> list[Payment]:
    return list(
        session.execute(
            select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)
        ).scalars()
    )


def payments_to_review(session: Session, actor: Principal) -> list[Payment]:
    return list(
        session.execute(
            select(Payment)
            .where(Payment.facility_code == actor.facility_code, Payment.status == "needs_review")
            .order_by(Payment.id)
        ).scalars()
    )


def mark_reviewed(session: Session, actor: Principal, payment_id: int, note: str) -> Payment:
    """The cashier has dealt with a flagged payment (refunded the excess, called the payer)."""
    payment = payment_for(session, actor, payment_id, lock=True)
    if payment.status != "needs_review":
        raise Conflict(
            "payment_not_flagged",
            "Khoản thu này không cần xem xét",
            "This payment is not flagged for review",
            field="payment_id",
        )
    payment.status = "reviewed"
    payment.reviewed_at = utcnow()
    payment.reviewed_by = actor.name
    audit.record(
        session,
        actor,
        "billing.review",
        patient_id=payment.patient_id,
        detail={"payment": payment.id, "reason": payment.review_reason, "note": note},
    )
    return payment
