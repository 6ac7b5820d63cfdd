"""The doctor's workstation shows today at a glance, in a real browser: the doctor's own
shifts from the duty plan and the patients asked back today in the room's specialty, with
the ones who have registered marked as come."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from smarthis.clinical import examination as exam
from smarthis.clinical.examination import ConclusionInput
from smarthis.clinical.examination_models import Examination
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.queueing.clock import service_day
from smarthis.queueing.flows import ticket_for_visit
from smarthis.security import service as security
from smarthis.security.models import Staff
from smarthis.security.principal import Principal, system_principal
from smarthis.staff import schedules
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.e2e.test_doctor_workstation_browser import seed_doctor, seed_rooms, sign_in_at
from tests.orders.test_orders import _patient_with_visit
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")


@dataclass
class Room:
    base_url: str
    db: Database
    waiting_patient_id: int


def _doctor(db: Database) -> Principal:
    with db.session() as s:
        staff = s.execute(select(Staff).where(Staff.login == "bs.nam")).scalar_one()
        principal = security.principal_from_bearer(
            s, security.issue_api_token(s, staff), "127.0.0.1"
        )
    assert principal is not None
    return principal


def _booked_back_today(db: Database, doctor: Principal, name: str, birth: date) -> int:
    """A visit examined in room 106 and concluded "come back", the day being today."""
    with db.session() as s:
        visit_id = _patient_with_visit(s, name, birth, "female", None)
    ticket_for_visit(db, system_principal(FACILITY), visit_id, point_code="PK-106")
    with db.session() as s:
        exam.start_examination(s, doctor, visit_id, reason="Theo dõi sau điều trị")
        exam.set_diagnoses(s, doctor, visit_id, "C50.9", [])
    with db.session() as s:
        tomorrow = service_day() + timedelta(days=1)
        exam.conclude(
            s, doctor, visit_id, ConclusionInput(conclusion="follow_up", follow_up_date=tomorrow)
        )
    with db.session() as s:
        s.execute(
            update(Examination)
            .where(Examination.visit_id == visit_id)
            .values(follow_up_date=service_day())
        )
        return s.execute(select(Visit.patient_id).where(Visit.id == visit_id)).scalar_one()


@pytest.fixture
def room(db: Database) -> Iterator[Room]:
    seed_rooms(db)
    seed_doctor(db)
    doctor = _doctor(db)
    waiting = _booked_back_today(db, doctor, "Trần Thị Bình", date(1975, 7, 2))
    _booked_back_today(db, doctor, "Phạm Thị Hoa", date(1968, 2, 11))
    with db.session() as s:
        # Planned after the tickets: a room planned today takes tickets only in its shifts.
        schedules.add_entry(
            s, system_principal(FACILITY), "bs.nam", "PK-106", service_day(), "morning"
        )
    running = serve_in_thread(make_app(db))
    yield Room(running.base_url, db, waiting)
    running.stop()


def test_the_doctor_sees_todays_shift_and_who_was_asked_back(room: Room) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
        sign_in_at(page, room.base_url, "/doctor/PK-106")
        expect(page.locator("#my-shifts")).to_have_text("Ca sáng 07:00–11:30 — phòng PK-106")
        follow_ups = page.locator("#follow-ups li")
        expect(follow_ups).to_have_count(2)
        expect(page.locator("#follow-up-count")).to_have_text("2")
        expect(follow_ups.first).to_contain_text("Phạm Thị Hoa")
        expect(follow_ups.first).to_contain_text("C50.9")
        expect(follow_ups.first).to_contain_text("Lê Văn Nam")
        expect(page.locator("#follow-ups .tag.came")).to_have_count(0)

        # Trần Thị Bình registers (a visit of today's); the list shows it when reloaded.
        with room.db.session() as s:
            s.add(
                Visit(
                    facility_code=FACILITY,
                    visit_number="2611279999",
                    patient_id=room.waiting_patient_id,
                    registered_by="letan.hoa",
                    arrival_mode="appointment",
                )
            )
        page.click("#refresh-follow-ups")
        came = page.locator("#follow-ups li.arrived")
        expect(came).to_have_count(1)
        expect(came).to_contain_text("Trần Thị Bình")
        expect(came.locator(".tag")).to_have_text("Đã đến · lượt 2611279999")
        page.screenshot(path=screenshot_path("doctor-04-today"))
