"""Expected waiting times from the day's live service times, and the shortest-wait room."""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.errors import DomainError
from smarthis.queueing.models import ServicePoint, Ticket

RECENT_SERVICES = 20  # enough to follow the day's pace, few enough to react to it


def mean_service_minutes(session: Session, point: ServicePoint, day: date) -> float:
    rows = session.execute(
        select(Ticket.called_at, Ticket.completed_at)
        .where(
            Ticket.facility_code == point.facility_code,
            Ticket.service_point_code == point.code,
            Ticket.service_day == day,
            Ticket.status == "completed",
            Ticket.called_at.is_not(None),
            Ticket.completed_at.is_not(None),
        )
        .order_by(Ticket.completed_at.desc())
        .limit(RECENT_SERVICES)
    ).all()
    durations = [(done - called).total_seconds() / 60 for called, done in rows]
    if len(durations) < 3:
        return float(point.default_service_minutes)
    return max(0.5, sum(durations) / len(durations))


def waiting_ahead(session: Session, point: ServicePoint, day: date, rank: int) -> int:
    """Tickets that would be called before a new ticket of this rank."""
    return session.execute(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.facility_code == point.facility_code,
            Ticket.service_point_code == point.code,
            Ticket.service_day == day,
            Ticket.status.in_(("waiting", "skipped")),
            Ticket.priority_rank <= rank,
        )
    ).scalar_one()


def expected_wait_minutes(session: Session, point: ServicePoint, day: date, rank: int) -> int:
    ahead = waiting_ahead(session, point, day, rank)
    return math.ceil(ahead * mean_service_minutes(session, point, day))


def shortest_wait_point(
    session: Session,
    facility_code: str,
    kind: str,
    specialty: str | None,
    day: date,
    rank: int,
) -> tuple[ServicePoint, int]:
    query = select(ServicePoint).where(
        ServicePoint.facility_code == facility_code,
        ServicePoint.kind == kind,
        ServicePoint.active.is_(True),
    )
    if specialty is not None:
        query = query.where(ServicePoint.specialty == specialty)
    points = list(session.execute(query.order_by(ServicePoint.code)).scalars())
    if not points:
        raise DomainError(
            "no_service_point",
            "Không có phòng nào đang mở cho dịch vụ này",
            f"No open service point for {kind} {specialty or ''}".strip(),
            field="specialty" if specialty else "service",
        )
    waits = [(expected_wait_minutes(session, p, day, rank), p.code, p) for p in points]
    wait, _code, point = min(waits, key=lambda w: (w[0], w[1]))
    return point, wait
