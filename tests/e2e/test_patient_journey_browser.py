"""The same outpatient day as test_patient_journey_api, with real headless Chromium where a
person looks at a screen: the patient registers at the kiosk by scanning his CCCD QR and
gets his number; the doctor calls him at /doctor/PK-106, records vital signs, codes the
diagnosis by typing "ung thu vu" and orders a lab panel, an extra lab test, a chest X-ray
and an abdominal ultrasound; the rooms call and complete and results are entered and
verified through the API (two people each); the doctor's open page shows the verified
values without a reload; he prescribes and concludes; the patient scans his ticket's QR
at the kiosk's "Tra cứu kết quả" and sees the verified results, never the unverified one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.queueing.models import Ticket
from smarthis.security import service as security
from smarthis.security.permissions import Role
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.e2e.test_patient_journey_api import (
    EXAM_ROOM,
    QR,
    SPECIALTY,
    insured_patient,
    seed_hospital,
)
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PORTRAIT = {"width": 1080, "height": 1920}
WAIT_MS = 20_000  # every wait is bounded
DOCTOR_PASSWORD = "mat-khau-bac-si-1"
LAB_VALUES = {"NA": "141", "K": "3.9", "CL": "96"}


@dataclass
class Hospital:
    base_url: str
    db: Database
    kiosk_token: str
    staff: dict[str, dict[str, str]]  # login -> bearer headers

    def api(self, login: str, method: str, path: str, json: object = None) -> object:
        response = httpx.request(
            method, f"{self.base_url}{path}", json=json, headers=self.staff[login], timeout=20
        )
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json()


STAFF = (
    ("bs.nam", "Lê Văn Nam", Role.DOCTOR, None),
    ("letan.hoa", "Trần Thị Hoa", Role.RECEPTIONIST, "048188001234"),
    ("ktv.xn", "Phạm Thị Xét", Role.LAB_TECHNICIAN, None),
    ("ktv.xn2", "Võ Văn Nghiệm", Role.LAB_TECHNICIAN, None),
    ("bs.cdha", "Đặng Văn Ảnh", Role.RADIOLOGIST, None),
    ("bs.cdha2", "Huỳnh Thị Quang", Role.RADIOLOGIST, None),
)


@pytest.fixture
def hospital(db: Database, bhxh_simulator) -> Iterator[Hospital]:
    seed_hospital(db)
    insured_patient(db)
    staff: dict[str, dict[str, str]] = {}
    with db.session() as s:
        for login, name, role, cccd in STAFF:
            person = security.create_staff(
                s,
                facility_code=FACILITY,
                login=login,
                full_name=name,
                role=role.value,
                password=DOCTOR_PASSWORD,
                cccd=cccd,
            )
            staff[login] = {"Authorization": f"Bearer {security.issue_api_token(s, person)}"}
        _device, kiosk_token = security.register_device(
            s, facility_code=FACILITY, code="kiosk-01", name="Kiosk sảnh A", kind="kiosk"
        )
        security.set_on_duty(s, "kiosk-01", "letan.hoa")
    portal = BhxhPortalClient(bhxh_simulator.base_url, "48001_BV", "sim-test-password")
    # The app's start-up runs its background workers (on PostgreSQL the event listener).
    running = serve_in_thread(make_app(db, portal=portal), lifespan=True)
    yield Hospital(running.base_url, db, kiosk_token, staff)
    running.stop()
    portal.close()


def _scan(page: Page, text: str) -> None:
    page.keyboard.type(text)  # a keyboard-wedge scanner: fast text, then Enter
    page.keyboard.press("Enter")


def _open_kiosk(browser, hospital: Hospital) -> Page:
    page = browser.new_page(viewport=PORTRAIT, locale="vi-VN")
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{hospital.base_url}/device/activate?token={hospital.kiosk_token}&next=/kiosk")
    page.wait_for_url(f"{hospital.base_url}/kiosk")
    page.wait_for_selector("#screen-home:not([hidden])")
    return page


def _open_doctor(browser, hospital: Hospital) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{hospital.base_url}/login?next=/doctor/{EXAM_ROOM}")
    page.fill("input[name=login]", "bs.nam")
    page.fill("input[name=password]", DOCTOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/doctor/{EXAM_ROOM}")
    return page


def _rooms_work(hospital: Hospital, visit_id: int) -> None:
    """Lab, X-ray and ultrasound call and complete; results entered by one person and
    verified by another; the extra CEA value is entered and left unverified."""
    (order,) = hospital.api("bs.nam", "GET", f"/api/orders/visit/{visit_id}")
    items = {item["service_code"]: item["id"] for item in order["items"]}
    stops = {stop["point_code"]: stop["ticket_id"] for stop in order["route"]}
    assert set(stops) == {"XN-LM", "XQ-01", "SA-01"}
    for room, login in (("XN-LM", "ktv.xn"), ("XQ-01", "bs.cdha"), ("SA-01", "bs.cdha")):
        called = hospital.api(login, "POST", f"/api/queue/points/{room}/call-next")
        assert called["id"] == stops[room]
        if room == "XN-LM":
            hospital.api(login, "POST", f"/api/orders/items/{items['XN-DGD']}/specimen")
        hospital.api(login, "POST", f"/api/queue/tickets/{called['id']}/complete")
    values = [{"analyte_code": k, "value": v} for k, v in LAB_VALUES.items()]
    hospital.api(
        "ktv.xn", "POST", f"/api/orders/items/{items['XN-DGD']}/results", {"values": values}
    )
    hospital.api("ktv.xn2", "POST", f"/api/orders/items/{items['XN-DGD']}/verify")
    hospital.api(
        "ktv.xn",
        "POST",
        f"/api/orders/items/{items['XN-CEA']}/results",
        {"values": [{"analyte_code": "CEA", "value": "7.7"}]},
    )
    for code, findings, conclusion in (
        ("XQ-NGUC", "Hai phế trường sáng đều.", "X-quang ngực bình thường"),
        ("SA-BUNG", "Gan, mật, tụy, lách, thận bình thường.", "Siêu âm ổ bụng bình thường"),
    ):
        hospital.api(
            "bs.cdha",
            "POST",
            f"/api/orders/items/{items[code]}/report",
            {"technique": "Thường quy", "findings": findings, "conclusion": conclusion},
        )
        hospital.api("bs.cdha2", "POST", f"/api/orders/items/{items[code]}/verify")


def test_one_patients_day_at_the_kiosk_and_the_doctors_workstation(hospital: Hospital) -> None:
    with chromium() as browser:
        # --- the kiosk: scan the CCCD QR, choose the specialty, get the number ------------
        kiosk = _open_kiosk(browser, hospital)
        kiosk.click("#go-register")
        kiosk.wait_for_selector("text=Đưa mã QR trên thẻ CCCD vào máy quét")
        _scan(kiosk, QR)
        insurance = kiosk.wait_for_selector("#insurance[data-status=verified]")
        assert "Thẻ BHYT hợp lệ" in insurance.inner_text()
        assert kiosk.inner_text("#patient-name") == "NGUYỄN V. A."
        kiosk.click(f"[data-choice='examination:{SPECIALTY}']")
        kiosk.click("#take")
        kiosk.wait_for_selector("#screen-ticket:not([hidden])")
        expect(kiosk.locator("#ticket-number")).to_have_text("B-0001")
        assert "Phòng 106" in kiosk.inner_text("#ticket-place")
        kiosk.screenshot(path=screenshot_path("journey-01-kiosk-ticket"))
        kiosk.click("#ticket-done")
        kiosk.wait_for_selector("#screen-home:not([hidden])")
        with hospital.db.session() as s:
            ticket = s.execute(select(Ticket)).scalar_one()
            visit_id, token = ticket.visit_id, ticket.lookup_token
        assert visit_id is not None

        # --- the doctor: call, vitals, diagnosis, orders -----------------------------------
        doctor = _open_doctor(browser, hospital)
        expect(doctor.locator("#waiting li")).to_have_count(1)
        doctor.click("#call-next")
        expect(doctor.locator("#patient-name")).to_have_text("Nguyễn Văn An")
        expect(doctor.locator("#current-number")).to_have_text("B-0001")
        for field, value in (
            ("#v-pulse", "78"),
            ("#v-temperature", "36.7"),
            ("#v-systolic", "130"),
            ("#v-diastolic", "85"),
            ("#v-respiratory", "18"),
            ("#v-spo2", "98"),
            ("#v-height", "165"),
            ("#v-weight", "60"),
        ):
            doctor.fill(field, value)
        expect(doctor.locator("#bmi")).to_have_text("22.0")
        doctor.click("#save-vitals")
        expect(doctor.locator("#vitals-message")).to_contain_text("Đã lưu sinh hiệu")

        doctor.fill("#icd-query", "ung thu vu")
        hit = doctor.locator('#icd-hits li[data-code="C50.9"]')
        expect(hit).to_be_visible()
        hit.locator(".pick-main").click()
        expect(doctor.locator("#dx-main")).to_contain_text("C50.9")
        doctor.click("#save-dx")
        expect(doctor.locator("#dx-message")).to_have_text("Đã lưu chẩn đoán.")

        doctor.click('button.panel-all[data-panel="DGD"]')
        for code in ("XN-CEA", "XQ-NGUC", "SA-BUNG"):
            doctor.check(f'input[value="{code}"]')
        expect(doctor.locator("#order-count")).to_have_text("4")
        doctor.click("#place-order")
        expect(doctor.locator("#order-message")).to_have_text("Đã chỉ định 4 dịch vụ.")
        expect(doctor.locator("#results .result-item")).to_have_count(4)
        for room in ("110", "201", "205"):  # the slip's rooms: lab, X-ray, ultrasound
            expect(doctor.locator("#orders")).to_contain_text(room)
        doctor.screenshot(path=screenshot_path("journey-02-doctor-ordered"), full_page=True)

        # --- the rooms work while the doctor's page stays open ----------------------------
        _rooms_work(hospital, visit_id)
        results = doctor.locator("#results")
        expect(doctor.locator("#results .result-item.status-verified")).to_have_count(
            3, timeout=WAIT_MS
        )
        for value in LAB_VALUES.values():
            expect(results).to_contain_text(value)
        expect(results).to_contain_text("X-quang ngực bình thường")
        expect(results).to_contain_text("Siêu âm ổ bụng bình thường")
        expect(doctor.locator("#results .result-item.status-resulted")).to_contain_text("7.7")
        doctor.screenshot(path=screenshot_path("journey-03-doctor-results"), full_page=True)

        # --- prescription (API: the page has no prescription form yet), conclusion -------
        prescription = hospital.api(
            "bs.nam",
            "POST",
            f"/api/visits/{visit_id}/prescription",
            {
                "items": [
                    {
                        "drug_code": "T-PARA500",
                        "quantity": 10,
                        "instructions": "Uống 1 viên khi đau, cách nhau ít nhất 6 giờ",
                        "days": 5,
                    }
                ],
                "issue": True,
            },
        )
        assert prescription["status"] == "issued"
        doctor.check('input[name="conclusion"][value="home"]')
        doctor.click("#conclude")
        expect(doctor.locator("#conclude-message")).to_contain_text("Đã kết thúc khám")
        expect(doctor.locator("#visit-status")).to_contain_text("Đã kết thúc")
        record = hospital.api("bs.nam", "GET", f"/api/visits/{visit_id}/examination")
        assert record["status"] == "concluded"
        assert [(d["icd_code"], d["is_main"]) for d in record["diagnoses"]] == [("C50.9", True)]

        # --- the patient at the kiosk: "Tra cứu kết quả" with the ticket's QR -------------
        kiosk.click("#go-results")
        kiosk.wait_for_selector("#screen-results-scan:not([hidden])")
        _scan(kiosk, f"{hospital.base_url}/t/{token}")
        kiosk.wait_for_selector("#screen-results:not([hidden])")
        rows = kiosk.locator("#results-list tr[data-analyte]")
        expect(rows).to_have_count(3)
        for code, value in LAB_VALUES.items():
            expect(kiosk.locator(f'#results-list tr[data-analyte="{code}"]')).to_contain_text(value)
        listing = kiosk.locator("#results-list")
        expect(listing).to_contain_text("X-quang ngực bình thường")
        expect(listing).to_contain_text("Siêu âm ổ bụng bình thường")
        expect(kiosk.locator('#results-list tr[data-analyte="CEA"]')).to_have_count(0)
        assert "7.7" not in kiosk.inner_text("#screen-results")
        expect(kiosk.locator("#results-empty")).to_be_hidden()
        kiosk.screenshot(path=screenshot_path("journey-04-kiosk-results"))
