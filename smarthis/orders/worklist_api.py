"""The results workstation's worklist: today's order items of one paraclinical room's kind,
with what the technician or radiologist needs to enter them (analytes with unit and the
patient's reference range, the results or report already written). Every patient listed is
audited (one entry per patient, with the items shown)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.catalogs.lab import NoReferenceRange, lab_analytes, reference_range
from smarthis.catalogs.service_catalog import find_service
from smarthis.db import Database
from smarthis.orders import service
from smarthis.orders.models import Order, OrderItem, Specimen
from smarthis.orders.presenters import lab_result_out, report_out
from smarthis.orders.schemas import LabResultOut, ReportOut
from smarthis.patients.models import Patient
from smarthis.queueing import service as queue
from smarthis.queueing.clock import service_day
from smarthis.queueing.models import Ticket
from smarthis.queueing.names import mask_name
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/orders", tags=["orders"])

PointCode = Annotated[str, Path(min_length=1, max_length=32)]


class AnalyteOut(BaseModel):
    code: str
    name_vi: str
    unit: str
    range_text: str | None


class WorklistItemOut(BaseModel):
    item_id: int
    order_id: int
    visit_id: int
    patient_id: int
    masked_name: str
    age_years: int | None
    sex: str | None
    service_code: str
    service_name: str
    kind: str
    status: str
    ticket_id: int | None
    display_number: str | None
    ticket_status: str | None
    accession_number: str | None
    label_url: str | None
    analytes: list[AnalyteOut]
    lab_results: list[LabResultOut]
    report: ReportOut | None


class WorklistOut(BaseModel):
    point_code: str
    point_name: str
    point_kind: str
    day: date
    items: list[WorklistItemOut]


def _analytes(item: OrderItem, patient: Patient, age: float | None) -> list[AnalyteOut]:
    if item.kind != service.LAB_KIND:
        return []
    out = []
    catalogue = lab_analytes()
    for code in find_service(item.service_code).analytes:
        analyte = catalogue[code]
        try:
            range_text: str | None = reference_range(code, patient.sex, age).text
        except NoReferenceRange:
            range_text = None
        out.append(
            AnalyteOut(code=code, name_vi=analyte.name_vi, unit=analyte.unit, range_text=range_text)
        )
    return out


def _worklist(session: Session, actor: Principal, point_code: str) -> WorklistOut:
    point = queue.get_point(session, actor.facility_code, point_code)
    day = service_day()
    rows = session.execute(
        select(OrderItem, Ticket, Order, Patient)
        .join(Ticket, Ticket.id == OrderItem.ticket_id)
        .join(Order, Order.id == OrderItem.order_id)
        .join(Patient, Patient.id == Order.patient_id)
        .where(
            OrderItem.facility_code == actor.facility_code,
            OrderItem.point_kind == point.kind,
            OrderItem.status != "cancelled",
            Ticket.service_day == day,
        )
        .order_by(Ticket.queued_at, OrderItem.id)
        .limit(500)
    ).all()
    items: list[WorklistItemOut] = []
    shown: dict[int, list[int]] = {}
    for item, ticket, order, patient in rows:
        age = service.patient_age_years(patient, day)
        accession = None
        if item.specimen_id is not None:
            specimen = session.get(Specimen, item.specimen_id)
            accession = specimen.accession_number if specimen else None
        report = service.current_report(session, item.id)
        items.append(
            WorklistItemOut(
                item_id=item.id,
                order_id=order.id,
                visit_id=order.visit_id,
                patient_id=patient.id,
                masked_name=mask_name(patient.full_name),
                age_years=int(age) if age is not None else None,
                sex=patient.sex,
                service_code=item.service_code,
                service_name=item.service_name,
                kind=item.kind,
                status=item.status,
                ticket_id=ticket.id,
                display_number=ticket.display_number,
                ticket_status=ticket.status,
                accession_number=accession,
                label_url=(f"/api/orders/specimens/{accession}/label.pdf" if accession else None),
                analytes=_analytes(item, patient, age),
                lab_results=[lab_result_out(r) for r in service.current_results(session, item.id)],
                report=report_out(report) if report is not None else None,
            )
        )
        shown.setdefault(patient.id, []).append(item.id)
    for patient_id, item_ids in shown.items():
        audit.record(
            session,
            actor,
            "worklist.read",
            patient_id=patient_id,
            detail={"point": point.code, "items": item_ids},
        )
    return WorklistOut(
        point_code=point.code,
        point_name=point.name,
        point_kind=point.kind,
        day=day,
        items=items,
    )


@router.get("/worklist/{point_code}")
def worklist(
    point_code: PointCode,
    principal: Principal = Depends(require(Permission.RESULT_ENTER)),
    db: Database = Depends(database),
) -> WorklistOut:
    """Today's items of the room's kind (every room of that kind shares the list)."""
    with db.session() as session:
        return _worklist(session, principal, point_code)
