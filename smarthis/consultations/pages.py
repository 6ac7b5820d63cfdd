"""Consultation pages: the schedule (list and new consultation) and one consultation (share
results, record the conclusion, minutes). Both read and write through the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from smarthis.db import MAX_ID, Database
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/consultations")
def consultations_page(
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> Response:
    return render(
        request,
        "consultations.html",
        principal,
        db,
        facility_code=principal.facility_code,
        may_write=principal.may(Permission.EXAMINATION_WRITE),
    )


@router.get("/consultations/{consultation_id}")
def consultation_page(
    consultation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> Response:
    return render(
        request,
        "consultation.html",
        principal,
        db,
        consultation_id=consultation_id,
        may_write=principal.may(Permission.EXAMINATION_WRITE),
    )
