"""A receptionist in a real browser: signs in, scans a CCCD QR with a keyboard-wedge
scanner (text + Enter), registers the visit and sees the card verified."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, screenshot_path
from tests.servers import serve_in_thread

QR = "048065001234||Nguyễn Văn An|15031965|Nam|12 Lê Duẩn, Hải Châu, Đà Nẵng|01022021"


@pytest.fixture
def server_url(db: Database, bhxh_simulator) -> Iterator[str]:
    with db.session() as session:
        service.create_staff(
            session,
            facility_code=FACILITY,
            login="letan.hoa",
            full_name="Trần Thị Hoa",
            role="receptionist",
            password="mat-khau-tiep-don",
            cccd="048188001234",
        )
        create_area(session, FACILITY, "KKB", "Khu khám bệnh")
        create_service_point(
            session,
            FACILITY,
            code="PK-102",
            name="Phòng khám Ung bướu vú",
            kind="examination",
            specialty="Ung bướu vú",
            area_code="KKB",
            prefix="B",
            room_label="102",
            floor="Tầng 1",
        )
    portal = BhxhPortalClient(bhxh_simulator.base_url, "48001_BV", "sim-test-password")
    running = serve_in_thread(make_app(db, portal=portal))
    yield running.base_url
    running.stop()
    portal.close()


def test_receptionist_scans_cccd_and_registers_a_verified_visit(server_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page.goto(f"{server_url}/reception")
        assert "/login" in page.url
        page.screenshot(path=screenshot_path("login"))
        page.fill("input[name=login]", "letan.hoa")
        page.fill("input[name=password]", "mat-khau-tiep-don")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server_url}/reception")

        # The scanner types the QR text and presses Enter.
        page.click("#scan-input")
        page.keyboard.type(QR)
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Đã tạo hồ sơ bệnh nhân mới từ CCCD.")
        assert page.is_visible("#visit-card")
        assert "Nguyễn Văn An" in page.inner_text("#visit-patient")

        page.fill("#visit-form input[name=bhyt_code]", "DN4480123456789")
        page.click("#visit-form button[type=submit]")
        badge = page.wait_for_selector("#visit-result .badge")
        assert badge.inner_text() == "Thẻ hợp lệ"
        assert "Lượt khám số" in page.inner_text("#visit-result")

        # Then the number, for the specialty's shortest-wait room.
        page.wait_for_selector("#ticket-form:not([hidden])")
        page.select_option("#ticket-choice", label=page.inner_text("#ticket-choice option"))
        page.click("#ticket-form button[type=submit]")
        page.wait_for_selector("#ticket-result .big-number")
        assert page.inner_text("#ticket-result .big-number") == "B-0001"
        assert "Phòng khám Ung bướu vú — 102, Tầng 1" in page.inner_text("#ticket-result")
        page.screenshot(path=screenshot_path("reception"), full_page=True)


def test_child_without_papers_is_registered_by_a_parents_cccd(server_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page.goto(f"{server_url}/login?next=/reception")
        page.fill("input[name=login]", "letan.hoa")
        page.fill("input[name=password]", "mat-khau-tiep-don")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server_url}/reception")
        page.click("#new-patient-button")
        page.fill("#new-patient-form input[name=full_name]", "Lê Minh Khang")
        page.fill("#new-patient-form input[name=date_of_birth]", "2023-05-02")
        page.select_option("#new-patient-form select[name=sex]", "male")
        page.select_option("#document-kind", "guardian_cccd")
        page.fill("#new-patient-form input[name=document_number]", "048188001234")
        page.fill("#new-patient-form input[name=guardian_name]", "Trần Thị Hoa")
        page.click("#new-patient-form button[type=submit]")
        page.wait_for_selector("text=Đã đăng ký bệnh nhân mới.")
        assert "Lê Minh Khang" in page.inner_text("#visit-patient")
        page.screenshot(path=screenshot_path("reception-child"), full_page=True)
