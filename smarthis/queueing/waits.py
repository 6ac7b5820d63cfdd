"""Expected waiting times from the day's live service times, and the shortest-wait room."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.staff.schedules import closed_rooms

# Weight of the newest service in the running mean: follows the day's pace within about
# ten patients without jumping on one long consultation.
SERVICE_TIME_WEIGHT = 0.2
MIN_MEASURED = 3  # below this, the configured default is a better guess


def record_service_time(point: ServicePoint, seconds: float) -> None:
    """Fold one completed service into the point's running mean (caller holds the row)."""
    seconds = max(0.0, seconds)
    if point.service_seconds_mean is None:
        point.service_seconds_mean = seconds
    else:
        point.service_seconds_mean = (
            SERVICE_TIME_WEIGHT * seconds + (1 - SERVICE_TIME_WEIGHT) * point.service_seconds_mean
        )
    point.services_measured = (point.services_measured or 0) + 1


def mean_service_minutes(point: ServicePoint) -> float:
    if (point.services_measured or 0) < MIN_MEASURED or point.service_seconds_mean is None:
        return float(point.default_service_minutes)
    return max(0.5, point.service_seconds_mean / 60)


def waiting_ahead(session: Session, point: ServicePoint, day: date, rank: int) -> int:
    """Tickets that would be called before a new ticket of this rank."""
    values = {"facility_code": point.facility_code, "code": point.code, "day": day, "rank": rank}
    return session.execute(_WAITING_AHEAD, values).scalar_one()


def expected_wait_minutes(session: Session, point: ServicePoint, day: date, rank: int) -> int:
    return wait_for(waiting_ahead(session, point, day, rank), point)


def wait_for(ahead: int, point: ServicePoint) -> int:
    """Whole minutes; anyone ahead means at least one minute."""
    if ahead == 0:
        return 0
    return max(1, round(ahead * mean_service_minutes(point)))


def _ahead_filter():  # noqa: ANN202 - a WHERE clause list
    """Tickets a new one of rank :rank would wait behind on :day."""
    return (
        Ticket.service_day == bindparam("day"),
        Ticket.status.in_(("waiting", "skipped")),
        Ticket.priority_rank <= bindparam("rank"),
    )


# Built once (smarthis/db.py says why): the kiosk's menu and tickets, the desk's tickets.
_WAITING_BY_POINT = (
    select(Ticket.service_point_code, func.count())
    .where(Ticket.facility_code == bindparam("facility_code"), *_ahead_filter())
    .group_by(Ticket.service_point_code)
)
_WAITING_AHEAD = (
    select(func.count())
    .select_from(Ticket)
    .where(
        Ticket.facility_code == bindparam("facility_code"),
        Ticket.service_point_code == bindparam("code"),
        *_ahead_filter(),
    )
)


def _candidates_query(by_specialty: bool) -> Select:
    """Each open room of a kind (and specialty) with the tickets ahead in it: one query."""
    ahead = (
        select(func.count())
        .where(
            Ticket.facility_code == ServicePoint.facility_code,
            Ticket.service_point_code == ServicePoint.code,
            *_ahead_filter(),
        )
        .correlate(ServicePoint)
        .scalar_subquery()
    )
    query = select(ServicePoint, ahead).where(
        ServicePoint.facility_code == bindparam("facility_code"),
        ServicePoint.kind == bindparam("kind"),
        ServicePoint.active.is_(True),
    )
    if by_specialty:
        query = query.where(ServicePoint.specialty == bindparam("specialty"))
    return query.order_by(ServicePoint.code)


_CANDIDATES = {by_specialty: _candidates_query(by_specialty) for by_specialty in (False, True)}


def waiting_by_point(session: Session, facility_code: str, day: date, rank: int) -> dict[str, int]:
    """Tickets ahead of a new ticket of this rank, for every point at once."""
    rows = session.execute(
        _WAITING_BY_POINT, {"facility_code": facility_code, "day": day, "rank": rank}
    ).all()
    return {code: count for code, count in rows}


def shortest_wait_point(
    session: Session,
    facility_code: str,
    kind: str,
    specialty: str | None,
    day: date,
    rank: int,
) -> tuple[ServicePoint, int]:
    values = {"facility_code": facility_code, "kind": kind, "day": day, "rank": rank}
    if specialty is not None:
        values["specialty"] = specialty
    candidates = session.execute(_CANDIDATES[specialty is not None], values).all()
    # A room planned for today takes new tickets only during its planned shifts.
    closed = closed_rooms(session, facility_code, utcnow()) if candidates else set()
    waits = [(wait_for(count, p), p.code, p) for p, count in candidates if p.code not in closed]
    if not waits:
        raise DomainError(
            "no_service_point",
            "Không có phòng nào đang mở cho dịch vụ này",
            f"No open service point for {kind} {specialty or ''}".strip(),
            field="specialty" if specialty else "service",
        )
    wait, _code, point = min(waits, key=lambda w: (w[0], w[1]))
    return point, wait
