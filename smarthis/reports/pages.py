"""Pages of management: the dashboard, the duty plan of the week, the staff profiles."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from smarthis.db import Database, utcnow
from smarthis.facility.models import Room
from smarthis.queueing.clock import service_day
from smarthis.queueing.models import ServicePoint
from smarthis.security.deps import database, require
from smarthis.security.permissions import ROLE_NAMES_VI, Permission
from smarthis.security.principal import Principal
from smarthis.staff import schedules
from smarthis.staff.service import TITLES, list_profiles
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    principal: Principal = Depends(require(Permission.REPORTS_VIEW)),
    db: Database = Depends(database),
) -> Response:
    return render(request, "dashboard.html", principal, db)


def _rooms(db: Database, facility_code: str) -> list[tuple[str, str]]:
    """(code, name) of the rooms people are planned into: the facility's rooms, or its
    queue service points where no room table was loaded."""
    with db.session() as session:
        rooms = session.execute(
            select(Room.code, Room.name)
            .where(Room.facility_code == facility_code, Room.active.is_(True))
            .order_by(Room.code)
        ).all()
        if not rooms:
            rooms = session.execute(
                select(ServicePoint.code, ServicePoint.name)
                .where(ServicePoint.facility_code == facility_code)
                .order_by(ServicePoint.code)
            ).all()
    return [(code, name) for code, name in rooms]


@router.get("/admin/schedules")
def schedules_page(
    request: Request,
    week: date | None = Query(default=None),
    principal: Principal = Depends(require(Permission.SCHEDULE_MANAGE)),
    db: Database = Depends(database),
) -> Response:
    day = week or service_day()
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    with db.session() as session:
        entries = schedules.entries_between(session, principal.facility_code, days[0], days[-1])
        people = list_profiles(session, principal.facility_code)
        closed_now = schedules.closed_rooms(session, principal.facility_code, utcnow())
    cells: dict[tuple[str, date], list[schedules.EntryView]] = {}
    for entry in entries:
        cells.setdefault((entry.room_code, entry.work_date), []).append(entry)
    return render(
        request,
        "schedules.html",
        principal,
        db,
        days=days,
        rooms=_rooms(db, principal.facility_code),
        cells=cells,
        people=[p for p in people if p.active],
        shifts=schedules.SHIFTS,
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        today=service_day(),
        closed_now=closed_now,
    )


@router.get("/admin/staff-profiles")
def staff_profiles_page(
    request: Request,
    principal: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        profiles = list_profiles(session, principal.facility_code)
    return render(
        request,
        "staff_profile.html",
        principal,
        db,
        profiles=profiles,
        titles=TITLES,
        role_names=ROLE_NAMES_VI,
    )
