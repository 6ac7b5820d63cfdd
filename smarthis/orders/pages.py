"""The results workstation: one paraclinical room's queue and today's worklist of its kind
(lab sampling and results, imaging and functional-test reports), verification by a second
person and corrections."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.db import Database
from smarthis.queueing import service as queue
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)

KIND_NAMES_VI = {
    "lab": "xét nghiệm",
    "xray": "X-quang",
    "ct": "CT",
    "mri": "MRI",
    "ultrasound": "siêu âm",
    "ecg": "điện tim",
    "endoscopy": "nội soi",
    "procedure": "thủ thuật",
}


@router.get("/results/{point_code}")
def results_workstation(
    point_code: str,
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_ENTER)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        point = queue.get_point(session, principal.facility_code, point_code)
    return render(
        request,
        "results_workstation.html",
        principal,
        db,
        point=point,
        kind_vi=KIND_NAMES_VI.get(point.kind, point.kind),
    )
