"""JSON routes for visits (registration with the card check)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from smarthis.clinical import service
from smarthis.clinical.models import Visit
from smarthis.clinical.schemas import VisitCreate, VisitOut
from smarthis.db import Database
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/visits", tags=["visits"])


def visit_out(visit: Visit) -> VisitOut:
    out = VisitOut.model_validate(visit)
    out.card_check_status_vi = service.CARD_STATUS_NAMES_VI.get(visit.card_check_status, "")
    return out


@router.post("", status_code=201)
def register_visit(
    body: VisitCreate,
    request: Request,
    principal: Principal = Depends(require(Permission.VISIT_REGISTER)),
    db: Database = Depends(database),
) -> VisitOut:
    visit = service.register_visit(
        db,
        principal,
        request.app.state.portal,
        request.app.state.settings,
        service.VisitRequest(**body.model_dump()),
    )
    return visit_out(visit)


@router.get("/unverified")
def unverified_visits(
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> list[VisitOut]:
    with db.session() as session:
        return [visit_out(v) for v in service.unverified_visits(session, principal)]


@router.get("/{visit_id}")
def read_visit(
    visit_id: int,
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> VisitOut:
    with db.session() as session:
        return visit_out(service.get_visit(session, principal, visit_id))
