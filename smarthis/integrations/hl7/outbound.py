"""Lab orders to the LIS: written to the outbox with the order, sent by the delivery worker.

The message is rendered when the order is placed (the outbox keeps exactly what will be
sent), with a control ID from a per-facility database counter: unique, and the LIS drops
a repeat of it when our retry crosses its lost acknowledgement."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.config import Settings, get_settings
from smarthis.counters import next_value
from smarthis.db import utcnow
from smarthis.integrations import outbox
from smarthis.integrations.hl7.order_message import (
    CHANGE_ORDER,
    NEW_ORDER,
    Endpoints,
    LabOrder,
    PatientPart,
    TestPart,
    build_order_message,
    order_message_type,
)
from smarthis.orders.models import Order, OrderItem, Specimen
from smarthis.patients.models import Patient

CHANNEL = "lis"
LAB_KIND = "lab"


def endpoints_from(settings: Settings) -> Endpoints:
    return Endpoints(
        sending_application=settings.lis_sending_application,
        sending_facility=settings.lis_sending_facility or settings.facility_code,
        receiving_application=settings.lis_receiving_application,
        receiving_facility=settings.lis_receiving_facility,
    )


def next_control_id(session: Session, facility_code: str) -> str:
    """MSH-10 (at most 20 characters): facility code + a gap-free database sequence."""
    return f"{facility_code}{next_value(session, f'hl7-control:{facility_code}'):010d}"


def lab_order_of(session: Session, order: Order, items: Sequence[OrderItem]) -> LabOrder:
    patient = session.get(Patient, order.patient_id)
    visit = session.get(Visit, order.visit_id)
    assert patient is not None and visit is not None
    specimen_ids = {i.specimen_id for i in items if i.specimen_id is not None}
    accessions = dict(
        session.execute(
            select(Specimen.id, Specimen.accession_number).where(Specimen.id.in_(specimen_ids))
        ).all()
    )
    return LabOrder(
        order_id=order.id,
        ordered_by=order.ordered_by,
        ordered_at=order.ordered_at,
        visit_number=visit.visit_number,
        emergency=visit.arrival_mode == "emergency",
        patient=PatientPart(
            mrn=patient.mrn,
            full_name=patient.full_name,
            date_of_birth=patient.date_of_birth,
            birth_year=patient.birth_year,
            sex=patient.sex,
        ),
        tests=[
            TestPart(
                item_id=i.id,
                service_code=i.service_code,
                service_name=i.service_name,
                accession_number=accessions.get(i.specimen_id) if i.specimen_id else None,
            )
            for i in items
        ],
    )


def queue_lab_order(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    settings: Settings | None = None,
) -> outbox.OutboxMessage | None:
    """Called by place_order inside its transaction: the LIS learns of the order only if
    the order commits, and surely once it has."""
    return _queue(session, order, items, NEW_ORDER, f"order:{order.id}", settings)


def queue_specimen_collected(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    specimen: Specimen,
    settings: Settings | None = None,
) -> outbox.OutboxMessage | None:
    """Called by collect_specimen inside its transaction: the tests in this tube, sent
    again as a change of order (ORC-1 XO) carrying the tube's accession number (OBR-18)."""
    return _queue(session, order, items, CHANGE_ORDER, f"specimen:{specimen.id}", settings)


def _queue(
    session: Session,
    order: Order,
    items: Sequence[OrderItem],
    order_control: str,
    reference: str,
    settings: Settings | None,
) -> outbox.OutboxMessage | None:
    lab_items = [i for i in items if i.kind == LAB_KIND and i.status != "cancelled"]
    if not lab_items:
        return None
    settings = settings or get_settings()
    message_type = order_message_type(settings.lis_order_message)
    control_id = next_control_id(session, order.facility_code)
    payload = build_order_message(
        lab_order_of(session, order, lab_items),
        endpoints_from(settings),
        control_id,
        utcnow(),
        settings.lis_order_message,
        order_control,
    )
    return outbox.enqueue(
        session,
        facility_code=order.facility_code,
        channel=CHANNEL,
        message_type="^".join(message_type.split("^")[:2]),
        message_control_id=control_id,
        payload=payload,
        reference=reference,
    )
