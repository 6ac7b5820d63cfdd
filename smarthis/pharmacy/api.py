"""JSON routes of the prescription, its printed form, and the drug search.

Writing needs PRESCRIPTION_WRITE (doctors, administrators); reading and printing need
VISIT_READ, as the pharmacist dispenses and the cashier bills from it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from smarthis.catalogs.drugs import search_drugs
from smarthis.clinical import examination
from smarthis.clinical.papers import Hospital
from smarthis.db import Database
from smarthis.pharmacy import service
from smarthis.pharmacy.prescription_pdf import prescription_pdf
from smarthis.pharmacy.schemas import (
    DrugOut,
    PrescriptionIn,
    PrescriptionItemOut,
    PrescriptionOut,
)
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(tags=["prescriptions"])


def prescription_out(view: service.PrescriptionView) -> PrescriptionOut:
    p = view.prescription
    return PrescriptionOut(
        id=p.id,
        visit_id=p.visit_id,
        patient_id=p.patient_id,
        status=p.status,
        prescribed_by=p.prescribed_by,
        prescribed_at=p.prescribed_at,
        issued_at=p.issued_at,
        diagnosis_text=p.diagnosis_text,
        advice=p.advice,
        total_vnd=service.total_vnd(view),
        items=[PrescriptionItemOut.model_validate(item) for item in view.items],
    )


@router.post("/api/visits/{visit_id}/prescription")
def save_prescription(
    visit_id: int,
    body: PrescriptionIn,
    principal: Principal = Depends(require(Permission.PRESCRIPTION_WRITE)),
    db: Database = Depends(database),
) -> PrescriptionOut:
    with db.session() as session:
        view = service.save_prescription(
            session,
            principal,
            visit_id,
            [service.ItemInput(**item.model_dump()) for item in body.items],
            advice=body.advice,
            issue=body.issue,
        )
        return prescription_out(view)


@router.get("/api/visits/{visit_id}/prescription")
def read_prescription(
    visit_id: int,
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> PrescriptionOut:
    with db.session() as session:
        return prescription_out(service.require_prescription(session, principal, visit_id))


@router.get("/api/visits/{visit_id}/prescription.pdf")
def print_prescription(
    visit_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> Response:
    settings = request.app.state.settings
    with db.session() as session:
        view = service.require_prescription(session, principal, visit_id)
        record = examination.visit_record(session, principal, visit_id)
        hospital = Hospital(name=settings.facility_name, code=settings.facility_code)
        doctor = examination._staff_name(session, view.prescription.prescribed_by) or ""
        content = prescription_pdf(record, view, hospital, doctor)
        number = record.visit.visit_number
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="don-thuoc-{number}.pdf"'},
    )


@router.get("/api/catalog/drugs")
def drug_search(
    q: str = Query(default="", max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    _principal: Principal = Depends(require(Permission.CATALOG_READ)),
) -> list[DrugOut]:
    return [
        DrugOut(
            code=d.code,
            active_ingredient=d.active_ingredient,
            brand_name=d.brand_name,
            strength=d.strength,
            dosage_form=d.dosage_form,
            route=d.route,
            unit=d.unit,
            price_vnd=d.price_vnd,
            insurance_covered=d.insurance_covered,
            insurance_ratio=d.insurance_ratio,
            controlled=d.controlled,
            needs_special_prescription=d.needs_special_prescription,
        )
        for d in search_drugs(q, limit=limit)
    ]
