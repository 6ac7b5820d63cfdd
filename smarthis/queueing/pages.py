"""Pages of the queue: caller console, statistics, display boards, door displays, and the
public page behind the QR code on a ticket."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from smarthis.db import Database
from smarthis.errors import NotFound
from smarthis.queueing import display
from smarthis.queueing import service as queue
from smarthis.queueing.board import eligible_waiting, queue_order
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/console")
def console_index(
    request: Request,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        points = list(
            session.execute(
                select(ServicePoint)
                .where(ServicePoint.facility_code == principal.facility_code)
                .order_by(ServicePoint.area_code, ServicePoint.code)
            ).scalars()
        )
    return render(request, "console_index.html", principal, db, points=points)


@router.get("/console/{code}")
def console(
    code: str,
    request: Request,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        point = queue.get_point(session, principal.facility_code, code)
        others = list(
            session.execute(
                select(ServicePoint)
                .where(
                    ServicePoint.facility_code == principal.facility_code,
                    ServicePoint.code != code,
                    ServicePoint.active.is_(True),
                )
                .order_by(ServicePoint.kind, ServicePoint.code)
            ).scalars()
        )
    return render(request, "console.html", principal, db, point=point, others=others)


@router.get("/stats")
def stats_page(
    request: Request,
    principal: Principal = Depends(require(Permission.QUEUE_STATS)),
    db: Database = Depends(database),
) -> Response:
    return render(request, "stats.html", principal, db)


@router.get("/display/room/{code}")
def door_display(
    code: str,
    request: Request,
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        state = display.room_state(session, principal.facility_code, code)
    return render(request, "door.html", principal, db, code=code, state=state)


@router.get("/display/{area}")
def board(
    area: str,
    request: Request,
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        state = display.area_state(session, principal.facility_code, area)
    return render(request, "board.html", principal, db, area=area, state=state)


@router.get("/t/{token}", dependencies=[Depends(require(Permission.PUBLIC))])
def ticket_status(token: str, request: Request, db: Database = Depends(database)) -> Response:
    """Behind the QR on a ticket: where the patient stands, without any personal data."""
    with db.session() as session:
        ticket = session.execute(
            select(Ticket).where(Ticket.lookup_token == token[:32])
        ).scalar_one_or_none()
        if ticket is None:
            raise NotFound(
                "ticket_not_found",
                "Không tìm thấy số thứ tự (mã QR không đúng hoặc đã hết hạn)",
                "No such ticket",
                field="token",
            )
        point = queue.get_point(session, ticket.facility_code, ticket.service_point_code)
        ahead = None
        if ticket.status in ("waiting", "skipped"):
            order = [
                t.id
                for t in session.execute(
                    select(Ticket.id)
                    .where(*eligible_waiting(point, ticket.service_day))
                    .order_by(*queue_order())
                ).all()
            ]
            ahead = order.index(ticket.id) if ticket.id in order else None
    return render(request, "ticket_status.html", None, db, ticket=ticket, point=point, ahead=ahead)
