"""What boards and consoles show: per room, who is being served and who is next."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.waits import wait_for

NEXT_SHOWN = 5


def queue_order():  # noqa: ANN201 - SQLAlchemy ordering clauses
    return (Ticket.priority_rank, Ticket.queued_at, Ticket.id)


def _eligible(facility_code: Any, code: Any, day: Any, now: Any):  # noqa: ANN202
    # Values, or bindparams for the statements built once below.
    return (
        Ticket.facility_code == facility_code,
        Ticket.service_point_code == code,
        Ticket.service_day == day,
        (Ticket.status == "waiting")
        | ((Ticket.status == "skipped") & (Ticket.back_in_queue_at <= now)),
    )


def eligible_waiting(point: ServicePoint, day: date):  # noqa: ANN201 - a WHERE clause list
    """Tickets that may be called now: waiting, or skipped and back in the queue."""
    return _eligible(point.facility_code, point.code, day, utcnow())


def _eligible_bound():  # noqa: ANN202 - the WHERE clause list with bindparams
    return _eligible(*(bindparam(name) for name in ("facility_code", "code", "day", "now")))


# Built once (smarthis/db.py says why): whom "call next" may choose from, in queue order
# (the priority policy picks among them); run with `room_values`.
CALLABLE = (
    select(Ticket.id, Ticket.priority_rank)
    .where(*_eligible_bound())
    .order_by(*queue_order())
    .limit(200)
)


def room_values(point: ServicePoint, day: date) -> dict[str, Any]:
    """The values this module's built statements take for one room and day, as of now."""
    return {"facility_code": point.facility_code, "code": point.code, "day": day, "now": utcnow()}


# Built once (smarthis/db.py says why): every queue change sends the room's snapshot, read
# in one round trip: the number being served (position 0), then the next ones (1, 2, ...)
# each with how many wait in all (a window count).
_SERVING = (
    select(
        literal_column("0").label("position"),
        Ticket.display_number,
        Ticket.masked_name,
        literal_column("0").label("waiting"),
    )
    .where(
        Ticket.facility_code == bindparam("facility_code"),
        Ticket.service_point_code == bindparam("code"),
        Ticket.service_day == bindparam("day"),
        Ticket.status == "called",
    )
    .order_by(Ticket.called_at.desc())
    .limit(1)
    .subquery()
)
_UPCOMING = (
    select(
        func.row_number().over(order_by=queue_order()).label("position"),
        Ticket.display_number,
        null().label("masked_name"),
        func.count().over().label("waiting"),
    )
    .where(*_eligible_bound())
    .order_by(*queue_order())
    .limit(NEXT_SHOWN)
    .subquery()
)
_SNAPSHOT = union_all(select(_SERVING), select(_UPCOMING)).order_by("position")


def room_snapshot(session: Session, point: ServicePoint, day: date) -> dict[str, Any]:
    rows = session.execute(_SNAPSHOT, room_values(point, day)).all()
    serving = rows[0] if rows and rows[0].position == 0 else None
    upcoming = [row for row in rows if row.position > 0]
    waiting_count = upcoming[0].waiting if upcoming else 0
    return {
        "code": point.code,
        "name": point.name,
        "room_label": point.room_label,
        "floor": point.floor,
        "serving": (
            {"display_number": serving.display_number, "masked_name": serving.masked_name}
            if serving is not None
            else None
        ),
        "next": [row.display_number for row in upcoming],
        "waiting_count": waiting_count,
        # What a patient taking a number now should expect (shown under the count).
        "expected_wait_minutes": wait_for(waiting_count, point),
    }
