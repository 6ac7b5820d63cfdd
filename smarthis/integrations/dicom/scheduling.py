"""The hook orders call when an order is placed: each imaging item becomes a scheduled
procedure with its own accession number, in the order's transaction (a rolled-back order
leaves neither a procedure nor a used number)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from smarthis.counters import next_value
from smarthis.db import utcnow
from smarthis.integrations.dicom.models import ImagingProcedure
from smarthis.integrations.dicom.stations import modality_of
from smarthis.orders.models import Order, OrderItem
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.queueing.models import Ticket


def accession_number(session: Session, facility_code: str) -> str:
    """yymmdd + 5 digits from the same gap-free daily counter as lab specimens, so one
    accession number names one thing in the hospital, whatever the department."""
    day = utcnow().astimezone(HOSPITAL_TZ).strftime("%y%m%d")
    return f"{day}{next_value(session, f'accession:{facility_code}:{day}'):05d}"


def schedule_imaging(
    session: Session, order: Order, items: Sequence[OrderItem]
) -> list[ImagingProcedure]:
    """Called by orders.service.place_order once the items are flushed."""
    procedures = []
    now = utcnow()
    for item in items:
        modality = modality_of(item.kind)
        if modality is None or item.ticket_id is None:
            continue
        ticket = session.get(Ticket, item.ticket_id)
        assert ticket is not None
        procedures.append(
            ImagingProcedure(
                facility_code=order.facility_code,
                order_item_id=item.id,
                order_id=order.id,
                visit_id=order.visit_id,
                patient_id=order.patient_id,
                accession_number=accession_number(session, order.facility_code),
                modality=modality,
                point_code=ticket.service_point_code,
                scheduled_at=now,
                status="scheduled",
            )
        )
    session.add_all(procedures)
    session.flush()
    return procedures
