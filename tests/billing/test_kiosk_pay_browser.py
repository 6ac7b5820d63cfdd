"""A patient pays at the lobby kiosk, in a real browser: scans the ticket's QR, reads the
bill (what the insurance pays, what is left), the simulated bank pays the VietQR shown on
the screen over a real socket, the kiosk sees the invoice paid and prints the receipt."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from smarthis.billing.bank_simulator import create_bank_simulator_app
from smarthis.billing.models import Invoice
from smarthis.catalogs.service_catalog import find_service
from smarthis.clinical.examination_models import VisitStep
from smarthis.security import service
from tests.apphelpers import FACILITY, make_app
from tests.billing.conftest import CCCD_QR, Hospital, place, start_exam
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

SECRET = "kiosk-test-webhook-secret"
PORTRAIT = {"width": 1080, "height": 1920}


def scan(page: Page, text: str) -> None:
    """A keyboard-wedge scanner's burst: the whole text at once (typing it key by key on a
    loaded test machine can pause longer than the kiosk's gap between two scans), then Enter."""
    page.keyboard.insert_text(text)
    page.keyboard.press("Enter")


@pytest.fixture
def lobby(hospital: Hospital, tmp_path: Path):
    printer = tmp_path / "kiosk-printer.bin"
    with hospital.db.session() as s:
        _device, token = service.register_device(
            s, facility_code=FACILITY, code="kiosk-01", name="Kiosk sảnh A", kind="kiosk"
        )
        service.set_printer(s, "kiosk-01", f"file:{printer}")
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ", "XN-GLU"])
    smarthis = serve_in_thread(make_app(hospital.db, bank_webhook_secret=SECRET))
    bank = serve_in_thread(
        create_bank_simulator_app(f"{smarthis.base_url}/api/bank/notifications", SECRET)
    )
    yield smarthis.base_url, bank.base_url, token, printer
    bank.stop()
    smarthis.stop()


def test_paying_at_the_kiosk_with_vietqr(hospital: Hospital, lobby) -> None:
    base_url, bank_url, token, printer = lobby
    with chromium() as browser:
        page = browser.new_page(viewport=PORTRAIT, locale="vi-VN")
        page.goto(f"{base_url}/device/activate?token={token}&next=/kiosk")
        page.wait_for_selector("#screen-home:not([hidden])")
        assert "Quét phiếu số thứ tự hoặc CCCD" in page.inner_text("#go-payment")
        page.click("#go-payment")
        page.click("#dialog-buttons >> text=Thanh toán tại đây bằng VietQR")
        page.wait_for_selector("#screen-pay-scan:not([hidden])")
        scan(page, f"{base_url}/t/{hospital.ticket_token}")  # the ticket's QR

        qr = page.wait_for_selector("#pay-qr:not([hidden])")
        assert page.inner_text("#pay-name") == "NGUYỄN V. A."
        assert "Nguyễn Văn An" not in page.inner_text("body")
        lines = page.inner_text("#pay-lines")
        assert find_service("CT-NGUC-CQ").name_vi in lines
        assert "BHYT trả" in lines and "bạn trả" in lines
        with hospital.db.session() as s:
            invoice = s.execute(select(Invoice)).scalar_one()
        due = f"{invoice.amount_due:,}".replace(",", ".")
        assert due in page.inner_text("#pay-you")
        assert invoice.payment_reference in page.inner_text("#pay-purpose")
        assert page.locator("#pay-qr-image svg").count() == 1
        page.screenshot(path=screenshot_path("kiosk-pay-bill"))

        payload = qr.get_attribute("data-payload")
        paid = httpx.post(f"{bank_url}/_sim/pay", json={"payload": payload}, timeout=10).json()
        assert paid["delivery"]["status_code"] == 200, paid

        page.wait_for_selector("#screen-pay-done:not([hidden])", timeout=20000)
        assert page.get_attribute("#pay-receipt", "data-printed") == "true"
        assert "Biên lai đã được in" in page.inner_text("#pay-receipt")
        page.screenshot(path=screenshot_path("kiosk-pay-done"))

    assert printer.read_bytes().startswith(b"\x1b@")
    with hospital.db.session() as s:
        settled = s.get(Invoice, invoice.id)
        assert settled.status == "paid" and settled.paid_vnd == invoice.amount_due
        steps = s.execute(select(VisitStep.step).where(VisitStep.visit_id == hospital.visit_id))
        assert "paid" in steps.scalars().all()


def test_the_bill_by_cccd_needs_the_right_birth_date(hospital: Hospital, lobby) -> None:
    base_url, _bank_url, token, _printer = lobby
    with chromium() as browser:
        page = browser.new_page(viewport=PORTRAIT, locale="vi-VN")
        page.goto(f"{base_url}/device/activate?token={token}&next=/kiosk")
        page.wait_for_selector("#screen-home:not([hidden])")
        page.click("#go-payment")
        page.click("#dialog-buttons >> text=Thanh toán tại đây bằng VietQR")
        page.wait_for_selector("#screen-pay-scan:not([hidden])")
        scan(page, CCCD_QR)
        page.wait_for_selector("#screen-pay-dob:not([hidden])")
        for digit in "01011970":
            page.click(f"[data-keypad=pay-dob] .k-key >> text='{digit}'")
        page.click("#pay-dob-next")
        dialog = page.wait_for_selector("#dialog:not([hidden])")
        assert "Không tìm thấy lượt khám" in dialog.inner_text()
        page.click("#dialog-buttons >> text=Thử lại")
        page.wait_for_selector("#screen-pay-dob:not([hidden])")
        page.click("[data-keypad=pay-dob] .k-key[data-t=clear]")
        for digit in "15031965":
            page.click(f"[data-keypad=pay-dob] .k-key >> text='{digit}'")
        page.click("#pay-dob-next")
        page.wait_for_selector("#pay-qr:not([hidden])")
        assert "Bảo hiểm y tế chi trả" in page.inner_text("#screen-pay-bill")
