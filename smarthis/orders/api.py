"""JSON routes of orders, specimens and results (one permission each)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from smarthis.db import MAX_ID, Database
from smarthis.orders import service
from smarthis.orders.kiosk_results_api import router as kiosk_results_router
from smarthis.orders.models import Order, OrderItem, Specimen
from smarthis.orders.presenters import item_results_out, lab_result_out, report_out
from smarthis.orders.schemas import (
    CorrectionIn,
    ItemOut,
    ItemResultsOut,
    LabResultOut,
    OrderIn,
    OrderOut,
    PatientResultsOut,
    ReportIn,
    ReportOut,
    ResultsIn,
    RouteStopOut,
    SpecimenOut,
)
from smarthis.orders.worklist_api import router as worklist_router
from smarthis.patients.models import Patient
from smarthis.printing.order_slip import OrderSlip, SlipStop, order_slip_pdf
from smarthis.printing.specimen_label import SpecimenLabel, specimen_label_pdf
from smarthis.queueing.names import mask_name
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

Id = Annotated[int, Path(ge=1, le=MAX_ID)]

orders_router = APIRouter(prefix="/api/orders", tags=["orders"])
patient_results_router = APIRouter(prefix="/api/patients", tags=["results"])


def _item_out(session: Session, item: OrderItem) -> ItemOut:
    accession = None
    if item.specimen_id is not None:
        specimen = session.get(Specimen, item.specimen_id)
        accession = specimen.accession_number if specimen else None
    return ItemOut(
        id=item.id,
        service_code=item.service_code,
        service_name=item.service_name,
        kind=item.kind,
        point_kind=item.point_kind,
        status=item.status,
        ticket_id=item.ticket_id,
        accession_number=accession,
        hospital_price_vnd=item.hospital_price_vnd,
        insurance_price_vnd=item.insurance_price_vnd,
    )


def _order_out(
    session: Session, order: Order, items: list[OrderItem], route: list[service.RouteStop]
) -> OrderOut:
    return OrderOut(
        id=order.id,
        visit_id=order.visit_id,
        patient_id=order.patient_id,
        ordered_by=order.ordered_by,
        ordered_at=order.ordered_at,
        items=[_item_out(session, item) for item in items],
        route=[RouteStopOut(**stop.__dict__) for stop in route],
        slip_url=f"/api/orders/{order.id}/slip.pdf",
    )


@orders_router.post("", status_code=201)
def place_order(
    body: OrderIn,
    principal: Principal = Depends(require(Permission.ORDER_WRITE)),
    db: Database = Depends(database),
) -> OrderOut:
    with db.session() as session:
        placed = service.place_order(session, principal, body.visit_id, body.services)
        return _order_out(session, placed.order, placed.items, placed.route)


@orders_router.get("/visit/{visit_id}")
def visit_orders(
    visit_id: Id,
    principal: Principal = Depends(require(Permission.ORDER_READ)),
    db: Database = Depends(database),
) -> list[OrderOut]:
    with db.session() as session:
        return [
            _order_out(
                session,
                order,
                service.items_of(session, order.id),
                service.order_route(session, principal, order),
            )
            for order in service.orders_for_visit(session, principal, visit_id)
        ]


@orders_router.get("/visit/{visit_id}/results")
def visit_results(
    visit_id: Id,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> list[ItemResultsOut]:
    """The ordering doctor's view: every result of the visit, verified or not."""
    with db.session() as session:
        found = service.results_for_visit(session, principal, visit_id, verified_only=False)
        return [item_results_out(one) for one in found]


@orders_router.get("/{order_id}/slip.pdf")
def slip_pdf(
    order_id: Id,
    request: Request,
    principal: Principal = Depends(require(Permission.ORDER_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        order = service.get_order(session, principal, order_id)
        patient = session.get(Patient, order.patient_id)
        assert patient is not None
        route = service.order_route(session, principal, order)
        slip = OrderSlip(
            hospital_name=request.app.state.settings.facility_name,
            masked_name=mask_name(patient.full_name),
            mrn=patient.mrn,
            order_id=order.id,
            ordered_by=order.ordered_by,
            ordered_at=order.ordered_at,
            stops=[
                SlipStop(
                    room_name=stop.point_name,
                    room_label=stop.room_label,
                    floor=stop.floor,
                    display_number=stop.display_number,
                    expected_wait_minutes=stop.expected_wait_minutes,
                    services=stop.services,
                )
                for stop in route
            ],
        )
    return Response(
        order_slip_pdf(slip),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="phieu-chi-dan-{order_id}.pdf"'},
    )


@orders_router.post("/items/{item_id}/specimen", status_code=201)
def collect_specimen(
    item_id: Id,
    principal: Principal = Depends(require(Permission.SPECIMEN_COLLECT)),
    db: Database = Depends(database),
) -> SpecimenOut:
    with db.session() as session:
        collected = service.collect_specimen(session, principal, item_id)
        specimen = collected.specimen
        return SpecimenOut(
            accession_number=specimen.accession_number,
            specimen_type=specimen.specimen_type,
            collected_at=specimen.collected_at,
            collected_by=specimen.collected_by,
            item_ids=[item.id for item in collected.items],
            label_url=f"/api/orders/specimens/{specimen.accession_number}/label.pdf",
        )


@orders_router.get("/specimens/{accession}/label.pdf")
def specimen_label(
    accession: Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[0-9]+$")],
    principal: Principal = Depends(require(Permission.SPECIMEN_COLLECT)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        found = service.specimen_by_accession(session, principal, accession)
        label = SpecimenLabel(
            accession_number=found.specimen.accession_number,
            masked_name=mask_name(found.patient.full_name),
            birth_year=found.patient.birth_year,
            sex=found.patient.sex,
            specimen_type=found.specimen.specimen_type,
            tests=[item.service_code for item in found.items],
            collected_at=found.specimen.collected_at,
        )
    return Response(
        specimen_label_pdf(label),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="nhan-mau-{accession}.pdf"'},
    )


@orders_router.post("/items/{item_id}/results", status_code=201)
def enter_results(
    item_id: Id,
    body: ResultsIn,
    principal: Principal = Depends(require(Permission.RESULT_ENTER)),
    db: Database = Depends(database),
) -> list[LabResultOut]:
    with db.session() as session:
        results = service.enter_lab_results(
            session, principal, item_id, [(v.analyte_code, v.value) for v in body.values]
        )
        return [lab_result_out(result) for result in results]


@orders_router.post("/results/{result_id}/correct", status_code=201)
def correct_result(
    result_id: Id,
    body: CorrectionIn,
    principal: Principal = Depends(require(Permission.RESULT_ENTER)),
    db: Database = Depends(database),
) -> LabResultOut:
    with db.session() as session:
        return lab_result_out(
            service.correct_result(session, principal, result_id, body.value, body.reason)
        )


@orders_router.post("/items/{item_id}/report", status_code=201)
def enter_report(
    item_id: Id,
    body: ReportIn,
    principal: Principal = Depends(require(Permission.RESULT_ENTER)),
    db: Database = Depends(database),
) -> ReportOut:
    with db.session() as session:
        return report_out(
            service.enter_report(
                session,
                principal,
                item_id,
                technique=body.technique,
                findings=body.findings,
                conclusion=body.conclusion,
                correction_reason=body.correction_reason,
            )
        )


@orders_router.post("/items/{item_id}/verify")
def verify(
    item_id: Id,
    principal: Principal = Depends(require(Permission.RESULT_VERIFY)),
    db: Database = Depends(database),
) -> ItemOut:
    with db.session() as session:
        return _item_out(session, service.verify(session, principal, item_id))


@patient_results_router.get("/{patient_id}/results")
def patient_results(
    patient_id: Id,
    verified_only: Annotated[bool, Query()] = False,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> PatientResultsOut:
    with db.session() as session:
        found = service.results_for_patient(session, principal, patient_id, verified_only)
        return PatientResultsOut(
            patient_id=patient_id,
            verified_only=verified_only,
            items=[item_results_out(one) for one in found],
        )


# One router for the app to mount: the orders, the patient's results, the kiosk lookup.
router = APIRouter()
router.include_router(worklist_router)
router.include_router(orders_router)
router.include_router(patient_results_router)
router.include_router(kiosk_results_router)
