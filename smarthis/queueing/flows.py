"""A registered visit gets its queue number: priority from the patient, insurance status
in plain words for the ticket."""

from __future__ import annotations

from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.errors import NotFound
from smarthis.patients import identifiers as ids
from smarthis.patients.models import Patient
from smarthis.queueing import service as queue
from smarthis.queueing.clock import service_day
from smarthis.queueing.models import Ticket
from smarthis.queueing.priority import priority_for
from smarthis.security.principal import Principal


def insurance_status_text(visit: Visit) -> str:
    status = visit.card_check_status
    if status in ("verified", "verified_check_id"):
        coverage = None
        if visit.bhyt_code:
            try:
                coverage = ids.parse_bhyt(visit.bhyt_code).coverage_percent
            except Exception:  # a card code the portal accepted but our parser does not know
                coverage = None
        level = f", mức hưởng {coverage}%" if coverage is not None else ""
        return f"BHYT: thẻ hợp lệ{level}"
    if status == "rejected":
        return "Khám dịch vụ (thẻ BHYT không dùng được)"
    if status in ("not_verified", "pending", "needs_correction"):
        return "BHYT: đang chờ xác minh thẻ"
    return "Khám dịch vụ"


def ticket_for_visit(
    db: Database,
    actor: Principal,
    visit_id: int,
    *,
    point_code: str | None = None,
    kind: str | None = None,
    specialty: str | None = None,
    declared_priority: str | None = None,
    idempotency_key: str | None = None,
    via: str = "reception",
) -> Ticket:
    with db.session() as session:
        visit = session.get(Visit, visit_id)
        if visit is None or visit.facility_code != actor.facility_code:
            raise NotFound(
                "visit_not_found",
                f"Không có lượt khám {visit_id}",
                f"No visit {visit_id}",
                field="visit_id",
            )
        patient = session.get(Patient, visit.patient_id)
        assert patient is not None
        request = visit_ticket_request(
            visit,
            patient,
            point_code=point_code,
            kind=kind,
            specialty=specialty,
            declared_priority=declared_priority,
            idempotency_key=idempotency_key,
            via=via,
        )
    return queue.issue_ticket_once(db, actor, request)


def visit_ticket_request(
    visit: Visit,
    patient: Patient,
    *,
    point_code: str | None = None,
    kind: str | None = None,
    specialty: str | None = None,
    declared_priority: str | None = None,
    idempotency_key: str | None = None,
    via: str = "reception",
) -> queue.TicketRequest:
    """What the queue needs to number a visit: priority from the patient (age, emergency),
    the insurance answer in words for the ticket."""
    if visit.arrival_mode == "emergency" and declared_priority is None:
        declared_priority = "emergency"
    day = service_day()
    group = priority_for(declared_priority, patient.date_of_birth, patient.birth_year, day)
    return queue.TicketRequest(
        point_code=point_code,
        kind=kind,
        specialty=specialty,
        visit_id=visit.id,
        patient_id=patient.id,
        full_name=patient.full_name,
        priority_group=group,
        insurance_status_vi=insurance_status_text(visit),
        via=via,
        idempotency_key=idempotency_key,
    )
