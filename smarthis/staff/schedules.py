"""The duty plan: who works in which room on which date and shift. A room planned for
today takes new queue tickets only during its planned shifts; a room with no plan for
today keeps today's behaviour (open whenever it is active)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.facility.models import Room
from smarthis.queueing.clock import HOSPITAL_TZ, service_day
from smarthis.queueing.models import ServicePoint
from smarthis.security.models import Staff
from smarthis.security.principal import Principal
from smarthis.security.service import get_staff_by_login
from smarthis.staff.models import ScheduleEntry


@dataclass(frozen=True)
class Shift:
    name_vi: str
    starts: time
    ends: time  # on the next day when earlier than `starts`


# Fixed hours that never overlap, so "one person, one shift, one room" is a unique key.
SHIFTS: dict[str, Shift] = {
    "morning": Shift("Sáng", time(7, 0), time(11, 30)),
    "afternoon": Shift("Chiều", time(13, 0), time(16, 30)),
    "night": Shift("Trực đêm", time(16, 30), time(7, 0)),
}


@dataclass
class EntryView:
    id: int
    login: str
    full_name: str
    room_code: str
    work_date: date
    shift: str
    shift_name_vi: str
    starts_at: datetime
    ends_at: datetime


def shift_bounds(day: date, shift: str) -> tuple[datetime, datetime]:
    """The shift's start and end on that hospital day, as aware UTC timestamps."""
    if shift not in SHIFTS:
        raise DomainError(
            "shift_unknown",
            f"Ca '{shift}' không có (morning, afternoon, night)",
            f"Unknown shift '{shift}' (morning, afternoon, night)",
            field="shift",
        )
    spec = SHIFTS[shift]
    end_day = day + timedelta(days=1) if spec.ends <= spec.starts else day
    starts = datetime.combine(day, spec.starts, HOSPITAL_TZ).astimezone(UTC)
    ends = datetime.combine(end_day, spec.ends, HOSPITAL_TZ).astimezone(UTC)
    return starts, ends


def _room_exists(session: Session, facility_code: str, code: str) -> bool:
    room = session.execute(
        select(Room.id).where(Room.facility_code == facility_code, Room.code == code)
    ).first()
    if room is not None:
        return True
    point = session.execute(
        select(ServicePoint.id).where(
            ServicePoint.facility_code == facility_code, ServicePoint.code == code
        )
    ).first()
    return point is not None


def _conflict(staff: Staff, day: date, shift: str, room_code: str) -> Conflict:
    return Conflict(
        "schedule_conflict",
        f"{staff.full_name} đã có lịch ca {SHIFTS[shift].name_vi.lower()} ngày "
        f"{day:%d/%m/%Y} ở phòng {room_code}",
        f"{staff.login} already works the {shift} shift on {day} in room {room_code}",
        field="shift",
    )


def add_entry(
    session: Session, actor: Principal, login: str, room_code: str, work_date: date, shift: str
) -> ScheduleEntry:
    staff = get_staff_by_login(session, login)
    starts, ends = shift_bounds(work_date, shift)
    room_code = room_code.strip().upper()
    if not _room_exists(session, actor.facility_code, room_code):
        raise DomainError(
            "room_unknown", f"Không có phòng '{room_code}'", f"No room '{room_code}'", "room_code"
        )
    existing = session.execute(
        select(ScheduleEntry.room_code).where(
            ScheduleEntry.facility_code == actor.facility_code,
            ScheduleEntry.staff_id == staff.id,
            ScheduleEntry.work_date == work_date,
            ScheduleEntry.shift == shift,
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise _conflict(staff, work_date, shift, existing)
    entry = ScheduleEntry(
        facility_code=actor.facility_code,
        staff_id=staff.id,
        room_code=room_code,
        work_date=work_date,
        shift=shift,
        starts_at=starts,
        ends_at=ends,
        created_by=actor.name,
    )
    session.add(entry)
    try:
        # Two planners at once: the unique key decides, the loser gets the same 409.
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise _conflict(staff, work_date, shift, "khác") from exc
    return entry


def remove_entry(session: Session, actor: Principal, entry_id: int) -> None:
    entry = session.get(ScheduleEntry, entry_id)
    if entry is None or entry.facility_code != actor.facility_code:
        raise NotFound(
            "schedule_not_found",
            "Không có mục lịch làm việc này",
            "No such schedule entry",
            field="entry_id",
        )
    session.delete(entry)


def entries_between(
    session: Session,
    facility_code: str,
    first: date,
    last: date,
    *,
    room_code: str | None = None,
    login: str | None = None,
) -> list[EntryView]:
    query = (
        select(ScheduleEntry, Staff)
        .join(Staff, Staff.id == ScheduleEntry.staff_id)
        .where(
            ScheduleEntry.facility_code == facility_code,
            ScheduleEntry.work_date >= first,
            ScheduleEntry.work_date <= last,
        )
        .order_by(ScheduleEntry.work_date, ScheduleEntry.starts_at, ScheduleEntry.room_code)
    )
    if room_code:
        query = query.where(ScheduleEntry.room_code == room_code.strip().upper())
    if login:
        query = query.where(Staff.login == login.strip().lower())
    return [
        EntryView(
            id=entry.id,
            login=staff.login,
            full_name=staff.full_name,
            room_code=entry.room_code,
            work_date=entry.work_date,
            shift=entry.shift,
            shift_name_vi=SHIFTS[entry.shift].name_vi,
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
        )
        for entry, staff in session.execute(query).all()
    ]


def today_entries(
    session: Session,
    facility_code: str,
    *,
    room_code: str | None = None,
    login: str | None = None,
    now: datetime | None = None,
) -> list[EntryView]:
    """Today's plan and last night's shift while it still runs, for a workstation's header."""
    now = now or utcnow()
    today = service_day(now)
    yesterday_on = entries_between(
        session, facility_code, today - timedelta(days=1), today, room_code=room_code, login=login
    )
    return [e for e in yesterday_on if e.work_date == today or e.ends_at > now]


def _closed_rooms_query() -> Select:
    now, today = bindparam("now"), bindparam("today")
    running = and_(ScheduleEntry.starts_at <= now, ScheduleEntry.ends_at > now)
    return (
        select(
            ScheduleEntry.room_code,
            func.max(case((ScheduleEntry.work_date == today, 1), else_=0)),
            func.max(case((running, 1), else_=0)),
        )
        .where(
            ScheduleEntry.facility_code == bindparam("facility_code"),
            or_(
                ScheduleEntry.work_date == today, ScheduleEntry.work_date == bindparam("yesterday")
            ),
        )
        .group_by(ScheduleEntry.room_code)
    )


# Built once (smarthis/db.py says why): it runs for every kiosk menu and ticket.
_CLOSED_ROOMS = _closed_rooms_query()


def closed_rooms(session: Session, facility_code: str, now: datetime) -> set[str]:
    """Rooms planned for today with no shift running now: one grouped query over two days
    of one facility's plan (indexed), cheap enough for the kiosk's ticket path."""
    today = service_day(now)
    rows = session.execute(
        _CLOSED_ROOMS,
        {
            "facility_code": facility_code,
            "now": now,
            "today": today,
            "yesterday": today - timedelta(days=1),
        },
    ).all()
    return {room for room, planned_today, open_now in rows if planned_today and not open_now}
