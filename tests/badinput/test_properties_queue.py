"""Queue numbering under any sequence of issues, repeated taps and abandoned transactions:
each queue group's numbers run on without a gap or a repeat, the display number is the
room's prefix and the number, a repeated idempotency key gives back the same ticket, and a
rolled-back issue gives its number back."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smarthis.counters import current_value
from smarthis.db import Database
from smarthis.queueing import service as queue
from smarthis.queueing.priority import PRIORITY_NAMES_VI
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.apphelpers import FACILITY
from tests.badinput.profile import properties
from tests.conftest import empty_all_tables

# A fixed service day: numbering restarts each day, and a run crossing midnight in Hà Nội
# must not change what the property expects.
DAY = date(2026, 11, 26)
RECEPTION = Principal("staff", 1, "t.receptionist", "Lễ tân", Role.RECEPTIONIST, FACILITY)
# Two examination rooms share one queue group (one number sequence); the lab has its own.
POINTS = {"PK-101": ("PK", "C"), "PK-102": ("PK", "C"), "XN-01": ("XN-01", "X")}
_keys = itertools.count(1)


class Abandoned(Exception):
    """Raised inside the transaction to roll an issue back, as a crash mid-request would."""


@pytest.fixture(scope="module")
def queue_db(_shared_database: Database) -> Iterator[Database]:
    empty_all_tables(_shared_database)
    with _shared_database.session() as session:
        create_area(session, FACILITY, "KKB", "Khu khám bệnh")
        for code, (group, prefix) in POINTS.items():
            create_service_point(
                session,
                FACILITY,
                code=code,
                name=f"Phòng {code}",
                kind="lab" if code.startswith("XN") else "examination",
                area_code="KKB",
                prefix=prefix,
                queue_group=group,
                room_label=code[-3:],
            )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(queue, "service_day", lambda at=None: DAY)
        yield _shared_database
    empty_all_tables(_shared_database)


@dataclass(frozen=True)
class Step:
    kind: str  # issue | abandon | repeat
    point: str
    priority: str | None


steps = st.builds(
    Step,
    kind=st.sampled_from(["issue", "issue", "abandon", "repeat"]),
    point=st.sampled_from(sorted(POINTS)),
    priority=st.none() | st.sampled_from(sorted(PRIORITY_NAMES_VI)),
)


def counter(db: Database, group: str) -> int:
    with db.session() as session:
        return current_value(session, f"ticket:{FACILITY}:{DAY}:{group}")


def request(step: Step, key: str | None) -> queue.TicketRequest:
    return queue.TicketRequest(
        point_code=step.point, priority_group=step.priority, idempotency_key=key, via="kiosk"
    )


@properties(25)
@given(plan=st.lists(steps, min_size=1, max_size=8))
def test_numbers_run_on_without_gaps_or_repeats(queue_db: Database, plan: list[Step]) -> None:
    groups = {group for group, _prefix in POINTS.values()}
    start = {group: counter(queue_db, group) for group in groups}
    issued: dict[str, list[int]] = {group: [] for group in groups}
    tickets: list[tuple[str, int, str]] = []  # idempotency key, ticket id, display number
    for step in plan:
        group, prefix = POINTS[step.point]
        if step.kind == "repeat" and tickets:
            key, ticket_id, display = tickets[-1]
            again = queue.issue_ticket_once(queue_db, RECEPTION, request(step, key))
            assert (again.id, again.display_number) == (ticket_id, display)
        elif step.kind == "abandon":
            with pytest.raises(Abandoned), queue_db.session() as session:
                queue.issue_ticket(session, RECEPTION, request(step, None))
                raise Abandoned
        else:
            key = f"prop-{next(_keys)}"
            ticket = queue.issue_ticket_once(queue_db, RECEPTION, request(step, key))
            assert ticket.queue_group == group and ticket.service_day == DAY
            assert ticket.display_number == f"{prefix}-{ticket.number:04d}"
            issued[group].append(ticket.number)
            tickets.append((key, ticket.id, ticket.display_number))
    for group in groups:
        first = start[group] + 1
        assert issued[group] == list(range(first, first + len(issued[group])))
        assert counter(queue_db, group) == start[group] + len(issued[group])
