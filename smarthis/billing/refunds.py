"""Refunds: money given back from a payment, with a reason, by the cashier or an admin
(the route's permission), each one in the audit log."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.billing.invoices import PAID, REFUNDED, lock_invoice
from smarthis.billing.models import Refund
from smarthis.billing.payments import payment_for
from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.security import audit
from smarthis.security.principal import Principal

RefundMethod = Literal["cash", "card", "transfer"]
MIN_REASON_LENGTH = 5


def refund_payment(
    session: Session,
    actor: Principal,
    payment_id: int,
    amount_vnd: int,
    reason: str,
    method: RefundMethod,
) -> Refund:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(
            "refund_reason_missing",
            "Ghi rõ lý do hoàn tiền (ít nhất 5 ký tự)",
            "Give the reason for the refund (at least 5 characters)",
            field="reason",
        )
    payment = payment_for(session, actor, payment_id, lock=True)
    left = payment.amount_vnd - payment.refunded_vnd
    if not 0 < amount_vnd <= left:
        raise DomainError(
            "refund_amount",
            f"Số tiền hoàn phải từ 1 đến {left:,} đồng".replace(",", "."),
            f"The refund must be between 1 and {left} VND",
            field="amount_vnd",
        )
    invoice = None
    if payment.invoice_id is not None and payment.applied:
        invoice = lock_invoice(session, payment.invoice_id)
        assert invoice is not None
        invoice.paid_vnd -= amount_vnd
        # Refunding only an over-payment's excess leaves the invoice paid; anything more
        # means the patient got money back for care: the invoice is closed as refunded.
        if invoice.status == PAID and invoice.paid_vnd < invoice.amount_due:
            invoice.status = REFUNDED
    payment.refunded_vnd += amount_vnd
    refund = Refund(
        facility_code=payment.facility_code,
        payment_id=payment.id,
        invoice_id=payment.invoice_id,
        amount_vnd=amount_vnd,
        method=method,
        reason=reason,
        refunded_at=utcnow(),
        refunded_by=actor.name,
    )
    session.add(refund)
    session.flush()
    audit.record(
        session,
        actor,
        "billing.refund",
        patient_id=payment.patient_id,
        detail={
            "payment": payment.id,
            "refund": refund.id,
            "amount": amount_vnd,
            "method": method,
            "reason": reason,
            "invoice_status": invoice.status if invoice else None,
        },
    )
    return refund


def refunds_of_payment(session: Session, payment_id: int) -> list[Refund]:
    return list(
        session.execute(
            select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.id)
        ).scalars()
    )
