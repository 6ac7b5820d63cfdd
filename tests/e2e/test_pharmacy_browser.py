"""The pharmacist's screen in a real browser: the paid prescription is first in the queue,
its lots are shown first expiry first, "Phát thuốc" gives it and the stock goes down; a
prescription short of a drug says so before the button is pressed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smarthis.db import Database
from smarthis.pharmacy.stock import seed_demo_stock
from smarthis.security import service
from tests.apphelpers import FACILITY, make_app
from tests.billing.conftest import _rooms
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.pharmacy.test_dispensing import Rx, pay, prescribe
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PASSWORD = "mat-khau-duoc-si"


@pytest.fixture
def counter(db: Database) -> Iterator[tuple[str, Rx, Rx, Rx]]:
    with db.session() as s:
        _rooms(s)
        seed_demo_stock(s, FACILITY)
        service.create_staff(
            s,
            facility_code=FACILITY,
            login="duocsi.duc",
            full_name="Phan Văn Đức",
            role="pharmacist",
            password=PASSWORD,
        )
    paid = prescribe(
        db, insured=False, drugs={"T-ONDA8": 60, "T-DEXA05": 20}, name="Nguyễn Thị Hoa"
    )
    pay(db, paid)
    short = prescribe(db, insured=False, drugs={"T-FILG300": 5}, name="Trần Văn Bảo")
    pay(db, short)
    unpaid = prescribe(db, insured=False, drugs={"T-PARA500": 20}, name="Lê Thị Cúc")
    running = serve_in_thread(make_app(db))
    yield running.base_url, paid, short, unpaid
    running.stop()


def test_the_pharmacist_dispenses_a_paid_prescription(counter) -> None:
    base, paid, short, unpaid = counter
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        page.goto(f"{base}/login?next=/pharmacy")
        page.fill("input[name=login]", "duocsi.duc")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/pharmacy")
        page.wait_for_selector(f"#ready button[data-prescription='{paid.prescription_id}']")
        assert "Lê Thị Cúc" in page.inner_text("#waiting")
        assert "Thiếu thuốc: Filgrastim" in page.inner_text("#ready")
        assert page.inner_text("#ready-count") == "2"
        page.wait_for_selector("#low-list >> text=Filgrastim")

        page.click(f"#ready button[data-prescription='{short.prescription_id}']")
        page.wait_for_selector("#out-of-stock:not([hidden])")
        assert "Hết hàng: Filgrastim" in page.inner_text("#out-of-stock")
        assert "HẾT HÀNG" in page.inner_text("#rx-items")
        assert page.is_disabled("#dispense")
        page.screenshot(path=screenshot_path("pharmacy-out-of-stock"), full_page=True)

        page.click(f"#ready button[data-prescription='{paid.prescription_id}']")
        page.wait_for_selector("#patient-name >> text=Nguyễn Thị Hoa")
        assert page.inner_text("#payment-badge") == "Đã thanh toán"
        lots = page.inner_text("#rx-items")
        assert "60 viên lô ONDA8-" in lots and "HSD" in lots
        assert page.is_enabled("#dispense")
        page.screenshot(path=screenshot_path("pharmacy"), full_page=True)

        page.click("#dispense")
        page.wait_for_selector("#dispensed:not([hidden])")
        assert "Đã phát thuốc lúc" in page.inner_text("#dispensed")
        assert "dược sĩ Phan Văn Đức" in page.inner_text("#dispensed")
        assert page.is_hidden("#dispense")
        gone = f"#ready button[data-prescription='{paid.prescription_id}']"
        page.wait_for_selector(gone, state="detached")
        page.screenshot(path=screenshot_path("pharmacy-dispensed"), full_page=True)
