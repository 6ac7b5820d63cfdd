"""Inpatient care in a real browser: the ward nurse's bed board takes in the patient the
outpatient doctor concluded "admit"; the doctor and the nurse each have the stay's record
open; the doctor's progress note and vital signs appear on the nurse's screen without a
reload; the doctor discharges and the discharge paper downloads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from smarthis.db import Database
from smarthis.documents.pki import PkiConfig, init_ca, issue_staff_certificate
from smarthis.documents.verify import verify_with_hospital_ca
from smarthis.orders import service as orders
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from tests.apphelpers import make_app
from tests.e2e.browser import chromium, chromium_available
from tests.inpatient.helpers import (
    DOCTOR,
    PASSWORD,
    conclude_admit,
    new_patient,
    new_visit,
    seed_staff,
    seed_wards,
    staff,
)
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")
SHOTS = Path("/tmp/shots")
LAB_1 = staff("ktv.xn", Role.LAB_TECHNICIAN, 5)
LAB_2 = staff("ktv.xn2", Role.LAB_TECHNICIAN, 6)


def seed_lab_room(db: Database) -> None:
    """The lab sampling room an order for a blood test queues the patient at."""
    with db.session() as s:
        create_area(s, "48001", "CLS", "Khu cận lâm sàng")
        create_service_point(
            s,
            "48001",
            code="XN-01",
            name="Phòng lấy mẫu xét nghiệm",
            kind="lab",
            area_code="CLS",
            prefix="X",
            room_label="110",
            floor="Tầng 1",
            default_service_minutes=5,
        )


@dataclass
class Ward:
    base_url: str
    db: Database
    glucose_item_id: int
    pki: PkiConfig


@pytest.fixture
def ward(db: Database, tmp_path: Path) -> Iterator[Ward]:
    seed_staff(db)
    seed_wards(db)
    with db.session() as s:
        patient = new_patient(
            s,
            "Hoàng Thị Xuân",
            date(1968, 5, 20),
            "female",
            cccd="048168001234",
            address="45 Trần Phú, Hải Châu, Đà Nẵng",
        )
        visit_id = new_visit(s, patient).id
    conclude_admit(db, visit_id, icd="C50.9")
    seed_lab_room(db)
    with db.session() as s:
        placed = orders.place_order(s, DOCTOR, visit_id, ["XN-GLU"])
        glucose_item_id = placed.items[0].id
    # On PostgreSQL the events come through LISTEN/NOTIFY: the app's start-up runs the listener.
    postgres = db.engine.dialect.name == "postgresql"
    app = make_app(db, data_dir=tmp_path)
    # The hospital's CA and the two doctors' signing certificates (smarthis pki).
    config = PkiConfig.from_settings(app.state.settings)
    init_ca(config)
    for login, name in (("bs.nam", "Nguyễn Văn Nam"), ("bs.lan", "Phạm Thị Lan")):
        issue_staff_certificate(config, login, name)
    running = serve_in_thread(app, lifespan=postgres)
    yield Ward(running.base_url, db, glucose_item_id, config)
    running.stop()


def _signed_in(browser: Browser, base_url: str, login: str, target: str) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base_url}/login?next={target}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")
    return page


def _pdf_text(content: bytes) -> str:
    import pypdfium2

    return pypdfium2.PdfDocument(content)[0].get_textpage().get_text_range()


def test_admit_chart_live_on_a_second_screen_and_discharge(ward: Ward) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        nurse = _signed_in(browser, ward.base_url, "dd.mai", "/inpatient/wards/NOI")
        expect(nurse.locator("#live-state")).to_contain_text("trực tiếp")
        pending = nurse.locator("#pending li")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text("Hoàng Thị Xuân")
        expect(pending).to_contain_text("C50.9")
        nurse.screenshot(path=SHOTS / "inpatient-00-waiting-for-a-bed.png", full_page=True)
        pending.locator("select").select_option("NOI-101-2")
        pending.locator("button.admit").click()
        expect(nurse.locator("#admit-message")).to_contain_text("Đã nhận Hoàng Thị Xuân")
        bed = nurse.locator('.bed[data-bed="NOI-101-2"]')
        expect(bed).to_have_class("bed occupied")
        expect(bed).to_contain_text("Hoàng Thị Xuân")
        expect(nurse.locator("#count-occupied")).to_have_text("1")
        expect(nurse.locator("#count-available")).to_have_text("5")
        expect(nurse.locator("#pending li")).to_have_count(0)
        nurse.screenshot(path=SHOTS / "inpatient-01-bed-board.png", full_page=True)

        bed.locator("a.bed-patient").click()
        nurse.wait_for_url("**/inpatient/stays/*")
        stay_path = nurse.url.split(ward.base_url, 1)[1]
        expect(nurse.locator("#patient-name")).to_have_text("Hoàng Thị Xuân")
        expect(nurse.locator("#live-state")).to_contain_text("trực tiếp")
        # The nurse's screen is never reloaded: this mark would vanish with a reload.
        nurse.evaluate("window.stillTheSamePage = true")

        doctor = _signed_in(browser, ward.base_url, "bs.nam", stay_path)
        expect(doctor.locator("#stay-facts")).to_contain_text("NOI-101-2")
        expect(doctor.locator("#stay-diagnosis")).to_contain_text("C50.9")
        doctor.fill("#p-subjective", "Mệt nhiều, buồn nôn sau truyền hóa chất")
        doctor.fill("#p-assessment", "Nôn do hóa trị độ 1")
        doctor.fill("#p-plan", "Ondansetron 8 mg tiêm tĩnh mạch; theo dõi mạch, nhiệt 6 giờ/lần")
        doctor.click("#save-progress")
        expect(doctor.locator("#progress-message")).to_have_text("Đã lưu tờ điều trị.")
        for field, value in (
            ("#v-pulse", "96"),
            ("#v-temperature", "38.4"),
            ("#v-systolic", "128"),
            ("#v-diastolic", "78"),
            ("#v-respiratory", "20"),
            ("#v-spo2", "97"),
        ):
            doctor.fill(field, value)
        doctor.click("#save-vitals")
        expect(doctor.locator("#vitals-message")).to_have_text("Đã lưu sinh hiệu.")

        # The nurse's screen shows both without a reload.
        expect(nurse.locator("#progress-notes li")).to_have_count(1)
        expect(nurse.locator("#progress-notes")).to_contain_text("Ondansetron 8 mg")
        expect(nurse.locator("#progress-notes")).to_contain_text("Nguyễn Văn Nam")
        expect(nurse.locator("#vitals-rows tr")).to_have_count(1)
        expect(nurse.locator("#vitals-rows")).to_contain_text("38.4 °C")
        expect(nurse.locator("#vitals-rows")).to_contain_text("128/78")
        expect(nurse.locator("#vitals-chart circle.dot.temp")).to_have_count(1)
        assert nurse.evaluate("window.stillTheSamePage") is True

        # The lab's glucose arrives while both screens stay open.
        expect(nurse.locator("#results")).to_contain_text("Định lượng Glucose")
        with ward.db.session() as s:
            orders.enter_lab_results(s, LAB_1, ward.glucose_item_id, [("GLU", "7.9")])
        with ward.db.session() as s:
            orders.verify(s, LAB_2, ward.glucose_item_id)
        expect(nurse.locator("#results")).to_contain_text("7.9 mmol/L")
        expect(nurse.locator("#results")).to_contain_text("Đã duyệt")
        expect(doctor.locator("#results")).to_contain_text("7.9 mmol/L")
        assert nurse.evaluate("window.stillTheSamePage") is True

        # The nurse charts a second measurement and the medication; the doctor sees them.
        nurse.fill("#v-pulse", "84")
        nurse.fill("#v-temperature", "37.6")
        nurse.fill("#v-systolic", "122")
        nurse.fill("#v-diastolic", "76")
        nurse.click("#save-vitals")
        nurse.fill("#m-drug", "Ondansetron 8mg")
        nurse.fill("#m-dose", "1 ống")
        nurse.select_option("#m-route", "Tiêm tĩnh mạch")
        nurse.click("#save-mar")
        expect(nurse.locator("#mar-message")).to_have_text("Đã ghi thuốc.")
        expect(doctor.locator("#vitals-rows tr")).to_have_count(2)
        expect(doctor.locator("#mar-rows")).to_contain_text("Ondansetron 8mg")
        # A catalogue drug names itself and its unit, and is charged (inpatient.ward_drugs).
        nurse.select_option("#m-code", "T-PARA500")
        expect(nurse.locator("#m-unit")).to_contain_text("viên")
        expect(nurse.locator("#m-drug")).to_be_disabled()
        nurse.fill("#m-quantity", "2")
        nurse.click("#save-mar")
        expect(nurse.locator("#mar-message")).to_have_text("Đã ghi thuốc.")
        expect(doctor.locator("#mar-rows")).to_contain_text("Panadol (Paracetamol 500 mg)")
        expect(nurse.locator("#m-drug")).to_be_enabled()  # the form is back to free text
        expect(doctor.locator("#vitals-chart polyline.series.pulse")).to_have_count(1)
        nurse.screenshot(path=SHOTS / "inpatient-02-record-nurse.png", full_page=True)

        # A test ordered from the record lands on the stay's results, as ordered.
        doctor.select_option("#order-services", ["XN-CRE"])
        doctor.click("#order-form button[type=submit]")
        expect(doctor.locator("#order-message")).to_contain_text("Đã chỉ định 1 dịch vụ")
        expect(doctor.locator("#results")).to_contain_text("Creatinin")

        doctor.on("dialog", lambda dialog: dialog.accept())
        doctor.select_option("#d-kind", "recovered_or_improved")
        doctor.fill("#d-summary", "Hóa trị phác đồ AC chu kỳ 1; nôn độ 1 đáp ứng Ondansetron")
        doctor.fill("#d-advice", "Tái khám sau 21 ngày; xét nghiệm công thức máu trước khi đến")
        doctor.click("#discharge")
        expect(doctor.locator("#stay-status")).to_have_text("Đã ra viện")
        expect(nurse.locator("#stay-status")).to_have_text("Đã ra viện")
        expect(nurse.locator("#vitals-form")).to_be_hidden()
        paper_link = doctor.locator("#discharge-paper")
        expect(paper_link).to_be_visible()
        doctor.screenshot(path=SHOTS / "inpatient-03-discharged.png", full_page=True)

        paper = doctor.context.request.get(ward.base_url + paper_link.get_attribute("href"))
        assert paper.ok
        assert paper.headers["content-type"] == "application/pdf"
        text = _pdf_text(paper.body())
        for expected in ("GIẤY RA VIỆN", "HOÀNG THỊ XUÂN", "C50.9", "Tái khám sau 21 ngày"):
            assert expected in text, expected
        (SHOTS / "inpatient-giay-ra-vien.pdf").write_bytes(paper.body())

        # Signed by the attending doctor, then by the head of department on their own screen;
        # both signatures verify, on screen and in the PDF the registry serves.
        doctor.click("#sign-doctor")
        expect(doctor.locator("#paper-status")).to_contain_text("✔")
        expect(doctor.locator("#paper-signers")).to_contain_text("Nguyễn Văn Nam")
        head = _signed_in(browser, ward.base_url, "bs.lan", doctor.url.split(ward.base_url)[1])
        head.click("#sign-head")
        expect(head.locator("#paper-signers li")).to_have_count(2)
        expect(head.locator("#paper-status")).to_contain_text("✔")
        head.screenshot(path=SHOTS / "inpatient-05-paper-signed.png", full_page=True)
        signed = head.context.request.get(
            ward.base_url + head.locator("#discharge-paper").get_attribute("href")
        )
        signed_pdf = signed.body()

        nurse.goto(f"{ward.base_url}/inpatient/wards/NOI")
        expect(nurse.locator('.bed[data-bed="NOI-101-2"]')).to_have_class("bed cleaning")
        nurse.locator('.bed[data-bed="NOI-101-2"] button').click()
        expect(nurse.locator('.bed[data-bed="NOI-101-2"]')).to_have_class("bed available")
    # pyHanko runs its own event loop: verified here, outside Playwright's.
    report = verify_with_hospital_ca(signed_pdf, ward.pki)
    assert report.ok and [s.signer_login for s in report.signatures] == ["bs.nam", "bs.lan"]


def test_a_doctor_admits_an_emergency_patient_directly(ward: Ward) -> None:
    with ward.db.session() as s:
        new_patient(s, "Đinh Công Tráng", date(1979, 2, 1), "male", cccd="048079005555")
    with chromium() as browser:
        doctor = _signed_in(browser, ward.base_url, "bs.nam", "/inpatient/wards/NOI")
        expect(doctor.locator("#live-state")).to_contain_text("trực tiếp")
        doctor.click("#direct-admission summary")
        doctor.fill("#da-query", "dinh cong trang")
        doctor.click("#da-search")
        hit = doctor.locator("#da-hits li", has_text="Đinh Công Tráng")
        hit.locator("button").click()
        doctor.select_option("#da-from", "emergency")
        doctor.fill("#da-icd", "K35.8")
        doctor.fill("#da-reason", "Đau hố chậu phải 6 giờ, sốt")
        doctor.select_option("#da-bed", "NOI-102-3")
        doctor.screenshot(path=SHOTS / "inpatient-04-direct-admission.png", full_page=True)
        doctor.click("#da-admit")
        expect(doctor.locator("#admit-message")).to_contain_text("Đã nhập viện Đinh Công Tráng")
        bed = doctor.locator('.bed[data-bed="NOI-102-3"]')
        expect(bed).to_contain_text("Đinh Công Tráng")
        expect(bed).to_contain_text("K35.8")
