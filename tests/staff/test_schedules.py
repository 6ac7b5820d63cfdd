"""The duty plan: conflicts refused (by the database too), shift hours, and the queue's
room choice skipping a room planned for today outside its shifts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smarthis.db import Database, utcnow
from smarthis.errors import Conflict, DomainError
from smarthis.queueing import choices as menu_choices
from smarthis.queueing import service as queue
from smarthis.queueing.clock import service_day
from smarthis.queueing.service import TicketRequest
from smarthis.security.models import Staff
from smarthis.security.principal import system_principal
from smarthis.staff import schedules
from smarthis.staff.models import ScheduleEntry

ADMIN = system_principal("48001", source="test")
DAY = date(2026, 11, 26)


def _plan(db: Database, login: str, room: str, day: date, shift: str) -> None:
    with db.session() as s:
        schedules.add_entry(s, ADMIN, login, room, day, shift)


def test_shift_hours_are_hospital_time() -> None:
    assert schedules.shift_bounds(DAY, "morning") == (
        datetime(2026, 11, 26, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 4, 30, tzinfo=UTC),
    )
    # The night shift ends the next morning.
    assert schedules.shift_bounds(DAY, "night") == (
        datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        datetime(2026, 11, 27, 0, 0, tzinfo=UTC),
    )
    with pytest.raises(DomainError) as err:
        schedules.shift_bounds(DAY, "evening")
    assert err.value.code == "shift_unknown"


def test_one_person_cannot_be_in_two_rooms_in_one_shift(hospital: Database) -> None:
    _plan(hospital, "bs.lan", "PK-102", DAY, "morning")
    with pytest.raises(Conflict) as err:
        _plan(hospital, "bs.lan", "pk-103", DAY, "morning")
    assert err.value.code == "schedule_conflict"
    assert "PK-102" in err.value.message_vi
    # Another shift, another day, or another person in the same room: all fine.
    _plan(hospital, "bs.lan", "PK-103", DAY, "afternoon")
    _plan(hospital, "bs.lan", "PK-103", DAY + timedelta(days=1), "morning")
    _plan(hospital, "dd.hoa", "PK-102", DAY, "morning")
    with hospital.session() as s:
        plan = schedules.entries_between(s, "48001", DAY, DAY)
    assert [(e.login, e.room_code, e.shift) for e in plan] == [
        ("bs.lan", "PK-102", "morning"),
        ("dd.hoa", "PK-102", "morning"),
        ("bs.lan", "PK-103", "afternoon"),
    ]


def test_the_database_refuses_a_double_booking_the_service_did_not_see(
    hospital: Database,
) -> None:
    """Two planners at once both pass the service's look-up; the unique key decides."""
    _plan(hospital, "bs.lan", "PK-102", DAY, "morning")
    start, end = schedules.shift_bounds(DAY, "morning")
    with pytest.raises(IntegrityError), hospital.session() as s:
        staff_id = s.execute(select(Staff.id).where(Staff.login == "bs.lan")).scalar_one()
        s.add(
            ScheduleEntry(
                facility_code="48001",
                staff_id=staff_id,
                room_code="PK-103",
                work_date=DAY,
                shift="morning",
                starts_at=start,
                ends_at=end,
                created_by="other-planner",
            )
        )
        s.flush()


def test_unknown_room_and_removal(hospital: Database) -> None:
    with pytest.raises(DomainError) as err:
        _plan(hospital, "bs.lan", "PK-999", DAY, "morning")
    assert err.value.code == "room_unknown"
    _plan(hospital, "bs.lan", "PK-102", DAY, "morning")
    with hospital.session() as s:
        (entry,) = schedules.entries_between(s, "48001", DAY, DAY)
        schedules.remove_entry(s, ADMIN, entry.id)
    with hospital.session() as s:
        assert schedules.entries_between(s, "48001", DAY, DAY) == []
        with pytest.raises(DomainError) as err:
            schedules.remove_entry(s, ADMIN, entry.id)
    assert err.value.code == "schedule_not_found"


def _at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A hospital wall-clock time (UTC+7) as an aware UTC timestamp."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_a_planned_room_is_closed_outside_its_shifts(hospital: Database) -> None:
    _plan(hospital, "bs.lan", "PK-102", DAY, "morning")
    with hospital.session() as s:
        assert schedules.closed_rooms(s, "48001", _at(9, 0)) == set()
        assert schedules.closed_rooms(s, "48001", _at(11, 30)) == {"PK-102"}  # end excluded
        assert schedules.closed_rooms(s, "48001", _at(12, 15)) == {"PK-102"}  # lunch
        assert schedules.closed_rooms(s, "48001", _at(6, 59)) == {"PK-102"}
        # PK-103 has no plan today: never in the closed set. Tomorrow PK-102 has none.
        assert schedules.closed_rooms(s, "48001", _at(12, 15, DAY + timedelta(days=1))) == set()


def test_last_nights_shift_keeps_a_room_open_until_morning(hospital: Database) -> None:
    _plan(hospital, "bs.minh", "PK-102", DAY - timedelta(days=1), "night")
    _plan(hospital, "bs.lan", "PK-102", DAY, "afternoon")
    with hospital.session() as s:
        assert schedules.closed_rooms(s, "48001", _at(2, 0)) == set()  # night still on
        assert schedules.closed_rooms(s, "48001", _at(8, 0)) == {"PK-102"}
        assert schedules.closed_rooms(s, "48001", _at(14, 0)) == set()


def _entry(db: Database, login: str, room: str, starts: datetime, ends: datetime) -> None:
    """A plan row with hours around the real clock (routing reads the current time)."""
    with db.session() as s:
        staff_id = s.execute(select(Staff.id).where(Staff.login == login)).scalar_one()
        s.add(
            ScheduleEntry(
                facility_code="48001",
                staff_id=staff_id,
                room_code=room,
                work_date=service_day(),
                shift="morning" if login == "bs.lan" else "afternoon",
                starts_at=starts,
                ends_at=ends,
                created_by="test",
            )
        )


def _by_kind(db: Database) -> str:
    ticket = queue.issue_ticket_once(
        db, ADMIN, TicketRequest(kind="examination", specialty="Ung bướu vú")
    )
    return ticket.service_point_code


def test_routing_skips_a_room_closed_by_its_plan(hospital: Database) -> None:
    for _ in range(2):
        queue.issue_ticket_once(hospital, ADMIN, TicketRequest(point_code="PK-103"))
    assert _by_kind(hospital) == "PK-102"  # no plan anywhere: the shortest wait, as before
    now = utcnow()
    # PK-102 is planned today, but its shift starts in an hour: closed now.
    _entry(hospital, "bs.lan", "PK-102", now + timedelta(hours=1), now + timedelta(hours=2))
    assert [_by_kind(hospital) for _ in range(3)] == ["PK-103"] * 3  # though PK-103 is longer
    # A second person's shift running now opens it again.
    _entry(hospital, "bs.minh", "PK-102", now - timedelta(hours=1), now + timedelta(hours=1))
    assert _by_kind(hospital) == "PK-102"


def test_no_open_room_left_is_a_clear_refusal(hospital: Database) -> None:
    now = utcnow()
    later = (now + timedelta(hours=1), now + timedelta(hours=2))
    _entry(hospital, "bs.lan", "PK-102", *later)
    _entry(hospital, "bs.minh", "PK-103", *later)
    with pytest.raises(DomainError) as err:
        _by_kind(hospital)
    assert err.value.code == "no_service_point"
    # A receptionist naming the room still can (the plan steers routing, not people).
    ticket = queue.issue_ticket_once(hospital, ADMIN, TicketRequest(point_code="PK-102"))
    assert ticket.service_point_code == "PK-102"


def test_the_menu_counts_only_rooms_open_now(hospital: Database) -> None:
    def breast_oncology() -> menu_choices.Choice:
        offered = menu_choices.menu(hospital, "48001").examinations
        return next(c for c in offered if c.specialty == "Ung bướu vú")

    assert breast_oncology().rooms == 2
    now = utcnow()
    _entry(hospital, "bs.lan", "PK-102", now + timedelta(hours=1), now + timedelta(hours=2))
    queue.issue_ticket_once(hospital, ADMIN, TicketRequest(point_code="PK-102"))
    closed_one = breast_oncology()
    # The closed room neither counts as a room nor lends its queue to the expected wait.
    assert (closed_one.rooms, closed_one.waiting, closed_one.expected_wait_minutes) == (1, 0, 0)


def test_todays_entries_keep_last_nights_shift_only_while_it_runs(hospital: Database) -> None:
    _plan(hospital, "bs.minh", "PK-102", DAY - timedelta(days=1), "night")
    _plan(hospital, "bs.minh", "PK-103", DAY - timedelta(days=1), "morning")
    _plan(hospital, "bs.minh", "PK-103", DAY, "afternoon")

    def rooms_at(at: datetime) -> list[tuple[date, str]]:
        with hospital.session() as s:
            found = schedules.today_entries(s, "48001", login="bs.minh", now=at)
            return [(e.work_date, e.shift) for e in found]

    last_night = (DAY - timedelta(days=1), "night")
    assert rooms_at(_at(6, 30)) == [last_night, (DAY, "afternoon")]
    assert rooms_at(_at(7, 0)) == [(DAY, "afternoon")]  # the night ended at 07:00
