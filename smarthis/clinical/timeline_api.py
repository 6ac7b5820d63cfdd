"""The patient's EMR timeline and the printable outpatient visit record.

Both carry result values, so both need RESULT_READ (doctors, nurses, technicians,
radiologists, pharmacists, administrators) rather than VISIT_READ, which reception and the
cashier also hold. Every read is audited with the patient's id."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from smarthis.clinical import examination, timeline
from smarthis.clinical.papers import Hospital
from smarthis.clinical.visit_record_pdf import visit_record_pdf
from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.pharmacy import service as pharmacy
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(tags=["timeline"])


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: str
    title_vi: str
    detail: str
    visit_id: int
    pending: bool


class VisitTimelineOut(BaseModel):
    visit_id: int
    visit_number: str
    registered_at: datetime
    status: str
    entries: list[TimelineEntryOut]


class PatientTimelineOut(BaseModel):
    patient_id: int
    mrn: str
    full_name: str
    visits: list[VisitTimelineOut]


@router.get("/api/patients/{patient_id}/timeline")
def patient_timeline(
    patient_id: int,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> PatientTimelineOut:
    with db.session() as session:
        found = timeline.patient_timeline(session, principal, patient_id)
        return PatientTimelineOut(
            patient_id=found.patient.id,
            mrn=found.patient.mrn,
            full_name=found.patient.full_name,
            visits=[
                VisitTimelineOut(
                    visit_id=v.visit.id,
                    visit_number=v.visit.visit_number,
                    registered_at=v.visit.registered_at,
                    status=v.visit.status,
                    entries=[TimelineEntryOut(**e.__dict__) for e in v.entries],
                )
                for v in found.visits
            ],
        )


@router.get("/api/visits/{visit_id}/record.pdf")
def visit_record(
    visit_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> Response:
    settings = request.app.state.settings
    with db.session() as session:
        record = examination.visit_record(session, principal, visit_id)
        results = orders.results_for_visit(session, principal, visit_id, verified_only=False)
        prescription = pharmacy.prescriptions_for_visits(session, [visit_id]).get(visit_id)
        exam = record.examination
        doctor = examination._staff_name(
            session, (exam.concluded_by or exam.started_by) if exam else None
        )
        content = visit_record_pdf(
            record,
            results,
            prescription,
            Hospital(name=settings.facility_name, code=settings.facility_code),
            doctor or "",
        )
        number = record.visit.visit_number
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="phieu-kham-{number}.pdf"'},
    )
