"""The kiosk menu is kept a moment per facility, then read again."""

from __future__ import annotations

from smarthis.db import Database
from smarthis.queueing import service as queue
from smarthis.queueing.choices import MenuCache
from smarthis.queueing.service import TicketRequest
from smarthis.security.principal import system_principal

FACILITY = "48001"
ADMIN = system_principal(FACILITY)


def _waiting_for_breast_oncology(cache: MenuCache, db: Database) -> int:
    offered = cache.menu(db, FACILITY).examinations
    return next(c.waiting for c in offered if c.specialty == "Ung bướu vú")


def test_the_menu_is_kept_while_fresh_and_read_again_after(floor: Database) -> None:
    now = [100.0]
    cache = MenuCache(fresh_s=2.0, clock=lambda: now[0])
    assert _waiting_for_breast_oncology(cache, floor) == 0
    queue.issue_ticket_once(floor, ADMIN, TicketRequest(point_code="PK-102"))
    now[0] += 1.9
    assert _waiting_for_breast_oncology(cache, floor) == 0  # the kept menu
    now[0] += 0.1
    assert _waiting_for_breast_oncology(cache, floor) == 1  # two seconds old: read again


def test_each_facility_has_its_own_menu(floor: Database) -> None:
    cache = MenuCache(clock=lambda: 0.0)
    assert cache.menu(floor, FACILITY).examinations
    assert cache.menu(floor, "99999").examinations == []  # not the other's, kept
