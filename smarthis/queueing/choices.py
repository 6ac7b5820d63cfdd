"""What a patient can queue for, with the expected wait: the kiosk's and reception's menu."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from smarthis.db import Database, utcnow
from smarthis.queueing.clock import service_day
from smarthis.queueing.models import ServicePoint
from smarthis.queueing.priority import NORMAL_RANK
from smarthis.queueing.setup import KIND_NAMES_EN, KIND_NAMES_VI, TAKE_A_NUMBER_KINDS
from smarthis.queueing.waits import wait_for, waiting_by_point
from smarthis.staff.schedules import closed_rooms


@dataclass
class Choice:
    kind: str
    specialty: str | None
    name_vi: str
    name_en: str
    rooms: int
    waiting: int
    expected_wait_minutes: int


@dataclass
class Menu:
    examinations: list[Choice]  # one per specialty
    services: list[Choice]  # take a number only: cashier, pharmacy, information...


# Built once (smarthis/db.py says why): every patient at a kiosk opens the menu.
_OFFERED = (
    select(ServicePoint)
    .where(
        ServicePoint.facility_code == bindparam("facility_code"),
        ServicePoint.kind.in_(("examination", *TAKE_A_NUMBER_KINDS)),
        ServicePoint.active.is_(True),
    )
    .order_by(ServicePoint.kind, ServicePoint.specialty, ServicePoint.code)
)


def menu(db: Database, facility_code: str) -> Menu:
    """Both lists, read together: three queries in one transaction. Rooms outside their
    planned shift are left out, as the ticket routing leaves them out."""
    day = service_day()
    with db.session() as session:
        points = list(session.execute(_OFFERED, {"facility_code": facility_code}).scalars())
        closed = closed_rooms(session, facility_code, utcnow())
        grouped: dict[tuple[str, str | None], list[ServicePoint]] = {}
        for point in points:
            if point.code not in closed:
                grouped.setdefault((point.kind, point.specialty), []).append(point)
        ahead = waiting_by_point(session, facility_code, day, NORMAL_RANK)
    choices = [
        _choice(kind, specialty, rooms, ahead) for (kind, specialty), rooms in grouped.items()
    ]
    return Menu(
        examinations=[c for c in choices if c.kind == "examination"],
        services=[c for c in choices if c.kind != "examination"],
    )


def _choice(
    kind: str, specialty: str | None, group: list[ServicePoint], ahead: dict[str, int]
) -> Choice:
    return Choice(
        kind=kind,
        specialty=specialty,
        name_vi=specialty or KIND_NAMES_VI[kind],
        name_en=specialty or KIND_NAMES_EN[kind],
        rooms=len(group),
        waiting=sum(ahead.get(p.code, 0) for p in group),
        expected_wait_minutes=min(wait_for(ahead.get(p.code, 0), p) for p in group),
    )


# Every patient at a kiosk opens the menu (three queries, a fifth of a registration's
# database work); at the morning peak several kiosks open it each second. The menu is
# kept this long, per facility: its waiting counts and expected waits are then at most
# this old, and a room that closes may stay offered as long (the ticket then goes to an
# open room, or the kiosk says none is open).
MENU_FRESH_S = 2.0


class MenuCache:
    """The kiosk menu per facility, computed again once older than `fresh_s`. Shared by
    the worker's request threads: two that find it stale at once both compute it (the
    same answer), which is cheaper than making one wait for the other."""

    def __init__(
        self, fresh_s: float = MENU_FRESH_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.fresh_s = fresh_s
        self._clock = clock
        self._menus: dict[str, tuple[float, Menu]] = {}

    def menu(self, db: Database, facility_code: str) -> Menu:
        now = self._clock()
        kept = self._menus.get(facility_code)
        if kept is not None and now - kept[0] < self.fresh_s:
            return kept[1]
        fresh = menu(db, facility_code)
        self._menus[facility_code] = (now, fresh)
        return fresh
