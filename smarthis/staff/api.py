"""JSON routes: staff profiles (title, department, certificate) and the duty plan."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Path, Query, Response

from smarthis.db import MAX_ID, Database
from smarthis.errors import DomainError
from smarthis.queueing.clock import service_day
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.staff import schedules, service
from smarthis.staff.schemas import EntryIn, EntryOut, ProfileIn, ProfileOut

router = APIRouter(prefix="/api", tags=["staff"])

MAX_PLAN_DAYS = 62  # two months of plan in one answer is more than any screen shows


@router.get("/staff-profiles")
def list_profiles(
    principal: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> list[ProfileOut]:
    with db.session() as session:
        return [
            ProfileOut.model_validate(p)
            for p in service.list_profiles(session, principal.facility_code)
        ]


@router.put("/staff-profiles/{login}")
def save_profile(
    login: str,
    body: ProfileIn,
    principal: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> ProfileOut:
    with db.session() as session:
        service.save_profile(
            session,
            principal,
            login,
            title=body.title,
            department_code=body.department_code,
            specialty=body.specialty,
            certificate_number=body.certificate_number,
        )
        (view,) = [
            p
            for p in service.list_profiles(session, principal.facility_code)
            if p.login == login.strip().lower()
        ]
        return ProfileOut.model_validate(view)


def _plan_range(first: date | None, last: date | None) -> tuple[date, date]:
    first = first or service_day()
    last = last or first + timedelta(days=6)
    if last < first or (last - first).days >= MAX_PLAN_DAYS:
        raise DomainError(
            "date_range",
            f"Khoảng ngày không hợp lệ (đến ngày phải sau từ ngày, tối đa {MAX_PLAN_DAYS} ngày)",
            f"Invalid date range (to after from, at most {MAX_PLAN_DAYS} days)",
            field="to",
        )
    return first, last


@router.get("/schedules")
def list_entries(
    first: date | None = Query(default=None, alias="from"),
    last: date | None = Query(default=None, alias="to"),
    room: str | None = Query(default=None, max_length=32),
    login: str | None = Query(default=None, max_length=64),
    principal: Principal = Depends(require(Permission.SCHEDULE_MANAGE)),
    db: Database = Depends(database),
) -> list[EntryOut]:
    first, last = _plan_range(first, last)
    with db.session() as session:
        return [
            EntryOut.model_validate(e)
            for e in schedules.entries_between(
                session, principal.facility_code, first, last, room_code=room, login=login
            )
        ]


@router.post("/schedules", status_code=201)
def add_entry(
    body: EntryIn,
    principal: Principal = Depends(require(Permission.SCHEDULE_MANAGE)),
    db: Database = Depends(database),
) -> EntryOut:
    with db.session() as session:
        entry = schedules.add_entry(
            session, principal, body.login, body.room_code, body.work_date, body.shift
        )
        (view,) = [
            e
            for e in schedules.entries_between(
                session, principal.facility_code, entry.work_date, entry.work_date
            )
            if e.id == entry.id
        ]
        return EntryOut.model_validate(view)


@router.delete("/schedules/{entry_id}", status_code=204)
def remove_entry(
    entry_id: int = Path(ge=1, le=MAX_ID),
    principal: Principal = Depends(require(Permission.SCHEDULE_MANAGE)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        schedules.remove_entry(session, principal, entry_id)
    return Response(status_code=204)


@router.get("/me/schedule")
def my_schedule(
    principal: Principal = Depends(require(Permission.AUTHENTICATED)),
    db: Database = Depends(database),
) -> list[EntryOut]:
    """Today's shifts of the signed-in person (a device has none)."""
    if principal.kind != "staff":
        return []
    with db.session() as session:
        return [
            EntryOut.model_validate(e)
            for e in schedules.today_entries(session, principal.facility_code, login=principal.name)
        ]


@router.get("/schedules/today/{room_code}")
def room_today(
    room_code: str,
    principal: Principal = Depends(require(Permission.QUEUE_CALL)),
    db: Database = Depends(database),
) -> list[EntryOut]:
    """Who works in this room today: the doctor's workstation and the door display."""
    with db.session() as session:
        return [
            EntryOut.model_validate(e)
            for e in schedules.today_entries(session, principal.facility_code, room_code=room_code)
        ]
