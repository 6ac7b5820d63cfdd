"""The bank's credit notification: a transfer arrived on the hospital's account.

Wire format (JSON, UTF-8), signed with HMAC-SHA256 over the raw body with the shared
secret (settings.bank_webhook_secret), hex digest in the `X-Bank-Signature` header:

    {"transaction_id": "FT2611260001", "account": "0011004567890", "amount": 36000,
     "description": "HD26112600001V1 thanh toan", "transaction_time": "2026-11-26T08:30:00+07:00",
     "counter_account_name": "NGUYEN VAN A"}

Idempotent by `transaction_id` (a unique column): a replayed notification pays once. The
invoice is found by the reference in the description and locked; the amount is compared
with what is left to pay; anything unusual is recorded and flagged for the cashier."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.billing.invoices import OPEN, lock_invoice
from smarthis.billing.models import Invoice, Payment
from smarthis.billing.payments import apply_to_invoice, receipt_number
from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.security import audit
from smarthis.security.principal import system_principal

SIGNATURE_HEADER = "X-Bank-Signature"
_REFERENCE = re.compile(r"HD\d{11}V\d{1,3}")


class BankNotification(BaseModel):
    model_config = ConfigDict(extra="ignore")  # banks add fields; we read these

    transaction_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    account: str = Field(min_length=1, max_length=19)
    amount: int = Field(gt=0, lt=10**13)
    description: str = Field(default="", max_length=500)
    transaction_time: datetime | None = None
    counter_account_name: str | None = Field(default=None, max_length=200)


class BadSignature(DomainError):
    status_code = 401


class MissingSignature(DomainError):
    status_code = 400


@dataclass(frozen=True)
class Outcome:
    payment: Payment
    duplicate: bool


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(secret: str, body: bytes, given: str | None) -> None:
    if not given:
        # Missing is a malformed request (400), a wrong one is unauthorised (401): the route
        # is public (the bank has no SmartHIS login), signed rather than signed in.
        raise MissingSignature(
            "bank_signature_missing",
            f"Thiếu chữ ký {SIGNATURE_HEADER}",
            f"The {SIGNATURE_HEADER} header is missing",
            field=SIGNATURE_HEADER,
        )
    expected = sign(secret, body)
    if not hmac.compare_digest(expected, given.strip().lower().removeprefix("sha256=")):
        raise BadSignature(
            "bank_signature_invalid",
            "Chữ ký thông báo ngân hàng không hợp lệ",
            "The bank notification's signature is invalid",
            field=SIGNATURE_HEADER,
        )


def find_reference(description: str) -> str | None:
    found = _REFERENCE.search(description.upper().replace(" ", ""))
    return found.group(0) if found else None


def _existing(session: Session, transaction_id: str) -> Payment | None:
    return session.execute(
        select(Payment).where(Payment.bank_transaction_id == transaction_id)
    ).scalar_one_or_none()


def _locked_invoice(session: Session, facility_code: str, reference: str | None) -> Invoice | None:
    if reference is None:
        return None
    invoice_id = session.execute(
        select(Invoice.id).where(
            Invoice.facility_code == facility_code,
            func.upper(Invoice.payment_reference) == reference,
        )
    ).scalar()
    return lock_invoice(session, invoice_id) if invoice_id is not None else None


def receive(
    session: Session, facility_code: str, hospital_account: str, note: BankNotification
) -> Outcome:
    """Record the transfer once and put it on its invoice if it matches one."""
    invoice = _locked_invoice(session, facility_code, find_reference(note.description))
    # Checked after the lock: a replay racing the first delivery waits on the invoice row
    # and then sees the committed payment.
    existing = _existing(session, note.transaction_id)
    if existing is not None:
        return Outcome(existing, duplicate=True)
    now = utcnow()
    payment = Payment(
        facility_code=facility_code,
        invoice_id=invoice.id if invoice else None,
        visit_id=invoice.visit_id if invoice else None,
        patient_id=invoice.patient_id if invoice else None,
        method="vietqr",
        amount_vnd=note.amount,
        refunded_vnd=0,
        status="confirmed",
        applied=False,
        bank_transaction_id=note.transaction_id,
        bank_description=note.description,
        received_at=now,
        received_by="bank",
    )
    if note.account != hospital_account:
        payment.status, payment.review_reason = "needs_review", "other_account"
    elif invoice is None:
        payment.status, payment.review_reason = "needs_review", "unknown_reference"
    elif invoice.status != OPEN:
        payment.status, payment.review_reason = "needs_review", "invoice_not_open"
    else:
        payment.applied = True
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        # The same transaction id committed meanwhile (no invoice lock serialised us).
        existing = _existing(session, note.transaction_id)
        if existing is None:
            raise
        return Outcome(existing, duplicate=True)
    if payment.applied and invoice is not None:
        # Numbered only once the insert stood, so a lost race leaves no gap in receipts.
        payment.receipt_number = receipt_number(session, facility_code)
        apply_to_invoice(session, invoice, payment)
    audit.record(
        session,
        system_principal(facility_code, source="bank"),
        "billing.bank_credit",
        patient_id=payment.patient_id,
        detail={
            "transaction": note.transaction_id,
            "amount": note.amount,
            "invoice": payment.invoice_id,
            "status": payment.status,
            "reason": payment.review_reason,
        },
    )
    return Outcome(payment, duplicate=False)
