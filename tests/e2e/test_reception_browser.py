"""A receptionist in a real browser: signs in, scans a CCCD QR with a keyboard-wedge
scanner (text + Enter), registers the visit and sees the card verified."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
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

        page.fill("input[name=bhyt_code]", "DN4480123456789")
        page.click("#visit-form button[type=submit]")
        badge = page.wait_for_selector("#visit-result .badge")
        assert badge.inner_text() == "Thẻ hợp lệ"
        assert "Lượt khám số" in page.inner_text("#visit-result")
        page.screenshot(path=screenshot_path("reception"), full_page=True)
