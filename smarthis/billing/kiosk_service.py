"""The kiosk's "pay fees": the patient proves who they are (the ticket's QR, or the CCCD's
QR with the date of birth, as for results), sees the bill in plain words, pays by VietQR,
and the kiosk prints the receipt once the bank's notification has settled the invoice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.billing.invoices import current_invoice
from smarthis.billing.models import Invoice, Payment
from smarthis.clinical.models import Visit
from smarthis.db import utcnow
from smarthis.errors import DomainError, NotFound
from smarthis.orders.kiosk_results import token_from_ticket_qr
from smarthis.patients import identifiers as ids
from smarthis.patients.service import find_by_identifier
from smarthis.queueing.models import Ticket
from smarthis.security import audit
from smarthis.security.principal import Principal

# A kiosk shows the bill of a visit registered within this window: yesterday's open visit
# (late results) still, last month's not.
RECENT_VISIT = timedelta(days=2)


def _no_bill() -> NotFound:
    # One answer whether the CCCD is unknown or the birth date wrong: a passer-by must not
    # learn which CCCD numbers the hospital knows.
    return NotFound(
        "billing_visit_not_found",
        "Không tìm thấy lượt khám cần thanh toán với giấy tờ này. Vui lòng hỏi quầy thu ngân",
        "No visit to pay for with this document. Please ask at the cashier",
        field="qr_text",
    )


def visit_by_ticket(session: Session, actor: Principal, ticket_qr: str) -> Visit:
    token = token_from_ticket_qr(ticket_qr)
    visit_id = session.execute(
        select(Ticket.visit_id).where(
            Ticket.facility_code == actor.facility_code, Ticket.lookup_token == token
        )
    ).scalar()
    visit = session.get(Visit, visit_id) if visit_id else None
    if visit is None:
        raise _no_bill()
    return visit


def visit_by_cccd(session: Session, actor: Principal, qr_text: str, born: date) -> Visit:
    card = ids.parse_cccd_qr(qr_text)
    patient = find_by_identifier(session, actor.facility_code, "cccd", card.number)
    if patient is None or patient.date_of_birth != born:
        if patient is not None:
            audit.record(
                session,
                actor,
                "billing.kiosk_lookup",
                patient_id=patient.id,
                outcome="denied",
                detail="date of birth did not match",
            )
        raise _no_bill()
    visit = session.execute(
        select(Visit)
        .where(
            Visit.facility_code == actor.facility_code,
            Visit.patient_id == patient.id,
            Visit.registered_at >= utcnow() - RECENT_VISIT,
        )
        .order_by(Visit.registered_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if visit is None:
        raise _no_bill()
    return visit


def kiosk_bill(
    session: Session,
    actor: Principal,
    *,
    ticket_qr: str | None,
    qr_text: str | None,
    date_of_birth: date | None,
) -> tuple[Visit, Invoice]:
    if bool(ticket_qr) == bool(qr_text):
        raise DomainError(
            "billing_one_way",
            "Quét mã QR trên phiếu số thứ tự, hoặc mã QR CCCD kèm ngày sinh",
            "Scan the ticket's QR, or the CCCD QR with the date of birth",
            field="qr_text",
        )
    if qr_text and date_of_birth is None:
        raise DomainError(
            "billing_need_birth_date",
            "Nhập ngày sinh để xem hoá đơn",
            "Enter the date of birth to see the bill",
            field="date_of_birth",
        )
    if ticket_qr:
        visit = visit_by_ticket(session, actor, ticket_qr)
    else:
        assert qr_text is not None and date_of_birth is not None
        visit = visit_by_cccd(session, actor, qr_text, date_of_birth)
    invoice = current_invoice(session, actor, visit.id)
    if invoice is None:
        raise NotFound(
            "billing_nothing_to_pay",
            "Lượt khám chưa có chi phí nào cần thanh toán",
            "The visit has no charges to pay yet",
            field="visit_id",
        )
    audit.record(
        session,
        actor,
        "billing.kiosk_lookup",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number, "invoice": invoice.id},
    )
    return visit, invoice


def last_receipted_payment(session: Session, invoice_id: int) -> Payment | None:
    return session.execute(
        select(Payment)
        .where(
            Payment.invoice_id == invoice_id,
            Payment.applied.is_(True),
            Payment.receipt_number.is_not(None),
        )
        .order_by(Payment.id.desc())
        .limit(1)
    ).scalar_one_or_none()
