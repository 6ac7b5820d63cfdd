"""The doctor writes and issues a prescription on the workstation, in a real browser: the
drug search ignores diacritics, a narcotic (morphine) is shown marked and refused by the API
with its message, an ordinary drug is saved as a draft and then signed and issued, and the
printed prescription opens. Then the patient record page shows the visit's timeline, with
the ordered ultrasound still waiting marked "chưa duyệt", and the visit record PDF."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import expect

from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.queueing.flows import ticket_for_visit
from smarthis.security import service as security
from smarthis.security.principal import system_principal
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.e2e.test_doctor_workstation_browser import seed_rooms
from tests.orders.test_orders import _patient_with_visit
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PASSWORD = "mat-khau-bac-si-2"


@dataclass
class Clinic:
    base_url: str
    visit_id: int
    patient_id: int


@pytest.fixture
def clinic(db: Database) -> Iterator[Clinic]:
    seed_rooms(db)
    with db.session() as s:
        security.create_staff(
            s,
            facility_code=FACILITY,
            login="bs.hoa",
            full_name="Phạm Thị Hoa",
            role="doctor",
            password=PASSWORD,
        )
        visit_id = _patient_with_visit(s, "Nguyễn Văn Đức", date(1960, 3, 15), "male", None)
    with db.session() as s:
        patient_id = s.get(Visit, visit_id).patient_id
    ticket_for_visit(db, system_principal(FACILITY), visit_id, point_code="PK-106")
    postgres = db.engine.dialect.name == "postgresql"
    running = serve_in_thread(make_app(db), lifespan=postgres)
    yield Clinic(running.base_url, visit_id, patient_id)
    running.stop()


def test_doctor_prescribes_issues_prints_and_opens_the_patient_record(clinic: Clinic) -> None:
    with chromium() as browser:
        page = browser.new_page(
            viewport={"width": 1440, "height": 1000},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        page.goto(f"{clinic.base_url}/login?next=/doctor/PK-106")
        page.fill("input[name=login]", "bs.hoa")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/doctor/PK-106")
        page.click("#call-next")
        expect(page.locator("#patient-name")).to_have_text("Nguyễn Văn Đức")
        expect(page.locator("#rx-empty")).to_be_visible()

        # A narcotic is found and marked, and the API refuses it with its reason.
        page.fill("#drug-query", "morphin")
        morphine = page.locator('#drug-hits li[data-code="T-MOR30-LA"]')
        expect(morphine.locator(".tag.controlled")).to_contain_text("gây nghiện")
        morphine.locator(".pick-drug").click()
        page.click("#rx-save")
        expect(page.locator("#rx-message")).to_contain_text("thuốc gây nghiện")
        expect(page.locator("#rx-message")).to_have_class("message bad")
        page.screenshot(path=screenshot_path("prescription-01-controlled-refused"))
        page.click('#rx-items button[aria-label="Bỏ T-MOR30-LA"]')
        expect(page.locator("#rx-items tr")).to_have_count(0)

        # Typed without diacritics and in lower case; the row takes the drug's unit.
        page.fill("#drug-query", "PARACETA")
        page.locator('#drug-hits li[data-code="T-PARA500"] .pick-drug').click()
        row = page.locator('#rx-items tr[data-code="T-PARA500"]')
        expect(row).to_contain_text("viên")
        expect(row.locator("input.instructions")).to_have_value(
            "Uống 1 viên/lần, 2 lần/ngày, sau ăn"
        )
        row.locator("input.qty").fill("10")
        row.locator("input.days").fill("5")
        page.click("#rx-save")
        expect(page.locator("#rx-message")).to_have_text("Đã lưu đơn (nháp).")
        expect(page.locator("#rx-status")).to_have_text("Bản nháp")

        # Issuing needs the main diagnosis: the API says so, then it is coded and issued.
        page.click("#rx-issue")
        expect(page.locator("#rx-message")).to_contain_text("chẩn đoán chính")
        page.fill("#icd-query", "viem hong cap")
        page.locator("#icd-hits li .pick-main").first.click()
        page.click("#save-dx")
        expect(page.locator("#dx-message")).to_have_text("Đã lưu chẩn đoán.")
        page.click("#rx-issue")
        expect(page.locator("#rx-message")).to_have_text("Đã ký và phát hành đơn thuốc.")
        expect(page.locator("#rx-status")).to_contain_text("Đã phát hành")
        expect(page.locator("#rx-issue")).to_be_disabled()
        expect(page.locator("#drug-query")).to_be_disabled()
        link = page.locator("#rx-pdf")
        expect(link).to_have_text("In đơn thuốc")
        pdf = page.request.get(f"{clinic.base_url}{link.get_attribute('href')}")
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        page.screenshot(path=screenshot_path("prescription-02-issued"), full_page=True)

        # An ultrasound ordered and not yet done shows as pending on the record.
        page.check('input[value="SA-VU"]')
        page.click("#place-order")
        expect(page.locator("#order-message")).to_have_text("Đã chỉ định 1 dịch vụ.")

        record_href = page.locator("#patient-record-link").get_attribute("href")
        assert record_href == f"/patients/{clinic.patient_id}/record"
        page.goto(f"{clinic.base_url}{record_href}")
        expect(page.locator("#pr-name")).to_contain_text("Nguyễn Văn Đức")
        visit = page.locator(f'.visit-card[data-visit="{clinic.visit_id}"]')
        expect(visit).to_be_visible()
        expect(visit.locator("table.timeline")).to_contain_text("Paracetamol")
        expect(visit.locator(".pending-tag").first).to_have_text("chưa duyệt")
        pdf = page.request.get(
            f"{clinic.base_url}{visit.locator('a.record-pdf').get_attribute('href')}"
        )
        assert pdf.status == 200
        assert pdf.body().startswith(b"%PDF")
        page.screenshot(path=screenshot_path("prescription-03-patient-record"), full_page=True)
