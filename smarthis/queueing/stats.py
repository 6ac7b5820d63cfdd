"""The day's queue statistics: waits per step, throughput per hour, no-shows, kiosk share."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.queueing.clock import HOSPITAL_TZ, day_start
from smarthis.queueing.models import ServicePoint, Ticket


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def day_statistics(session: Session, facility_code: str, day: date) -> dict[str, Any]:
    points = {
        p.code: p
        for p in session.execute(
            select(ServicePoint).where(ServicePoint.facility_code == facility_code)
        ).scalars()
    }
    tickets = list(
        session.execute(
            select(Ticket).where(Ticket.facility_code == facility_code, Ticket.service_day == day)
        ).scalars()
    )
    waits: dict[str, list[float]] = defaultdict(list)
    services: dict[str, list[float]] = defaultdict(list)
    served_per_hour: dict[int, int] = defaultdict(int)
    no_shows: dict[str, int] = defaultdict(int)
    tickets_by_kind: dict[str, int] = defaultdict(int)
    for t in tickets:
        kind = points[t.service_point_code].kind if t.service_point_code in points else "?"
        tickets_by_kind[kind] += 1
        if t.called_at is not None:
            waits[kind].append((t.called_at - t.issued_at).total_seconds() / 60)
        if t.status == "completed" and t.called_at and t.completed_at:
            services[kind].append((t.completed_at - t.called_at).total_seconds() / 60)
            served_per_hour[t.completed_at.astimezone(HOSPITAL_TZ).hour] += 1
        if t.status == "no_show":
            no_shows[kind] += 1
    start = day_start(day)
    visits_by_channel = dict(
        session.execute(
            select(Visit.registered_via, func.count())
            .where(
                Visit.facility_code == facility_code,
                Visit.registered_at >= start,
                Visit.registered_at < start + timedelta(days=1),
            )
            .group_by(Visit.registered_via)
        ).all()
    )
    total_visits = sum(visits_by_channel.values())
    steps = {
        kind: {
            "tickets": tickets_by_kind[kind],
            "wait_minutes_p50": round(median(waits[kind]), 1) if waits[kind] else None,
            "wait_minutes_p90": _p(waits[kind], 0.9),
            "service_minutes_p50": round(median(services[kind]), 1) if services[kind] else None,
            "no_shows": no_shows[kind],
        }
        for kind in sorted({p.kind for p in points.values()})
    }
    return {
        "day": day.isoformat(),
        "tickets": len(tickets),
        "steps": steps,
        "served_per_hour": {f"{h:02d}:00": n for h, n in sorted(served_per_hour.items())},
        "no_shows": sum(no_shows.values()),
        "visits": total_visits,
        "kiosk_visits": visits_by_channel.get("kiosk", 0),
        "kiosk_share": round(visits_by_channel.get("kiosk", 0) / total_visits, 3)
        if total_visits
        else None,
    }
