"""A concluded visit's record into the outbox, in the conclusion's own transaction: the
portal learns of the visit only if the conclusion commits, and surely once it has.

The document is rendered now, so the outbox holds exactly what the portal will receive
(results verified or drugs issued after the conclusion are not in it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.config import Settings, get_settings
from smarthis.integrations import outbox
from smarthis.integrations.emr.payload import FORMAT, render, visit_payload
from smarthis.integrations.emr.settings import EmrSettings
from smarthis.integrations.fhir.export import facility_of
from smarthis.security import audit
from smarthis.security.principal import Principal

CHANNEL = "emr"
MESSAGE_TYPE = "EMR_VISIT"


def message_id(visit: Visit) -> str:
    """One per visit: a visit is concluded once, and the portal drops a repeat of it."""
    return f"EMR-{visit.facility_code}-{visit.id}"


def queue_visit_export(
    session: Session,
    actor: Principal,
    visit: Visit,
    settings: Settings | None = None,
    emr_settings: EmrSettings | None = None,
) -> outbox.OutboxMessage | None:
    if not (emr_settings or EmrSettings()).enabled:
        return None
    settings = settings or get_settings()
    key = message_id(visit)
    payload = visit_payload(session, visit, facility_of(settings), key)
    message = outbox.enqueue(
        session,
        facility_code=visit.facility_code,
        channel=CHANNEL,
        message_type=MESSAGE_TYPE,
        message_control_id=key,
        payload=render(payload),
        reference=f"visit:{visit.id}",
    )
    audit.record(
        session,
        actor,
        "emr.export.queue",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number, "message": key, "format": FORMAT},
    )
    return message
