"""What boards and consoles show: per room, who is being served and who is next."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.waits import wait_for

NEXT_SHOWN = 5


def queue_order():  # noqa: ANN201 - SQLAlchemy ordering clauses
    return (Ticket.priority_rank, Ticket.queued_at, Ticket.id)


def eligible_waiting(point: ServicePoint, day: date):  # noqa: ANN201 - a WHERE clause list
    """Tickets that may be called now: waiting, or skipped and back in the queue."""
    now = utcnow()
    return (
        Ticket.facility_code == point.facility_code,
        Ticket.service_point_code == point.code,
        Ticket.service_day == day,
        (Ticket.status == "waiting")
        | ((Ticket.status == "skipped") & (Ticket.back_in_queue_at <= now)),
    )


def room_snapshot(session: Session, point: ServicePoint, day: date) -> dict[str, Any]:
    serving = session.execute(
        select(Ticket)
        .where(
            Ticket.facility_code == point.facility_code,
            Ticket.service_point_code == point.code,
            Ticket.service_day == day,
            Ticket.status == "called",
        )
        .order_by(Ticket.called_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    # The next numbers and, on each row, how many wait in all (a window count: one query).
    rows = session.execute(
        select(Ticket.display_number, func.count().over())
        .where(*eligible_waiting(point, day))
        .order_by(*queue_order())
        .limit(NEXT_SHOWN)
    ).all()
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
