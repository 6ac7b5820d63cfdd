"""The doctor's workstation (one examination room's queue and the visit being examined)
and the patient record page (the EMR timeline) of any clinical workstation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.db import Database
from smarthis.insurance.copay.loader import load_rules
from smarthis.queueing import service as queue
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/doctor/{point_code}")
def doctor_workstation(
    point_code: str,
    request: Request,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        point = queue.get_point(session, principal.facility_code, point_code)
    categories = [(c.code, c.name_vi) for c in load_rules().categories]
    return render(request, "doctor.html", principal, db, point=point, categories=categories)


@router.get("/patients/{patient_id}/record")
def patient_record(
    patient_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> Response:
    """The patient's EMR timeline; the page reads it from the timeline API, which audits."""
    return render(request, "patient_record.html", principal, db, patient_id=patient_id)
