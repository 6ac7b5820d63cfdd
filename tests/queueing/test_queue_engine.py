"""Numbers, priorities, calls, skips, transfers and returns."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from smarthis.db import Database, utcnow
from smarthis.errors import Conflict, DomainError
from smarthis.queueing import service as queue
from smarthis.queueing.models import QueueEvent, Ticket
from smarthis.queueing.priority import priority_for
from smarthis.queueing.service import TicketRequest
from smarthis.security.principal import system_principal

ACTOR = system_principal("48001", source="test")


def _issue(db: Database, **fields) -> Ticket:
    return queue.issue_ticket_once(db, ACTOR, TicketRequest(**fields))


def _call(db: Database, point: str) -> Ticket | None:
    with db.session() as s:
        return queue.call_next(s, ACTOR, point)


def test_hundred_concurrent_tickets_get_distinct_consecutive_numbers(floor: Database) -> None:
    def issue(i: int) -> int:
        return _issue(floor, point_code="SA-01", idempotency_key=f"k-{i:04d}").number

    with ThreadPoolExecutor(max_workers=20) as pool:
        numbers = sorted(pool.map(issue, range(100)))
    assert numbers == list(range(1, 101))
    with floor.session() as s:
        shown = sorted(s.execute(select(Ticket.display_number)).scalars())
    assert shown[0] == "S-0001" and shown[-1] == "S-0100"


def test_same_idempotency_key_gives_the_same_ticket(floor: Database) -> None:
    def issue(_: int) -> int:
        return _issue(floor, point_code="TN-01", idempotency_key="kiosk-01:tap-1").id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(issue, range(8)))
    assert len(ids) == 1


def test_rooms_of_a_group_share_one_sequence_and_new_tickets_go_to_the_shortest_wait(
    floor: Database,
) -> None:
    tickets = [_issue(floor, kind="examination", specialty="Ung bướu vú") for _ in range(4)]
    assert [t.display_number for t in tickets] == ["B-0001", "B-0002", "B-0003", "B-0004"]
    rooms = [t.service_point_code for t in tickets]
    assert rooms.count("PK-102") == 2 and rooms.count("PK-103") == 2
    assert tickets[0].expected_wait_minutes == 0
    assert tickets[2].expected_wait_minutes == 8  # one ahead, default 8 minutes each


def test_priority_is_served_first_but_normal_tickets_do_not_starve(floor: Database) -> None:
    normal = [_issue(floor, point_code="SA-01") for _ in range(2)]
    priority = [_issue(floor, point_code="SA-01", priority_group="elderly_75") for _ in range(4)]
    called = [_call(floor, "SA-01").id for _ in range(6)]
    p, n = [t.id for t in priority], [t.id for t in normal]
    # Two priority calls in a row, then a normal one (the default policy).
    assert called == [p[0], p[1], n[0], p[2], p[3], n[1]]


def test_emergency_always_goes_first(floor: Database) -> None:
    _issue(floor, point_code="SA-01")
    emergency = _issue(floor, point_code="SA-01", priority_group="emergency")
    assert _call(floor, "SA-01").id == emergency.id


def test_age_sets_priority_and_declared_priority_wins() -> None:
    today = date(2026, 11, 26)
    assert priority_for(None, date(2021, 12, 1), None, today) == "child_under_6"
    assert priority_for(None, date(2020, 11, 26), None, today) is None  # sixth birthday today
    assert priority_for(None, date(1951, 11, 26), None, today) == "elderly_75"
    assert priority_for(None, None, 1980, today) is None
    assert priority_for("pregnant", date(1995, 1, 1), None, today) == "pregnant"


def test_calling_next_completes_the_previous_patient(floor: Database) -> None:
    first, second = _issue(floor, point_code="SA-01"), _issue(floor, point_code="SA-01")
    _call(floor, "SA-01")
    _call(floor, "SA-01")
    with floor.session() as s:
        assert s.get(Ticket, first.id).status == "completed"
        assert s.get(Ticket, second.id).status == "called"
    assert _call(floor, "SA-01") is None


def test_skipped_patient_comes_back_after_the_delay_then_is_a_no_show(floor: Database) -> None:
    ticket = _issue(floor, point_code="SA-01")
    _call(floor, "SA-01")
    with floor.session() as s:
        assert queue.skip(s, ACTOR, ticket.id).status == "skipped"
    assert _call(floor, "SA-01") is None  # not back yet
    with floor.session() as s:
        s.get(Ticket, ticket.id).back_in_queue_at = utcnow() - timedelta(seconds=1)
    assert _call(floor, "SA-01").id == ticket.id
    for _ in range(2):
        with floor.session() as s:
            skipped = queue.skip(s, ACTOR, ticket.id)
            skipped.back_in_queue_at = utcnow() - timedelta(seconds=1)
        if skipped.status == "skipped":
            _call(floor, "SA-01")
    assert skipped.status == "no_show"


def test_journey_examination_to_ultrasound_and_back_with_return_priority(
    floor: Database,
) -> None:
    patient = _issue(floor, point_code="PK-102", full_name="Nguyễn Văn An")
    other = _issue(floor, point_code="PK-102", full_name="Trần Thị Bé")
    assert _call(floor, "PK-102").id == patient.id
    with floor.session() as s:
        at_ultrasound = queue.transfer(s, ACTOR, patient.id, "SA-01", return_after=True)
    assert at_ultrasound.service_point_code == "SA-01"
    assert at_ultrasound.masked_name == "NGUYỄN V. A."
    assert _call(floor, "SA-01").id == at_ultrasound.id
    with floor.session() as s:
        back = queue.complete(s, ACTOR, at_ultrasound.id)
    assert back.service_point_code == "PK-102" and back.priority_group == "returning"
    # Back at the examination room, the returning patient goes before the one who waited.
    assert _call(floor, "PK-102").id == back.id
    with floor.session() as s:
        assert s.get(Ticket, other.id).status == "waiting"


def test_actions_check_the_ticket_state(floor: Database) -> None:
    ticket = _issue(floor, point_code="SA-01")
    with floor.session() as s, pytest.raises(Conflict) as err:
        queue.complete(s, ACTOR, ticket.id)
    assert "S-0001" in err.value.message_vi


def test_every_change_is_logged_as_an_event_with_the_room_state(floor: Database) -> None:
    _issue(floor, point_code="SA-01", full_name="Lê Thị Hoa")
    _call(floor, "SA-01")
    with floor.session() as s:
        events = list(s.execute(select(QueueEvent).order_by(QueueEvent.id)).scalars())
    assert [e.kind for e in events] == ["issued", "called"]
    import json

    called = json.loads(events[-1].payload)
    assert called["room"]["serving"]["display_number"] == "S-0001"
    assert called["announce_vi"] == "Mời số 0001, Lê Thị H, vào phòng 201"
    assert called["area"] == "CDHA"


def test_policy_is_configurable(floor: Database) -> None:
    from smarthis.queueing.setup import set_policy

    with floor.session() as s:
        set_policy(s, "48001", priority_calls_per_normal=1)
    normal = _issue(floor, point_code="SA-01")
    priority = [_issue(floor, point_code="SA-01", priority_group="pregnant") for _ in range(2)]
    called = [_call(floor, "SA-01").id for _ in range(3)]
    assert called == [priority[0].id, normal.id, priority[1].id]
    with floor.session() as s, pytest.raises(DomainError):
        set_policy(s, "48001", max_skips=99)


def test_expected_wait_follows_the_days_service_times(floor: Database) -> None:
    from smarthis.queueing.models import ServicePoint

    for _ in range(4):
        _issue(floor, point_code="SA-01")
    for _ in range(3):
        called = _call(floor, "SA-01")
        with floor.session() as s:
            s.get(Ticket, called.id).called_at = utcnow() - timedelta(minutes=12)
            queue.complete(s, ACTOR, called.id)
    with floor.session() as s:
        point = s.execute(select(ServicePoint).where(ServicePoint.code == "SA-01")).scalar_one()
        assert point.services_measured == 3
        assert 11.9 < point.service_seconds_mean / 60 < 12.1
    # One patient still waits: a new ticket expects one 12-minute service ahead of it.
    assert _issue(floor, point_code="SA-01").expected_wait_minutes == 12
