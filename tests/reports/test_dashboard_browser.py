"""The director's view in a real browser: the dashboard's charts for a week of a busy
clinic, and the week's duty plan. Screenshots go to SMARTHIS_SCREENSHOTS (or screenshots/)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from smarthis.billing.models import Payment
from smarthis.clinical.examination_models import Examination, VisitStep
from smarthis.db import Database
from smarthis.facility.models import Room
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.reports import service as reports
from smarthis.security import service as security
from smarthis.security.principal import system_principal
from smarthis.staff import schedules
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.reports.conftest import D2, Fortnight, _called, _visit, at
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Debian chromium missing")
FIRST = D2 - timedelta(days=6)


def _busy_week(db: Database) -> None:
    """Seven days of a clinic on top of the fortnight: enough for charts to mean something."""
    rng = random.Random(8)
    admin = system_principal(FACILITY, source="test")
    with db.session() as s:
        security.create_staff(
            s,
            facility_code=FACILITY,
            login="gd.phuong",
            full_name="Võ Thị Phương",
            role="manager",
            password="mat-khau-giam-doc",
        )
        rooms = [
            ("PK-101", "Phòng khám Ung bướu đầu cổ"),
            ("PK-102", "Phòng khám Ung bướu vú"),
            ("PK-103", "Phòng khám Ung bướu vú 2"),
            ("SA-01", "Phòng siêu âm 1"),
        ]
        for code, name in rooms:
            s.add(
                Room(
                    facility_code=FACILITY,
                    code=code,
                    name=name,
                    department_code="KKB",
                    kind="examination",
                )
            )
        n, number = 100, 100
        for offset in range(7):
            day = FIRST + timedelta(days=offset)
            for _ in range(rng.randint(25, 60) if day.weekday() < 5 else rng.randint(6, 14)):
                n += 1
                number += 1
                registered = at(day, 7, 0) + timedelta(minutes=rng.randint(0, 420))
                visit = _visit(s, n, registered, "kiosk" if rng.random() < 0.62 else "reception")
                called = registered + timedelta(minutes=rng.randint(3, 55))
                _called(s, visit, called, number)
                started = called + timedelta(minutes=rng.randint(1, 6))
                ended = started + timedelta(minutes=rng.randint(5, 25))
                doctor = rng.choice(["bs.lan", "bs.minh"])
                s.add(
                    Examination(
                        facility_code=FACILITY,
                        visit_id=visit.id,
                        started_by=doctor,
                        started_at=started,
                        concluded_at=ended,
                        concluded_by=doctor,
                    )
                )
                for step, when in (("examination_started", started), ("concluded", ended)):
                    s.add(
                        VisitStep(
                            facility_code=FACILITY, visit_id=visit.id, step=step, at=when, by=doctor
                        )
                    )
                paid = ended + timedelta(minutes=rng.randint(2, 30))
                s.add(
                    VisitStep(
                        facility_code=FACILITY, visit_id=visit.id, step="paid", at=paid, by="t"
                    )
                )
                s.add(
                    Payment(
                        facility_code=FACILITY,
                        method=rng.choice(["cash", "vietqr", "vietqr", "card"]),
                        amount_vnd=rng.choice([39_000, 150_000, 320_000, 540_000]),
                        received_at=paid,
                        received_by="t.cashier",
                    )
                )
                status = rng.choices(["accepted", "rejected", "sent", "pending"], [80, 6, 8, 6])[0]
                s.add(
                    ClaimSubmission(
                        facility_code=FACILITY,
                        visit_id=visit.id,
                        document="claim",
                        ma_lk=f"LK{n:05d}",
                        status=status,
                        xml_digest="0" * 64,
                        payload="<x/>",
                        created_at=ended,
                    )
                )
        s.flush()
        monday = D2 - timedelta(days=D2.weekday())
        plan = [
            ("bs.lan", "PK-102", "morning"),
            ("bs.minh", "PK-103", "morning"),
            ("bs.lan", "PK-102", "afternoon"),
            ("bs.cdha", "SA-01", "morning"),
            ("ktv.an", "PK-101", "night"),
        ]
        for offset in range(5):
            for login, room, shift in plan:
                if (offset, shift) == (2, "night"):
                    continue
                schedules.add_entry(s, admin, login, room, monday + timedelta(days=offset), shift)


@pytest.fixture
def server_url(fortnight: Fortnight) -> Iterator[str]:
    _busy_week(fortnight.db)
    running = serve_in_thread(make_app(fortnight.db))
    yield running.base_url
    running.stop()


def test_director_reads_the_week(server_url: str, fortnight: Fortnight) -> None:
    with fortnight.db.session() as s:
        visits = {t.key: t for t in reports.dashboard(s, FACILITY, FIRST, D2)}["visits"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        page.goto(f"{server_url}/dashboard?from={FIRST.isoformat()}&to={D2.isoformat()}")
        page.fill("input[name=login]", "gd.phuong")
        page.fill("input[name=password]", "mat-khau-giam-doc")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server_url}/dashboard*")
        page.goto(f"{server_url}/dashboard?from={FIRST.isoformat()}&to={D2.isoformat()}")
        page.wait_for_selector("body[data-loaded=yes]")
        tiles = page.inner_text("#dash-tiles")
        assert f"{visits.summary['visits']}" in tiles.replace(".", "")
        # One stacked bar pair per day with visits, drawn as SVG on the page.
        assert page.locator("#chart-visits svg rect").count() >= 7
        assert page.locator("#chart-waits svg rect").count() == 10
        assert "Nguyễn Thị Lan" in page.inner_text("#table-staff_work")
        assert page.get_attribute("a[data-csv=visits]", "href").startswith(
            "/api/reports/visits.csv"
        )
        page.screenshot(path=screenshot_path("dashboard"), full_page=True)

        page.goto(f"{server_url}/admin/schedules?week={D2.isoformat()}")
        assert page.locator(".entry").count() == 24
        page.select_option("select[name=login]", "bs.lan")
        page.select_option("select[name=room_code]", "PK-103")
        page.select_option("select[name=work_date]", D2.isoformat())
        page.select_option("select[name=shift]", "morning")
        page.click("#plan-form button[type=submit]")
        message = page.wait_for_selector("#plan-message:not([hidden])")
        assert "đã có lịch ca sáng" in message.inner_text()
        page.screenshot(path=screenshot_path("schedules"), full_page=True)


def test_admin_records_a_practising_certificate(server_url: str, fortnight: Fortnight) -> None:
    with fortnight.db.session() as s:
        security.create_staff(
            s,
            facility_code=FACILITY,
            login="qt.admin",
            full_name="Quản trị viên",
            role="admin",
            password="mat-khau-quan-tri",
        )
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 800}, locale="vi-VN")
        page.goto(f"{server_url}/admin/staff-profiles")
        page.fill("input[name=login]", "qt.admin")
        page.fill("input[name=password]", "mat-khau-quan-tri")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server_url}/admin/staff-profiles")
        row = page.locator("tr[data-login='bs.minh']")
        row.locator("select[name=title]").select_option("ThS.BS")
        row.locator("input[name=department_code]").fill("kkb")
        row.locator("input[name=certificate_number]").fill("4521/hcm-cchn")
        row.locator("button.save").click()
        page.wait_for_selector("#profile-message.good")
        assert row.locator("input[name=certificate_number]").input_value() == "004521/HCM-CCHN"
        taken = page.locator("tr[data-login='ktv.an']")
        taken.locator("input[name=certificate_number]").fill("000123/BYT-CCHN")  # bs.lan's
        taken.locator("button.save").click()
        message = page.wait_for_selector("#profile-message.bad")
        assert "đã thuộc về nhân viên khác" in message.inner_text()
        page.screenshot(path=screenshot_path("staff_profiles"), full_page=True)
