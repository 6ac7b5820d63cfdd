"""JSON routes of the queue: issuing, the caller console, statistics."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.db import MAX_ID, Database
from smarthis.errors import DomainError
from smarthis.queueing import service as queue
from smarthis.queueing.choices import menu
from smarthis.queueing.clock import service_day
from smarthis.queueing.flows import ticket_for_visit
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.priority import PRIORITY_NAMES_VI
from smarthis.queueing.schemas import (
    ChoiceOut,
    ChoicesOut,
    PointLists,
    TicketIssue,
    TicketOut,
    TransferIn,
)
from smarthis.queueing.stats import day_statistics
from smarthis.queueing.tickets import pdf_response
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/queue", tags=["queue"])
# Beyond BIGINT the database cannot even compare the id: a 422 naming the field, not a 500.
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]


def ticket_out(session: Session, ticket: Ticket) -> TicketOut:
    return ticket_out_at(
        ticket, queue.find_point(session, ticket.facility_code, ticket.service_point_code)
    )


def ticket_out_at(ticket: Ticket, point: ServicePoint | None) -> TicketOut:
    out = TicketOut.model_validate(ticket)
    if point is not None:
        out.service_point_name, out.room_label, out.floor = (
            point.name,
            point.room_label,
            point.floor,
        )
    out.priority_name_vi = PRIORITY_NAMES_VI.get(ticket.priority_group or "")
    return out


def _start_ordered_items(session: Session, principal: Principal, ticket: Ticket) -> None:
    """A paraclinical room called the patient: the order items the ticket carries start.

    The hook lives here, in the API layer, so the queue engine (queueing.service) never
    imports orders: orders depend on the queue (they issue tickets), not the reverse. The
    import is deferred for the same reason; same transaction as the call."""
    from smarthis.orders.service import ticket_called

    ticket_called(session, principal, ticket)


@router.post("/tickets", status_code=201)
def issue_ticket(
    body: TicketIssue,
    principal: Principal = Depends(require(Permission.QUEUE_ISSUE)),
    db: Database = Depends(database),
) -> TicketOut:
    if body.visit_id is not None:
        ticket = ticket_for_visit(
            db,
            principal,
            body.visit_id,
            point_code=body.point_code,
            kind=body.kind,
            specialty=body.specialty,
            declared_priority=body.priority,
            idempotency_key=body.idempotency_key,
        )
    else:
        if body.priority not in (None, "emergency", "pregnant", "disability"):
            raise DomainError(
                "priority_group", "Nhóm ưu tiên không hợp lệ", "Invalid priority", "priority"
            )
        ticket = queue.issue_ticket_once(
            db,
            principal,
            queue.TicketRequest(
                point_code=body.point_code,
                kind=body.kind,
                specialty=body.specialty,
                priority_group=body.priority,
                idempotency_key=body.idempotency_key,
            ),
        )
    with db.session() as session:
        return ticket_out(session, ticket)


@router.get("/choices")
def choices(
    principal: Principal = Depends(require(Permission.QUEUE_ISSUE)),
    db: Database = Depends(database),
) -> ChoicesOut:
    """Reception's menu: specialties and take-a-number services with their expected waits."""
    offered = menu(db, principal.facility_code)
    return ChoicesOut(
        specialties=[ChoiceOut(**c.__dict__) for c in offered.examinations],
        services=[ChoiceOut(**c.__dict__) for c in offered.services],
    )


@router.get("/tickets/{ticket_id}/ticket.pdf")
def ticket_pdf(
    ticket_id: TicketId,
    request: Request,
    principal: Principal = Depends(require(Permission.QUEUE_ISSUE)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        ticket = queue.get_ticket(session, principal, ticket_id, lock=False)
        return pdf_response(session, request.app.state.settings, ticket, str(request.base_url))


@router.get("/points")
def list_points(
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> list[dict[str, str | None]]:
    with db.session() as session:
        points = session.execute(
            select(ServicePoint)
            .where(ServicePoint.facility_code == principal.facility_code)
            .order_by(ServicePoint.area_code, ServicePoint.code)
        ).scalars()
        return [
            {
                "code": p.code,
                "name": p.name,
                "kind": p.kind,
                "area": p.area_code,
                "room_label": p.room_label,
                "specialty": p.specialty,
            }
            for p in points
        ]


@router.get("/points/{code}")
def point_lists(
    code: str,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> PointLists:
    with db.session() as session:
        point = queue.get_point(session, principal.facility_code, code)
        lists = queue.point_lists(session, principal, code)
        return PointLists(
            code=point.code,
            name=point.name,
            room_label=point.room_label,
            **{k: [ticket_out(session, t) for t in v] for k, v in lists.items()},
        )


@router.post("/points/{code}/call-next")
def call_next(
    code: str,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> TicketOut | None:
    with db.session() as session:
        ticket = queue.call_next(session, principal, code)
        if ticket is None:
            return None
        _start_ordered_items(session, principal, ticket)
        return ticket_out(session, ticket)


@router.post("/tickets/{ticket_id}/recall")
def recall(
    ticket_id: TicketId,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> TicketOut:
    with db.session() as session:
        ticket = queue.recall(session, principal, ticket_id)
        _start_ordered_items(session, principal, ticket)
        return ticket_out(session, ticket)


@router.post("/tickets/{ticket_id}/skip")
def skip(
    ticket_id: TicketId,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> TicketOut:
    with db.session() as session:
        return ticket_out(session, queue.skip(session, principal, ticket_id))


@router.post("/tickets/{ticket_id}/complete")
def complete(
    ticket_id: TicketId,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> TicketOut | None:
    """Returns the new ticket when the patient goes back to the room that sent them."""
    with db.session() as session:
        back = queue.complete(session, principal, ticket_id)
        return ticket_out(session, back) if back is not None else None


@router.post("/tickets/{ticket_id}/transfer")
def transfer(
    ticket_id: TicketId,
    body: TransferIn,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> TicketOut:
    with db.session() as session:
        new = queue.transfer(session, principal, ticket_id, body.to_point_code, body.return_after)
        return ticket_out(session, new)


@router.get("/stats")
def statistics(
    day: date | None = None,
    principal: Principal = Depends(require(Permission.QUEUE_STATS)),
    db: Database = Depends(database),
) -> dict[str, object]:
    with db.session() as session:
        return day_statistics(session, principal.facility_code, day or service_day())


@router.get("/tickets/{ticket_id}")
def read_ticket(
    ticket_id: TicketId,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> TicketOut:
    with db.session() as session:
        return ticket_out(session, queue.get_ticket(session, principal, ticket_id, lock=False))
