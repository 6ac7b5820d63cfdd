"""What a patient can queue for, with the expected wait: the kiosk's and reception's menu."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from smarthis.db import Database
from smarthis.queueing.clock import service_day
from smarthis.queueing.models import ServicePoint
from smarthis.queueing.priority import NORMAL_RANK
from smarthis.queueing.setup import KIND_NAMES_EN, KIND_NAMES_VI, TAKE_A_NUMBER_KINDS
from smarthis.queueing.waits import wait_for, waiting_by_point


@dataclass
class Choice:
    kind: str
    specialty: str | None
    name_vi: str
    name_en: str
    rooms: int
    waiting: int
    expected_wait_minutes: int


def _choices(db: Database, facility_code: str, kinds: tuple[str, ...]) -> list[Choice]:
    day = service_day()
    with db.session() as session:
        points = list(
            session.execute(
                select(ServicePoint)
                .where(
                    ServicePoint.facility_code == facility_code,
                    ServicePoint.kind.in_(kinds),
                    ServicePoint.active.is_(True),
                )
                .order_by(ServicePoint.kind, ServicePoint.specialty, ServicePoint.code)
            ).scalars()
        )
        grouped: dict[tuple[str, str | None], list[ServicePoint]] = {}
        for point in points:
            grouped.setdefault((point.kind, point.specialty), []).append(point)
        ahead = waiting_by_point(session, facility_code, day, NORMAL_RANK)
        choices = []
        for (kind, specialty), group in grouped.items():
            waits = [wait_for(ahead.get(p.code, 0), p) for p in group]
            waiting = sum(ahead.get(p.code, 0) for p in group)
            choices.append(
                Choice(
                    kind=kind,
                    specialty=specialty,
                    name_vi=specialty or KIND_NAMES_VI[kind],
                    name_en=specialty or KIND_NAMES_EN[kind],
                    rooms=len(group),
                    waiting=waiting,
                    expected_wait_minutes=min(waits),
                )
            )
    return choices


def examination_choices(db: Database, facility_code: str) -> list[Choice]:
    return _choices(db, facility_code, ("examination",))


def take_a_number_choices(db: Database, facility_code: str) -> list[Choice]:
    return _choices(db, facility_code, TAKE_A_NUMBER_KINDS)
