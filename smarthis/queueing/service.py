"""The queue: issue tickets, call, recall, skip, transfer, complete.

Numbers come from the gap-free counters table (one row per group and day, incremented in
the issuing transaction); calls lock the service point's row so two clicks never call two
patients; every change is written to the event log and published after commit."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from smarthis import events
from smarthis.counters import next_value
from smarthis.db import Database, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.queueing.board import CALLABLE, queue_order, room_snapshot, room_values
from smarthis.queueing.clock import service_day
from smarthis.queueing.models import QueueEvent, QueuePolicy, ServicePoint, Ticket
from smarthis.queueing.names import call_name, mask_name
from smarthis.queueing.priority import Candidate, choose_next, rank_of
from smarthis.queueing.waits import (
    expected_wait_minutes,
    record_service_time,
    shortest_wait_point,
)
from smarthis.security import audit
from smarthis.security.principal import Principal, system_principal

NUMBER_DIGITS = 4
STATUS_NAMES_VI = {
    "waiting": "chờ",
    "called": "được gọi",
    "skipped": "bị bỏ qua",
    "completed": "đã xong",
    "transferred": "đã chuyển phòng",
    "no_show": "vắng mặt",
    "cancelled": "đã huỷ",
}


@dataclass
class TicketRequest:
    """What to queue for. Either a point code, or a kind (+ specialty) to route by wait."""

    point_code: str | None = None
    kind: str | None = None
    specialty: str | None = None
    visit_id: int | None = None
    patient_id: int | None = None
    full_name: str | None = None
    priority_group: str | None = None
    insurance_status_vi: str | None = None
    via: str = "reception"
    idempotency_key: str | None = None


# Built once (smarthis/db.py says why): every call, recall, transfer and ticket reads them.
_POINT = select(ServicePoint).where(
    ServicePoint.facility_code == bindparam("facility_code"),
    ServicePoint.code == bindparam("code"),
)
_POINT_LOCKED = _POINT.with_for_update()
_TICKET = select(Ticket).where(
    Ticket.id == bindparam("ticket_id"), Ticket.facility_code == bindparam("facility_code")
)
# populate_existing: a row read earlier in this session is refreshed under the lock.
_TICKET_LOCKED = _TICKET.with_for_update().execution_options(populate_existing=True)
_CALLED_AT_POINT = select(Ticket).where(
    Ticket.facility_code == bindparam("facility_code"),
    Ticket.service_point_code == bindparam("code"),
    Ticket.service_day == bindparam("day"),
    Ticket.status == "called",
)


_TICKETS = Ticket.__table__
_LINK_VISIT = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("ticket_id"))
    .values(visit_id=bindparam("linked_visit_id"))
)


def link_visit(session: Session, ticket: Ticket, visit_id: int) -> None:
    """Tie a ticket issued before its visit was numbered to the visit (the kiosk numbers
    the visit last). A Core UPDATE, then the ORM is told the value is stored: setting the
    attribute would have the unit of work flush it at commit, several times the cost."""
    session.execute(_LINK_VISIT, {"ticket_id": ticket.id, "linked_visit_id": visit_id})
    set_committed_value(ticket, "visit_id", visit_id)


def find_point(session: Session, facility_code: str, code: str) -> ServicePoint | None:
    values = {"facility_code": facility_code, "code": code}
    return session.execute(_POINT, values).scalar_one_or_none()


def get_point(
    session: Session, facility_code: str, code: str, *, lock: bool = False
) -> ServicePoint:
    statement = _POINT_LOCKED if lock else _POINT
    values = {"facility_code": facility_code, "code": code}
    point = session.execute(statement, values).scalar_one_or_none()
    if point is None:
        raise NotFound(
            "service_point_not_found",
            f"Không có phòng/quầy '{code}'",
            f"No service point '{code}'",
            field="point_code",
        )
    return point


def policy_for(session: Session, facility_code: str) -> QueuePolicy:
    policy = session.get(QueuePolicy, facility_code)
    return policy or QueuePolicy(
        facility_code=facility_code,
        priority_calls_per_normal=2,
        skip_back_after_minutes=5,
        max_skips=2,
    )


def announcement_text(point: ServicePoint, ticket: Ticket) -> str:
    """ "Mời số 0123, Nguyễn Văn A, vào phòng 105" (or "vào quầy 2")."""
    who = f", {ticket.call_name}" if ticket.call_name else ""
    label = point.room_label
    if not label:
        where = point.name[0].lower() + point.name[1:]
    elif label[0].isdigit():
        where = f"phòng {label}"
    else:
        where = label[0].lower() + label[1:]
    return f"Mời số {ticket.number:0{NUMBER_DIGITS}d}{who}, vào {where}"


def _audit(session: Session, actor: Principal, ticket: Ticket, action: str) -> None:
    if ticket.patient_id is not None:
        audit.record(
            session,
            actor,
            f"queue.{action}",
            patient_id=ticket.patient_id,
            detail={"ticket": ticket.display_number, "point": ticket.service_point_code},
        )


# Built once (smarthis/db.py says why); the values come with each execution.
_STORE_EVENT = insert(QueueEvent.__table__).returning(QueueEvent.__table__.c.id)


def _record_event(session: Session, point: ServicePoint, ticket: Ticket, kind: str) -> None:
    """Log the change and queue it for the boards, with the room's state after it."""
    day = ticket.service_day
    now = utcnow()
    payload: dict[str, Any] = {
        "kind": kind,
        "area": point.area_code,
        "service_point_code": point.code,
        "room_label": point.room_label,
        "room_name": point.name,
        "display_number": ticket.display_number,
        "masked_name": ticket.masked_name,
        "at": now.isoformat(),
        "room": room_snapshot(session, point, day),
    }
    if kind in ("called", "recalled"):
        payload["announce_vi"] = announcement_text(point, ticket)
    # Stored without its own id (readers add it from the row): one INSERT, no UPDATE after.
    # A Core statement: every queue change makes one, while the ticket counter is locked.
    events.store_and_emit(
        session,
        _STORE_EVENT,
        {
            "facility_code": point.facility_code,
            "at": now,
            "kind": kind,
            "area_code": point.area_code,
            "service_point_code": point.code,
            "ticket_id": ticket.id,
            "payload": json.dumps(payload, ensure_ascii=False),
        },
        {"topic": "queue", "facility": point.facility_code, **payload},
        "event_id",
    )


def _new_ticket(
    session: Session,
    actor: Principal,
    point: ServicePoint,
    request: TicketRequest,
    day: date,
    rank: int,
    wait: int,
) -> Ticket:
    number = next_value(session, f"ticket:{point.facility_code}:{day}:{point.queue_group}")
    now = utcnow()
    ticket = Ticket(
        facility_code=point.facility_code,
        service_day=day,
        queue_group=point.queue_group,
        number=number,
        display_number=f"{point.prefix}-{number:0{NUMBER_DIGITS}d}",
        service_point_code=point.code,
        visit_id=request.visit_id,
        patient_id=request.patient_id,
        masked_name=mask_name(request.full_name) if request.full_name else None,
        call_name=call_name(request.full_name) if request.full_name else None,
        priority_group=request.priority_group,
        priority_rank=rank,
        status="waiting",
        issued_at=now,
        queued_at=now,
        expected_wait_minutes=wait,
        issued_via=request.via,
        issued_by=actor.name,
        lookup_token=secrets.token_urlsafe(16),
        idempotency_key=request.idempotency_key,
        insurance_status_vi=request.insurance_status_vi,
    )
    session.add(ticket)
    session.flush()
    _record_event(session, point, ticket, "issued")
    _audit(session, actor, ticket, "issue")
    return ticket


def issue_ticket(session: Session, actor: Principal, request: TicketRequest) -> Ticket:
    return issue_ticket_with_point(session, actor, request)[0]


def issue_ticket_with_point(
    session: Session, actor: Principal, request: TicketRequest
) -> tuple[Ticket, ServicePoint]:
    """The new ticket and the room it went to (the printed ticket names the room)."""
    placement = place_ticket(session, actor, request)
    return issue_placed(session, actor, request, placement), placement.point


@dataclass(frozen=True)
class Placement:
    """Where a new ticket goes, chosen before it is numbered."""

    point: ServicePoint
    wait: int  # expected minutes, shown on the ticket
    day: date
    rank: int


def place_ticket(session: Session, actor: Principal, request: TicketRequest) -> Placement:
    """Choose the room (reads only): callers that number other things in the same
    transaction choose first, so the counters' row locks are held for less time."""
    day = service_day()
    rank = rank_of(request.priority_group)
    if request.point_code:
        point = get_point(session, actor.facility_code, request.point_code)
        wait = expected_wait_minutes(session, point, day, rank)
    elif request.kind:
        point, wait = shortest_wait_point(
            session, actor.facility_code, request.kind, request.specialty, day, rank
        )
    else:
        raise DomainError(
            "ticket_destination",
            "Chưa chọn phòng hoặc dịch vụ",
            "Choose a service point or a service",
            field="point_code",
        )
    if not point.active:
        raise Conflict(
            "service_point_closed",
            f"{point.name} đang đóng",
            f"{point.name} is closed",
            field="point_code",
        )
    return Placement(point, wait, day, rank)


def issue_placed(
    session: Session, actor: Principal, request: TicketRequest, placement: Placement
) -> Ticket:
    p = placement
    return _new_ticket(session, actor, p.point, request, p.day, p.rank, p.wait)


def issue_ticket_once(db: Database, actor: Principal, request: TicketRequest) -> Ticket:
    """Issue in its own transaction; the same idempotency key always gives the same ticket
    (a double tap, a retried request after a lost answer)."""
    if request.idempotency_key:
        with db.session() as session:
            existing = find_by_idempotency_key(session, request.idempotency_key)
            if existing is not None:
                return existing
    try:
        with db.session() as session:
            return issue_ticket(session, actor, request)
    except IntegrityError:
        with db.session() as session:
            existing = find_by_idempotency_key(session, request.idempotency_key or "")
        if existing is None:
            raise
        return existing


def find_by_idempotency_key(session: Session, key: str) -> Ticket | None:
    return session.execute(select(Ticket).where(Ticket.idempotency_key == key)).scalar_one_or_none()


def get_ticket(session: Session, actor: Principal, ticket_id: int, *, lock: bool = True) -> Ticket:
    statement = _TICKET_LOCKED if lock else _TICKET
    values = {"ticket_id": ticket_id, "facility_code": actor.facility_code}
    ticket = session.execute(statement, values).scalar_one_or_none()
    if ticket is None:
        raise NotFound(
            "ticket_not_found",
            f"Không có số thứ tự {ticket_id}",
            f"No ticket {ticket_id}",
            field="ticket_id",
        )
    return ticket


def _require_status(ticket: Ticket, allowed: tuple[str, ...], action_vi: str) -> None:
    if ticket.status not in allowed:
        raise Conflict(
            "ticket_state",
            f"Số {ticket.display_number} đang {STATUS_NAMES_VI.get(ticket.status, ticket.status)}"
            f", không thể {action_vi}",
            f"Ticket {ticket.display_number} is {ticket.status}",
            field="ticket_id",
        )


def call_next(session: Session, actor: Principal, point_code: str) -> Ticket | None:
    point = get_point(session, actor.facility_code, point_code, lock=True)
    day = service_day()
    rows = session.execute(CALLABLE, room_values(point, day)).all()
    policy = policy_for(session, actor.facility_code)
    chosen = choose_next(
        [Candidate(r.id, r.priority_rank) for r in rows],
        point.priority_streak,
        policy.priority_calls_per_normal,
    )
    if chosen is None:
        return None
    # The patient now being served completes the previous call at this point.
    called_here = {"facility_code": point.facility_code, "code": point.code, "day": day}
    for previous in session.execute(_CALLED_AT_POINT, called_here).scalars():
        _complete(session, point, previous)
    ticket = get_ticket(session, actor, chosen.ticket_id)
    ticket.status = "called"
    ticket.called_at = utcnow()
    ticket.call_count += 1
    point.priority_streak = point.priority_streak + 1 if chosen.rank < 9 else 0
    session.flush()
    _record_event(session, point, ticket, "called")
    _audit(session, actor, ticket, "call")
    return ticket


def recall(session: Session, actor: Principal, ticket_id: int) -> Ticket:
    ticket = get_ticket(session, actor, ticket_id)
    _require_status(ticket, ("called",), "gọi lại")
    ticket.call_count += 1
    point = get_point(session, actor.facility_code, ticket.service_point_code)
    _record_event(session, point, ticket, "recalled")
    _audit(session, actor, ticket, "recall")
    return ticket


def skip(session: Session, actor: Principal, ticket_id: int) -> Ticket:
    """A no-show: back in the queue after the policy's delay, until the skip limit."""
    ticket = get_ticket(session, actor, ticket_id)
    _require_status(ticket, ("called", "waiting"), "bỏ qua")
    policy = policy_for(session, actor.facility_code)
    ticket.skip_count += 1
    if ticket.skip_count > policy.max_skips:
        ticket.status = "no_show"
        ticket.completed_at = utcnow()
    else:
        ticket.status = "skipped"
        back = utcnow() + timedelta(minutes=policy.skip_back_after_minutes)
        ticket.back_in_queue_at = back
        ticket.queued_at = back
    point = get_point(session, actor.facility_code, ticket.service_point_code)
    session.flush()
    _record_event(session, point, ticket, "skipped")
    _audit(session, actor, ticket, "skip")
    return ticket


def _complete(session: Session, point: ServicePoint, ticket: Ticket) -> Ticket | None:
    """Finish a ticket; a patient sent here from another room goes back there, first in line
    among the non-urgent (the 'returning' priority)."""
    ticket.status = "completed"
    ticket.completed_at = utcnow()
    if ticket.called_at is not None:
        record_service_time(point, (ticket.completed_at - ticket.called_at).total_seconds())
    session.flush()
    _record_event(session, point, ticket, "completed")
    if ticket.return_to_point_code is None:
        return None
    back_point = get_point(session, point.facility_code, ticket.return_to_point_code)
    day = ticket.service_day
    returning = TicketRequest(
        point_code=back_point.code,
        visit_id=ticket.visit_id,
        patient_id=ticket.patient_id,
        priority_group="returning",
        insurance_status_vi=ticket.insurance_status_vi,
        via="console",
    )
    rank = rank_of("returning")
    wait = expected_wait_minutes(session, back_point, day, rank)
    system = system_principal(point.facility_code, source="queue")
    new = _new_ticket(session, system, back_point, returning, day, rank, wait)
    new.masked_name, new.call_name = ticket.masked_name, ticket.call_name
    new.previous_ticket_id = ticket.id
    return new


def complete(session: Session, actor: Principal, ticket_id: int) -> Ticket | None:
    """Returns the ticket back at the original room when the patient returns there."""
    # Point before ticket, the order call_next locks them in: no deadlock between the two.
    unlocked = get_ticket(session, actor, ticket_id, lock=False)
    point = get_point(session, actor.facility_code, unlocked.service_point_code, lock=True)
    ticket = get_ticket(session, actor, ticket_id)
    _require_status(ticket, ("called",), "hoàn thành")
    _audit(session, actor, ticket, "complete")
    return _complete(session, point, ticket)


def transfer(
    session: Session, actor: Principal, ticket_id: int, to_point_code: str, return_after: bool
) -> Ticket:
    """Send the patient to another room (e.g. examination -> ultrasound); with
    `return_after`, finishing there queues them back here with the returning priority."""
    ticket = get_ticket(session, actor, ticket_id)
    _require_status(ticket, ("called", "waiting"), "chuyển phòng")
    source = get_point(session, actor.facility_code, ticket.service_point_code)
    target = get_point(session, actor.facility_code, to_point_code)
    if target.code == source.code:
        raise DomainError(
            "transfer_same_point",
            "Phòng chuyển đến trùng phòng hiện tại",
            "The target is the current service point",
            field="to_point_code",
        )
    ticket.status = "transferred"
    ticket.completed_at = utcnow()
    session.flush()
    _record_event(session, source, ticket, "transferred")
    _audit(session, actor, ticket, "transfer")
    day = service_day()
    rank = ticket.priority_rank
    wait = expected_wait_minutes(session, target, day, rank)
    request = TicketRequest(
        point_code=target.code,
        visit_id=ticket.visit_id,
        patient_id=ticket.patient_id,
        priority_group=ticket.priority_group,
        insurance_status_vi=ticket.insurance_status_vi,
        via="console",
    )
    new = _new_ticket(session, actor, target, request, day, rank, wait)
    new.masked_name, new.call_name = ticket.masked_name, ticket.call_name
    new.previous_ticket_id = ticket.id
    new.return_to_point_code = source.code if return_after else None
    return new


def point_lists(session: Session, actor: Principal, point_code: str) -> dict[str, list[Ticket]]:
    point = get_point(session, actor.facility_code, point_code)
    day = service_day()
    tickets = list(
        session.execute(
            select(Ticket)
            .where(
                Ticket.facility_code == point.facility_code,
                Ticket.service_point_code == point.code,
                Ticket.service_day == day,
            )
            .order_by(*queue_order())
        ).scalars()
    )
    return {
        "waiting": [t for t in tickets if t.status in ("waiting", "skipped")],
        "called": [t for t in tickets if t.status == "called"],
        "served": sorted(
            (t for t in tickets if t.status in ("completed", "transferred", "no_show")),
            key=lambda t: t.completed_at or t.issued_at,
            reverse=True,
        ),
    }
