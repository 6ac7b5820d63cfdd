"""A patient at the lobby kiosk looks up results, in a real browser on the portrait touch
screen: scanning the ticket's QR shows the verified values with their flags in words and
prints them; the CCCD QR with the birth date on the keypad does the same; results entered
but not yet verified never reach the screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.queueing.flows import ticket_for_visit
from smarthis.security import service as security
from smarthis.security.principal import system_principal
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.e2e.test_doctor_workstation_browser import LAB_1, LAB_2, seed_rooms
from tests.orders.test_orders import DOCTOR, _patient_with_visit
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PORTRAIT = {"width": 1080, "height": 1920}
CCCD = "048175000321"
QR = f"{CCCD}||Trần Thị Bình|02071975|Nữ|45 Hùng Vương, Hải Châu, Đà Nẵng|10052022"


@dataclass
class Lobby:
    base_url: str
    token: str
    verified_ticket_qr: str
    unverified_ticket_qr: str


def _visit_with_electrolytes(
    db: Database, name: str, birth: date, cccd: str | None, verify: bool
) -> str:
    """A visit with a ticket, an electrolyte panel ordered and its values entered (and
    verified by a second technician when `verify`); returns the ticket's QR text."""
    with db.session() as s:
        visit_id = _patient_with_visit(s, name, birth, "female", cccd)
    ticket = ticket_for_visit(db, system_principal(FACILITY), visit_id, point_code="PK-106")
    with db.session() as s:
        placed = orders.place_order(s, DOCTOR, visit_id, ["XN-DGD"])
        item_id = placed.items[0].id
    with db.session() as s:
        orders.enter_lab_results(s, LAB_1, item_id, [("NA", "139"), ("K", "5.6"), ("CL", "95")])
    if verify:
        with db.session() as s:
            orders.verify(s, LAB_2, item_id)
    return f"http://127.0.0.1/t/{ticket.lookup_token}"


@pytest.fixture
def lobby(db: Database) -> Iterator[Lobby]:
    seed_rooms(db)
    with db.session() as s:
        _device, token = security.register_device(
            s, facility_code=FACILITY, code="kiosk-01", name="Kiosk sảnh A", kind="kiosk"
        )
    verified = _visit_with_electrolytes(db, "Trần Thị Bình", date(1975, 7, 2), CCCD, True)
    unverified = _visit_with_electrolytes(db, "Lê Thị Cúc", date(1980, 1, 9), None, False)
    running = serve_in_thread(make_app(db))
    yield Lobby(running.base_url, token, verified, unverified)
    running.stop()


def _open_kiosk(browser, lobby: Lobby) -> Page:
    page = browser.new_page(viewport=PORTRAIT, locale="vi-VN")
    page.goto(f"{lobby.base_url}/device/activate?token={lobby.token}&next=/kiosk")
    page.wait_for_url(f"{lobby.base_url}/kiosk")
    page.wait_for_selector("#screen-home:not([hidden])")
    return page


def _scan(page: Page, text: str) -> None:
    page.keyboard.type(text)  # a keyboard-wedge scanner: fast text, then Enter
    page.keyboard.press("Enter")


def test_ticket_qr_shows_verified_values_and_prints_them(lobby: Lobby) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, lobby)
        page.click("#go-results")
        page.wait_for_selector("#screen-results-scan:not([hidden])")
        page.screenshot(path=screenshot_path("kiosk-results-01-scan"))
        _scan(page, lobby.verified_ticket_qr)
        page.wait_for_selector("#screen-results:not([hidden])")
        rows = page.locator("#results-list tr[data-analyte]")
        expect(rows).to_have_count(3)
        potassium = page.locator('#results-list tr[data-analyte="K"]')
        expect(potassium).to_contain_text("Kali")
        expect(potassium).to_contain_text("5.6")
        expect(potassium).to_contain_text("mmol/L")
        expect(potassium).to_contain_text("Cao")
        expect(page.locator('#results-list tr[data-analyte="CL"]')).to_contain_text("Thấp")
        expect(page.locator('#results-list tr[data-analyte="NA"]')).to_contain_text("Bình thường")
        expect(page.locator("#results-empty")).to_be_hidden()
        page.screenshot(path=screenshot_path("kiosk-results-02-values"))

        page.click("#results-print")
        page.wait_for_selector("#pdf-view:not([hidden])")
        assert page.get_attribute("#pdf-frame", "src").startswith("blob:")
        page.click("#pdf-close")

        page.click("#lang-en")
        expect(potassium).to_contain_text("High")
        expect(page.locator("#results-print")).to_have_text("Print results")
        page.click("#screen-results [data-home]")
        page.wait_for_selector("#screen-home:not([hidden])")
        expect(page.locator("#results-list tr")).to_have_count(0)


def test_cccd_qr_with_birth_date_on_the_keypad(lobby: Lobby) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, lobby)
        page.click("#go-results")
        page.wait_for_selector("#screen-results-scan:not([hidden])")
        _scan(page, QR)
        page.wait_for_selector("#screen-results-dob:not([hidden])")
        for digit in "01071975":  # a wrong day first
            page.click(f'[data-keypad="results-dob"] .k-key:text-is("{digit}")')
        page.click("#results-dob-next")
        dialog = page.wait_for_selector("#dialog:not([hidden])")
        assert "Không tìm thấy kết quả" in dialog.inner_text()
        page.click("#dialog-buttons >> text=Thử lại")
        page.wait_for_selector("#screen-results-dob:not([hidden])")
        page.click('[data-keypad="results-dob"] [data-t="clear"]')
        for digit in "02071975":
            page.click(f'[data-keypad="results-dob"] .k-key:text-is("{digit}")')
        expect(page.locator("#results-dob")).to_have_text("02 / 07 / 1975")
        page.click("#results-dob-next")
        page.wait_for_selector("#screen-results:not([hidden])")
        expect(page.locator("#results-list tr[data-analyte]")).to_have_count(3)


def test_unverified_results_never_reach_the_kiosk(lobby: Lobby) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, lobby)
        _scan(page, lobby.unverified_ticket_qr)  # straight from the home screen
        page.wait_for_selector("#screen-results:not([hidden])")
        expect(page.locator("#results-empty")).to_be_visible()
        expect(page.locator("#results-empty")).to_contain_text("Chưa có kết quả đã duyệt")
        expect(page.locator("#results-list tr")).to_have_count(0)
        expect(page.locator("#results-print")).to_be_hidden()
        assert "5.6" not in page.inner_text("#screen-results")
        page.screenshot(path=screenshot_path("kiosk-results-03-not-verified"))
