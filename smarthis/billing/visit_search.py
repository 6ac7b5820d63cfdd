"""Finding the visit to bill: by visit number, by the ticket (its QR or its printed number
today), or by the patient (name, MRN, CCCD, BHYT) with their recent visits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.patients.models import Patient
from smarthis.patients.service import search_patients
from smarthis.queueing.models import Ticket
from smarthis.security.principal import Principal

RECENT_DAYS = 30
MAX_VISITS = 20


def _by_ticket(session: Session, actor: Principal, text: str) -> list[Visit]:
    token = text.strip().rstrip("/").rsplit("/t/", 1)[-1]
    day_start = utcnow() - timedelta(days=1)
    ticket_visits = select(Ticket.visit_id).where(
        Ticket.facility_code == actor.facility_code,
        Ticket.visit_id.is_not(None),
        (Ticket.lookup_token == token)
        | ((Ticket.display_number == text.strip().upper()) & (Ticket.issued_at >= day_start)),
    )
    return list(session.execute(select(Visit).where(Visit.id.in_(ticket_visits))).scalars())


def find_visits(session: Session, actor: Principal, query: str) -> list[Visit]:
    text = " ".join(query.split())
    if len(text) < 2:
        raise DomainError(
            "billing_search_short",
            "Nhập số lượt khám, số phiếu, mã bệnh nhân hoặc họ tên (ít nhất 2 ký tự)",
            "Give a visit number, ticket, patient number or name (2 characters or more)",
            field="q",
        )
    found = list(
        session.execute(
            select(Visit).where(
                Visit.facility_code == actor.facility_code, Visit.visit_number == text
            )
        ).scalars()
    )
    found += [v for v in _by_ticket(session, actor, text) if v not in found]
    if found:
        return found
    has_digit = any(c.isdigit() for c in text)
    patients = search_patients(
        session, actor, identifier=text if has_digit else None, name=None if has_digit else text
    )
    if not patients:
        return []
    since = utcnow() - timedelta(days=RECENT_DAYS)
    return list(
        session.execute(
            select(Visit)
            .where(
                Visit.facility_code == actor.facility_code,
                Visit.patient_id.in_([p.id for p in patients]),
                Visit.registered_at >= since,
            )
            .order_by(Visit.registered_at.desc())
            .limit(MAX_VISITS)
        ).scalars()
    )


def patient_of(session: Session, visit: Visit) -> Patient:
    patient = session.get(Patient, visit.patient_id)
    assert patient is not None
    return patient
