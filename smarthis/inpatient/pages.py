"""Inpatient screens: the wards, a ward's live bed board, and a stay's record screen. The
pages are thin; they read and write through the JSON API (which audits)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from smarthis.db import MAX_ID, Database
from smarthis.inpatient import wards
from smarthis.inpatient.common import get_stay
from smarthis.inpatient.service import DISCHARGE_KINDS_VI
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission, Role
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/inpatient")
def ward_list(
    request: Request,
    principal: Principal = Depends(require(Permission.INPATIENT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        found = wards.list_wards(session, principal.facility_code)
    return render(request, "inpatient_wards.html", principal, db, wards=found)


@router.get("/inpatient/wards/{code}")
def bed_board(
    code: Annotated[str, Path(max_length=32)],
    request: Request,
    principal: Principal = Depends(require(Permission.INPATIENT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        ward = wards.get_ward(session, principal.facility_code, code)
        all_wards = [w for w, _ in wards.list_wards(session, principal.facility_code)]
    return render(
        request,
        "inpatient_board.html",
        principal,
        db,
        ward=ward,
        wards=all_wards,
        is_doctor=principal.role in (Role.DOCTOR, Role.ADMIN),
    )


@router.get("/inpatient/stays/{stay_id}")
def stay_screen(
    stay_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    principal: Principal = Depends(require(Permission.INPATIENT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        stay = get_stay(session, principal, stay_id)  # 404 for another hospital's stay
        all_wards = [w for w, _ in wards.list_wards(session, principal.facility_code)]
    return render(
        request,
        "inpatient_stay.html",
        principal,
        db,
        stay_id=stay.id,
        wards=all_wards,
        discharge_kinds=DISCHARGE_KINDS_VI,
        is_doctor=principal.role in (Role.DOCTOR, Role.ADMIN),
    )
