"""A patient at the lobby kiosk, in a real browser on a portrait touch screen: scans the
CCCD QR (typed by a keyboard-wedge scanner, then Enter), reads the insurance answer,
chooses a specialty and gets a printed number; takes a cashier number; switches to
English; registers by VNeID on the keypad; confirms today's follow-up appointment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Route
from sqlalchemy import func, select, update

from smarthis.clinical import examination as exam
from smarthis.clinical.examination_models import Examination
from smarthis.clinical.models import Visit
from smarthis.clinical.service import VisitRequest, register_visit
from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.patients.identify import register_typed
from smarthis.patients.models import Patient
from smarthis.patients.service import Demographics
from smarthis.printing import ticket_escpos_bytes
from smarthis.queueing.clock import service_day
from smarthis.queueing.flows import ticket_for_visit
from smarthis.queueing.models import Ticket
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.queueing.tickets import ticket_print
from smarthis.security import service
from smarthis.security.principal import system_principal
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

# The QR of Nguyễn Văn An's CCCD; the portal simulator holds his card DN4480123456789.
QR = "048065001234||Nguyễn Văn An|15031965|Nam|12 Lê Duẩn, Hải Châu, Đà Nẵng|01022021"
# A woman with no insurance card on file (no BHYT code: the QR carries none).
QR_NO_CARD = "048175000321||Trần Thị Bình|02071975|Nữ|45 Hùng Vương, Hải Châu, Đà Nẵng|10052022"
PORTRAIT = {"width": 1080, "height": 1920}
KIOSK = "kiosk-01"


@dataclass
class Kiosk:
    base_url: str
    token: str
    printer: Path
    db: Database
    settings: object

    @property
    def activate_url(self) -> str:
        return f"{self.base_url}/device/activate?token={self.token}&next=/kiosk"


def _seed_floor(db: Database) -> None:
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khu khám bệnh")
        for code, label in (("PK-106", "106"), ("PK-109", "109")):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=f"Phòng khám Nội tổng quát {label}",
                kind="examination",
                specialty="Nội tổng quát",
                area_code="KKB",
                prefix="N",
                queue_group="NO",
                room_label=label,
                floor="Tầng 1",
            )
        create_service_point(
            s,
            FACILITY,
            code="PK-102",
            name="Phòng khám Ung bướu vú",
            kind="examination",
            specialty="Ung bướu vú - phụ khoa",
            area_code="KKB",
            prefix="B",
            room_label="102",
            floor="Tầng 1",
        )
        for code, name, kind, prefix, label in (
            ("TN-01", "Quầy thu ngân 1", "cashier", "T", "Quầy 5"),
            ("NT-01", "Quầy phát thuốc BHYT", "pharmacy", "F", "Quầy 7"),
            ("TT-01", "Quầy thông tin - hỗ trợ", "information", "I", "Quầy 4"),
        ):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=name,
                kind=kind,
                area_code="KKB",
                prefix=prefix,
                room_label=label,
                floor="Tầng 1",
            )


@pytest.fixture
def kiosk(db: Database, bhxh_simulator, tmp_path: Path) -> Iterator[Kiosk]:
    printer = tmp_path / "printer.bin"
    _seed_floor(db)
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
        _device, token = service.register_device(
            session, facility_code=FACILITY, code=KIOSK, name="Kiosk sảnh A", kind="kiosk"
        )
        service.set_on_duty(session, KIOSK, "letan.hoa")
        service.set_printer(session, KIOSK, f"file:{printer}")
    portal = BhxhPortalClient(bhxh_simulator.base_url, "48001_BV", "sim-test-password")
    app = make_app(db, portal=portal)
    running = serve_in_thread(app)
    yield Kiosk(running.base_url, token, printer, db, app.state.settings)
    running.stop()
    portal.close()


def _insured_patient(db: Database) -> None:
    register_typed(
        db,
        system_principal(FACILITY),
        Demographics(full_name="Nguyễn Văn An", date_of_birth=date(1965, 3, 15), sex="male"),
        cccd="048065001234",
        bhyt_code="DN4480123456789",
    )


def _open_kiosk(browser, kiosk: Kiosk) -> Page:
    page = browser.new_page(viewport=PORTRAIT, locale="vi-VN")
    page.goto(kiosk.activate_url)
    page.wait_for_url(f"{kiosk.base_url}/kiosk")
    page.wait_for_selector("#screen-home:not([hidden])")
    return page


def _scan(page: Page, qr: str) -> None:
    # Like a keyboard-wedge scanner: the text very fast, then Enter, with no field focused
    # by the patient.
    page.keyboard.type(qr)
    page.keyboard.press("Enter")


def _counts(db: Database) -> tuple[int, int, list[str]]:
    with db.session() as session:
        tickets = session.execute(select(func.count()).select_from(Ticket)).scalar_one()
        via = list(session.execute(select(Visit.registered_via)).scalars())
    return tickets, len(via), via


def test_kiosk_registration_from_a_scanned_cccd_qr_to_a_printed_ticket(kiosk: Kiosk) -> None:
    _insured_patient(kiosk.db)
    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        assert page.inner_text("#go-register").startswith("Đăng ký khám bệnh")
        page.screenshot(path=screenshot_path("kiosk-home"))

        page.click("#go-register")
        page.wait_for_selector("text=Đưa mã QR trên thẻ CCCD vào máy quét")
        _scan(page, QR)

        insurance = page.wait_for_selector("#insurance[data-status=verified]")
        assert "k-good" in (insurance.get_attribute("class") or "")
        assert "Thẻ BHYT hợp lệ" in insurance.inner_text()
        assert "Mức hưởng 80%" in insurance.inner_text()
        assert page.inner_text("#patient-name") == "NGUYỄN V. A."
        assert "tuổi" in page.inner_text("#patient-age")
        # The full name is never shown in the lobby.
        assert "Nguyễn Văn An" not in page.inner_text("body")
        assert page.is_disabled("#take")
        page.screenshot(path=screenshot_path("kiosk-insurance"))

        page.click("[data-choice='examination:Nội tổng quát']")
        choice = page.locator("[data-choice='examination:Nội tổng quát']")
        assert choice.get_attribute("aria-pressed") == "true"
        assert "Không phải chờ" in choice.inner_text()
        page.screenshot(path=screenshot_path("kiosk-specialty"))

        # A double tap: two clicks in the same instant.
        page.evaluate("() => { const b = document.querySelector('#take'); b.click(); b.click(); }")
        page.wait_for_selector("#screen-ticket:not([hidden])")
        assert page.inner_text("#ticket-number") == "N-0001"
        assert "Phòng 106 — Tầng 1" in page.inner_text("#ticket-place")
        assert "BHYT" in page.inner_text("#ticket-insurance")
        assert page.get_attribute("#ticket-print", "data-printed") == "true"
        assert "Đã in số thứ tự" in page.inner_text("#ticket-print")
        assert page.is_hidden("#ticket-pdf")
        page.screenshot(path=screenshot_path("kiosk-ticket"))

        page.click("#ticket-done")
        page.wait_for_selector("#screen-home:not([hidden])")

    tickets, visits, via = _counts(kiosk.db)
    assert (tickets, visits, via) == (1, 1, ["kiosk"])
    # Exactly one ESC/POS job reached the kiosk's printer.
    job = kiosk.printer.read_bytes()
    assert job.startswith(b"\x1b@")
    with kiosk.db.session() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
        assert ticket.issued_via == "kiosk"
        expected = ticket_escpos_bytes(
            ticket_print(session, kiosk.settings, ticket, f"{kiosk.base_url}/")
        )
    assert job == expected


def test_a_lost_answer_retried_gives_the_same_ticket_and_the_pdf_without_printer(
    kiosk: Kiosk,
) -> None:
    with kiosk.db.session() as session:
        service.set_printer(session, KIOSK, None)
    lost: list[int] = []

    def lose_first_answer(route: Route) -> None:
        if not lost:
            # The server registers the visit, but the answer never reaches the kiosk.
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        page.route("**/api/kiosk/register", lose_first_answer)
        page.click("#go-register")
        _scan(page, QR_NO_CARD)
        insurance = page.wait_for_selector("#insurance[data-status=no_card]")
        assert "k-bad" in (insurance.get_attribute("class") or "")
        assert "Chưa có thông tin thẻ BHYT" in insurance.inner_text()

        page.click("[data-choice='examination:Ung bướu vú - phụ khoa']")
        page.click("[data-priority=pregnant]")
        page.click("#take")
        dialog = page.wait_for_selector("#dialog:not([hidden])")
        assert "Mất kết nối, vui lòng thử lại hoặc đến quầy tiếp đón" in dialog.inner_text()
        page.screenshot(path=screenshot_path("kiosk-error"))
        assert lost == [201]
        page.click("#dialog-buttons >> text=Thử lại")

        page.wait_for_selector("#screen-ticket:not([hidden])")
        assert page.inner_text("#ticket-number") == "B-0001"
        assert "Phụ nữ có thai" in page.inner_text("#ticket-priority")
        assert page.get_attribute("#ticket-print", "data-printed") == "false"
        assert "Kiosk chưa nối máy in" in page.inner_text("#ticket-print")
        assert page.is_visible("#ticket-pdf")
        page.screenshot(path=screenshot_path("kiosk-ticket-no-printer"))

        # "In phiếu (PDF)" shows the ticket's PDF, which the kiosk's own cookie may fetch.
        with page.expect_response("**/ticket.pdf") as pdf_answer:
            page.click("#ticket-pdf")
        answer = pdf_answer.value
        assert answer.status == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert page.is_visible("#pdf-view")
        page.click("#pdf-close")

    tickets, visits, via = _counts(kiosk.db)
    assert (tickets, visits, via) == (1, 1, ["kiosk"])
    assert not kiosk.printer.exists()


def test_take_a_number_for_the_cashier(kiosk: Kiosk) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        page.click("#go-number")
        page.wait_for_selector("#screen-choose:not([hidden])")
        assert page.is_hidden("#patient-block")
        names = page.locator("#choices .k-choice strong").all_inner_texts()
        assert names == ["Thu ngân", "Thông tin - hỗ trợ", "Nhận thuốc"]
        page.click("[data-choice='cashier:']")
        page.screenshot(path=screenshot_path("kiosk-take-number"))
        page.click("#take")
        page.wait_for_selector("#screen-ticket:not([hidden])")
        assert page.inner_text("#ticket-number") == "T-0001"
        assert page.inner_text("#ticket-place") == "Quầy 5 — Tầng 1"
        assert page.is_hidden("#ticket-insurance")

    with kiosk.db.session() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
        assert (ticket.service_point_code, ticket.visit_id, ticket.issued_via) == (
            "TN-01",
            None,
            "kiosk",
        )
    assert kiosk.printer.read_bytes().startswith(b"\x1b@")


def test_the_english_switch_and_the_counter_services(kiosk: Kiosk) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        page.click("#go-results")  # results now have their own flow (test_kiosk_results_browser)
        page.wait_for_selector("#screen-results-scan:not([hidden])")
        assert "phiếu số thứ tự" in page.inner_text("#screen-results-scan")
        page.click("#screen-results-scan [data-home]")

        page.click("#lang-en")
        assert page.inner_text("h1:visible") == "Welcome! What do you need?"
        assert page.inner_text("#go-register").startswith("Register for examination")
        assert page.get_attribute("html", "lang") == "en"
        page.screenshot(path=screenshot_path("kiosk-home-en"))

        page.click("#go-payment")
        dialog = page.wait_for_selector("#dialog:not([hidden])")
        assert "paid at the cashier counter" in dialog.inner_text()
        page.click("#dialog-buttons >> text=Take a cashier number")
        page.wait_for_selector("#screen-choose:not([hidden])")
        assert page.inner_text("#choose-title") == "Choose a service"
        assert page.get_attribute("[data-choice='cashier:']", "aria-pressed") == "true"
        assert page.inner_text("#take") == "Get my number"

        page.click("#lang-vi")
        assert page.inner_text("#choose-title") == "Chọn dịch vụ cần lấy số"
        assert page.inner_text("#take") == "Lấy số"
        page.click("#lang-en")
        page.click("[data-home]:visible")
        # The next person starts in Vietnamese.
        page.wait_for_selector("#screen-home:not([hidden])")
        assert page.inner_text("h1:visible") == "Xin chào! Bạn cần làm gì?"


def test_vneid_first_visit_on_the_keypad(kiosk: Kiosk) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        page.click("#go-register")
        page.click("#go-vneid")
        for digit in "048175000321":
            page.click(f"[data-keypad=vneid] .k-key >> text='{digit}'")
        assert page.inner_text("#vneid-display").replace("\n", "") == "048175000321"
        page.screenshot(path=screenshot_path("kiosk-vneid"))
        page.click("#vneid-next")

        # First visit: the hospital does not know this number yet.
        page.wait_for_selector("#screen-details:not([hidden])")
        assert page.is_disabled("#details-next")
        page.fill("#details-name", "Trần Thị Bình")
        for digit in "02071975":
            page.click(f"[data-keypad=dob] .k-key >> text='{digit}'")
        assert page.inner_text("#details-dob") == "02 / 07 / 1975"
        page.click("[data-sex=female]")
        page.screenshot(path=screenshot_path("kiosk-details"))
        page.click("#details-next")

        page.wait_for_selector("#insurance[data-status=no_card]")
        assert page.inner_text("#patient-name") == "TRẦN T. B."
        # A scan on this screen is a new patient: the QR wins.
        _scan(page, QR_NO_CARD)
        page.wait_for_selector("#screen-choose:not([hidden])")
        assert page.inner_text("#patient-name") == "TRẦN T. B."


def test_the_pdf_of_an_unknown_ticket_is_a_404(kiosk: Kiosk) -> None:
    response = httpx.get(
        f"{kiosk.base_url}/api/kiosk/tickets/999/ticket.pdf",
        headers={"Authorization": f"Bearer {kiosk.token}"},
    )
    assert response.status_code == 404


def test_a_bad_scan_explains_itself_and_the_chip_reader_bridge_identifies(kiosk: Kiosk) -> None:
    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        page.click("#go-register")
        with page.expect_response("**/api/kiosk/identify") as answer:
            _scan(page, "04806500|Nguyễn Văn An|15031965|Nam|12 Lê Duẩn|01022021")
        assert 400 <= answer.value.status < 500
        message = answer.value.json()["error"]["message"]
        dialog = page.wait_for_selector("#dialog:not([hidden])")
        assert message in dialog.inner_text()
        page.click("#dialog-buttons >> text=Thử lại")
        page.wait_for_selector("#screen-identify:not([hidden])")

        # The chip reader's bridge hands over what the reader read.
        page.evaluate(
            """() => window.smartKiosk.chipCard({
                id_card: "048175000321", full_name: "Trần Thị Bình",
                date_of_birth: "02/07/1975", gender: "Nữ",
                place_of_residence: "45 Hùng Vương, Hải Châu, Đà Nẵng",
                date_of_issue: "10/05/2022"})"""
        )
        page.wait_for_selector("#insurance[data-status=no_card]")
        assert page.inner_text("#patient-name") == "TRẦN T. B."


def _follow_up_booked_for_today(kiosk: Kiosk) -> None:
    """Nguyễn Văn An saw a Nội tổng quát doctor earlier, who asked him back for today."""
    _insured_patient(kiosk.db)
    reception = system_principal(FACILITY)
    with kiosk.db.session() as session:
        doctor = service.create_staff(
            session,
            facility_code=FACILITY,
            login="bs.nam",
            full_name="Lê Văn Nam",
            role="doctor",
            password="mat-khau-bac-si",
        )
        token = service.issue_api_token(session, doctor)
        as_doctor = service.principal_from_bearer(session, token, "127.0.0.1")
        patient_id = session.execute(select(Patient.id)).scalar_one()
    visit = register_visit(
        kiosk.db,
        reception,
        None,  # type: ignore[arg-type]  # self-paying: no card check
        kiosk.settings,  # type: ignore[arg-type]
        VisitRequest(patient_id=patient_id, use_insurance=False),
    )
    ticket_for_visit(kiosk.db, reception, visit.id, point_code="PK-106")
    with kiosk.db.session() as session:
        exam.start_examination(session, as_doctor, visit.id, reason="Tăng huyết áp")
        exam.set_diagnoses(session, as_doctor, visit.id, "I10", [])
    with kiosk.db.session() as session:
        exam.conclude(
            session,
            as_doctor,
            visit.id,
            exam.ConclusionInput(
                conclusion="follow_up", follow_up_date=service_day() + timedelta(days=1)
            ),
        )
    with kiosk.db.session() as session:  # the calendar moves on to the appointment day
        session.execute(update(Examination).values(follow_up_date=service_day()))


def test_todays_follow_up_is_offered_first_and_confirmed_with_one_touch(kiosk: Kiosk) -> None:
    _follow_up_booked_for_today(kiosk)
    with chromium() as browser:
        page = _open_kiosk(browser, kiosk)
        page.click("#go-register")
        _scan(page, QR)
        page.wait_for_selector("#insurance[data-status=verified]")
        offered = page.locator("[data-choice='appointment:Nội tổng quát']")
        assert offered.get_attribute("aria-pressed") == "true"
        assert "Tái khám theo lịch hẹn hôm nay" in offered.inner_text()
        assert "BS Lê Văn Nam" in offered.inner_text()
        assert page.is_enabled("#take")
        page.screenshot(path=screenshot_path("kiosk-appointment"))
        page.click("#take")
        page.wait_for_selector("#screen-ticket:not([hidden])")
        assert page.inner_text("#ticket-number").startswith("N-")

    with kiosk.db.session() as session:
        modes = list(session.execute(select(Visit.arrival_mode).order_by(Visit.id)).scalars())
    assert modes == ["self_referred", "appointment"]
