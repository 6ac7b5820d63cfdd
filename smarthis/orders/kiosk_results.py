"""The kiosk's "look up results": the patient proves who they are with the ticket's QR, or
with their CCCD QR plus their date of birth, and sees VERIFIED results only."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.errors import DomainError, NotFound
from smarthis.orders.service import ItemResults, results_for_patient, results_for_visit
from smarthis.patients import identifiers as ids
from smarthis.patients.models import Patient
from smarthis.patients.service import find_by_identifier
from smarthis.queueing.models import Ticket
from smarthis.security import audit
from smarthis.security.principal import Principal

_NO_MATCH = (
    "results_identity_not_matched",
    "Không tìm thấy kết quả với giấy tờ và ngày sinh này. Vui lòng kiểm tra lại "
    "hoặc hỏi quầy hướng dẫn",
    "No results for this document and date of birth. Check them or ask at the desk",
)


def _no_match() -> NotFound:
    # One answer whether the CCCD is unknown or the birth date is wrong: the kiosk must not
    # tell a passer-by which CCCD numbers the hospital knows.
    code, vi, en = _NO_MATCH
    return NotFound(code, vi, en, field="date_of_birth")


def results_by_cccd(
    session: Session, actor: Principal, qr_text: str, date_of_birth: date
) -> tuple[Patient, list[ItemResults]]:
    card = ids.parse_cccd_qr(qr_text)  # a QR that is not a CCCD QR: its own specific error
    patient = find_by_identifier(session, actor.facility_code, "cccd", card.number)
    if patient is None:
        raise _no_match()
    if patient.date_of_birth != date_of_birth:
        audit.record(
            session,
            actor,
            "result.kiosk_lookup",
            patient_id=patient.id,
            outcome="denied",
            detail="date of birth did not match",
        )
        raise _no_match()
    return patient, results_for_patient(session, actor, patient.id, verified_only=True)


def token_from_ticket_qr(text: str) -> str:
    """The ticket's QR holds the URL `.../t/TOKEN`; a scanner may also give the bare token."""
    token = text.strip().rstrip("/").rsplit("/t/", 1)[-1]
    if not token or len(token) > 32 or not all(c.isalnum() or c in "-_" for c in token):
        raise DomainError(
            "ticket_token_invalid",
            "Mã QR không phải mã trên phiếu số thứ tự của bệnh viện",
            "This QR is not one of the hospital's ticket codes",
            field="ticket_token",
        )
    return token


def results_by_ticket(
    session: Session, actor: Principal, ticket_qr: str
) -> tuple[Patient, list[ItemResults]]:
    token = token_from_ticket_qr(ticket_qr)
    ticket = session.execute(
        select(Ticket).where(
            Ticket.facility_code == actor.facility_code, Ticket.lookup_token == token
        )
    ).scalar_one_or_none()
    if ticket is None or ticket.patient_id is None or ticket.visit_id is None:
        raise NotFound(
            "ticket_not_found",
            "Không tìm thấy lượt khám của phiếu này",
            "No visit for this ticket",
            field="ticket_token",
        )
    patient = session.get(Patient, ticket.patient_id)
    assert patient is not None
    return patient, results_for_visit(session, actor, ticket.visit_id, verified_only=True)
