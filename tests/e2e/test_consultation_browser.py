"""A doctor in a real browser organises an inter-hospital consultation: finds the patient,
schedules it with Bệnh viện K and a video link, shares a verified result, records the
conclusion and opens the minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.security import service
from smarthis.security.permissions import Role
from tests.apphelpers import make_app
from tests.billing.conftest import DOCTOR, FACILITY, _rooms, add_patient_visit, staff
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Debian chromium not installed")
PASSWORD = "mat-khau-bac-si"


@pytest.fixture
def server_url(db: Database) -> Iterator[str]:
    with db.session() as s:
        service.create_staff(
            s,
            facility_code=FACILITY,
            login="bs.nam",
            full_name="Nguyễn Văn Nam",
            role="doctor",
            password=PASSWORD,
        )
        _rooms(s)
        visit_id, _patient, _token = add_patient_visit(s, insured=False, full_name="Lê Thị Hồng")
    with db.session() as s:
        item = orders.place_order(s, DOCTOR, visit_id, ["XN-GLU"]).items[0]
        technician = staff("ktv.an", Role.LAB_TECHNICIAN, 5)
        orders.collect_specimen(s, technician, item.id)
        orders.enter_lab_results(s, technician, item.id, [("GLU", "7.9")])
    with db.session() as s:
        orders.verify(s, staff("ktv.binh", Role.LAB_TECHNICIAN, 6), item.id)
    running = serve_in_thread(make_app(db, facility_name="Bệnh viện Ung bướu Đà Nẵng"))
    yield running.base_url
    running.stop()


def test_doctor_schedules_shares_and_concludes_a_consultation(server_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 1000}, locale="vi-VN")
        page.goto(f"{server_url}/consultations")
        page.fill("input[name=login]", "bs.nam")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#new-form")
        page.fill("#patient-q", "Lê Thị Hồng")
        page.click("#patient-find")
        page.wait_for_selector("#patient option:has-text('Lê Thị Hồng')", state="attached")
        page.fill("#when", f"{date.today() + timedelta(days=7)}T14:30")
        page.fill("#link", "https://meet.example.vn/hoi-chan-vu")
        page.fill("#question", "Có chỉ định hoá trị bổ trợ không?")
        page.fill("#summary", "Nữ 58 tuổi, ung thư vú trái, đã phẫu thuật cắt tuyến vú.")
        other = page.locator("#people tbody tr").nth(1)
        other.locator("[name=hospital_code]").fill("01929")
        other.locator("[name=hospital_name]").fill("Bệnh viện K")
        other.locator("[name=title]").fill("GS.TS.BS")
        other.locator("[name=doctor_name]").fill("Trần Văn Thuấn")
        page.screenshot(path=screenshot_path("consultations-new"), full_page=True)
        page.click("#new-form button[type=submit]")
        page.wait_for_url("**/consultations/*")
        page.wait_for_selector("#choices input[type=checkbox]")
        page.check("#choices input[type=checkbox]")
        page.click("#share-form button[type=submit]")
        page.wait_for_selector("#shared li:has-text('GLU: 7.9')")
        page.fill("#conclusion", "Hoá trị bổ trợ phác đồ AC-T, theo dõi đường huyết.")
        page.fill("#plan", "Bắt đầu sau 2 tuần tại Khoa Nội - Hoá trị")
        page.click("#conclude-form button[type=submit]")
        page.wait_for_selector("#status:has-text('Đã hội chẩn')")
        assert page.is_visible("#minutes")
        page.screenshot(path=screenshot_path("consultation-held"), full_page=True)
        page.goto(f"{server_url}/consultations")
        page.wait_for_selector("#list tbody a:has-text('Lê Thị Hồng')")
        page.screenshot(path=screenshot_path("consultations-list"), full_page=True)
