"""What boards and consoles show: per room, who is being served and who is next."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
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


# Built once (smarthis/db.py says why): every queue change sends the room's snapshot.
_SERVING = (
    select(Ticket.display_number, Ticket.masked_name)
    .where(
        Ticket.facility_code == bindparam("facility_code"),
        Ticket.service_point_code == bindparam("code"),
        Ticket.service_day == bindparam("day"),
        Ticket.status == "called",
    )
    .order_by(Ticket.called_at.desc())
    .limit(1)
)
# The next numbers and, on each row, how many wait in all (a window count: one query).
_UPCOMING = (
    select(Ticket.display_number, func.count().over())
    .where(*_eligible(*(bindparam(name) for name in ("facility_code", "code", "day", "now"))))
    .order_by(*queue_order())
    .limit(NEXT_SHOWN)
)


def room_snapshot(session: Session, point: ServicePoint, day: date) -> dict[str, Any]:
    values = {"facility_code": point.facility_code, "code": point.code, "day": day}
    serving = session.execute(_SERVING, values).first()
    rows = session.execute(_UPCOMING, {**values, "now": utcnow()}).all()
    upcoming = [number for number, _total in rows]
    waiting_count = rows[0][1] if rows else 0
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
        "next": upcoming,
        "waiting_count": waiting_count,
        # What a patient taking a number now should expect (shown under the count).
        "expected_wait_minutes": wait_for(waiting_count, point),
    }
