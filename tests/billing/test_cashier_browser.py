"""The cashier's workstation in a real browser: finds the visit by the patient's name,
reads each line's insurance split, takes cash, gets the receipt, and sees the day-end sums."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog

from smarthis.security import service
from tests.apphelpers import FACILITY, make_app
from tests.billing.conftest import Hospital, place, start_exam
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PASSWORD = "mat-khau-thu-ngan"


@pytest.fixture
def desk(hospital: Hospital):
    with hospital.db.session() as s:
        service.create_staff(
            s,
            facility_code=FACILITY,
            login="thungan.lan",
            full_name="Phạm Thị Lan",
            role="cashier",
            password=PASSWORD,
            cccd="048196004455",
        )
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ"])
    running = serve_in_thread(make_app(hospital.db))
    yield running.base_url
    running.stop()


def test_cashier_takes_cash_and_refunds_with_a_reason(hospital: Hospital, desk: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        page.goto(f"{desk}/login?next=/cashier")
        page.fill("input[name=login]", "thungan.lan")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{desk}/cashier")
        page.fill("#find-q", "nguyen van an")
        page.click("#find-form button[type=submit]")
        page.wait_for_selector("#bill-card:not([hidden])")
        assert page.inner_text("#patient-name") == "Nguyễn Văn An"
        assert "mức hưởng 80%" in page.inner_text("#invoice-head")
        assert "quỹ BHYT trả 1.200.000" in page.inner_text("#lines")
        assert page.inner_text("#remaining") == "309.000 đ"
        page.screenshot(path=screenshot_path("cashier-bill"))

        with page.expect_popup() as receipt:
            page.click("#pay-button")
        assert "/receipt.pdf" in receipt.value.url
        page.wait_for_selector("#invoice-status >> text=Đã thanh toán")
        assert "biên lai BL" in page.inner_text("#payments")

        answers = iter(["50000", "Bệnh nhân không chụp CT"])

        def answer(dialog: Dialog) -> None:
            dialog.accept(next(answers))

        page.on("dialog", answer)
        page.click("#payments button.refund")
        page.wait_for_selector("#payments >> text=đã hoàn 50.000 đ")

        page.click("#day-form button[type=submit]")
        page.wait_for_selector("#day-card:not([hidden])")
        totals = page.inner_text("#day-totals")
        assert "309.000 đ" in totals and "50.000 đ" in totals and "259.000 đ" in totals
        page.screenshot(path=screenshot_path("cashier-day-end"))
