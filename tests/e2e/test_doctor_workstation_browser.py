"""A doctor at the examination-room workstation, in a real browser: calls the next patient,
records vital signs, codes the diagnosis by typing Vietnamese without diacritics, orders an
electrolyte panel and a breast ultrasound, sees the lab values appear live (entered and
verified by two lab technicians while the page stays open, a critical potassium raising an
alert) and concludes the visit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.queueing.flows import ticket_for_visit
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal, system_principal
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.orders.test_orders import _patient_with_visit
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PASSWORD = "mat-khau-bac-si-1"
LAB_1 = Principal(
    kind="staff",
    id=2,
    name="ktv.xn",
    display_name="ktv.xn",
    role=Role.LAB_TECHNICIAN,
    facility_code=FACILITY,
)
LAB_2 = Principal(
    kind="staff",
    id=3,
    name="ktv.xn2",
    display_name="ktv.xn2",
    role=Role.LAB_TECHNICIAN,
    facility_code=FACILITY,
)


@dataclass
class Clinic:
    base_url: str
    db: Database
    visit_id: int


def seed_rooms(db: Database) -> None:
    """Examination room 106, a lab sampling room and an ultrasound room."""
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khu khám bệnh")
        create_area(s, FACILITY, "CLS", "Khu cận lâm sàng")
        create_service_point(
            s,
            FACILITY,
            code="PK-106",
            name="Phòng khám Ung bướu vú",
            kind="examination",
            specialty="Ung bướu vú",
            area_code="KKB",
            prefix="B",
            room_label="106",
            floor="Tầng 1",
        )
        for code, name, kind, prefix, label in (
            ("XN-01", "Phòng lấy mẫu xét nghiệm", "lab", "X", "110"),
            ("SA-01", "Phòng siêu âm", "ultrasound", "S", "205"),
        ):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=name,
                kind=kind,
                area_code="CLS",
                prefix=prefix,
                room_label=label,
                floor="Tầng 2",
                default_service_minutes=5,
            )


def seed_doctor(db: Database) -> None:
    """Dr Lê Văn Nam (`bs.nam`), who signs in with PASSWORD."""
    with db.session() as s:
        security.create_staff(
            s,
            facility_code=FACILITY,
            login="bs.nam",
            full_name="Lê Văn Nam",
            role="doctor",
            password=PASSWORD,
        )


def sign_in_at(page: Page, base_url: str, path: str) -> None:
    page.goto(f"{base_url}/login?next={path}")
    page.fill("input[name=login]", "bs.nam")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


@pytest.fixture
def clinic(db: Database) -> Iterator[Clinic]:
    seed_rooms(db)
    seed_doctor(db)
    with db.session() as s:
        visit_id = _patient_with_visit(s, "Trần Thị Bình", date(1975, 7, 2), "female", None)
    ticket_for_visit(db, system_principal(FACILITY), visit_id, point_code="PK-106")
    # On PostgreSQL the events come through LISTEN/NOTIFY: the app's start-up runs the listener.
    postgres = db.engine.dialect.name == "postgresql"
    running = serve_in_thread(make_app(db), lifespan=postgres)
    yield Clinic(running.base_url, db, visit_id)
    running.stop()


def _enter_and_verify_lab(db: Database, visit_id: int, values: dict[str, str]) -> None:
    with db.session() as s:
        item_ids = [
            item.id
            for order in orders.orders_for_visit(s, LAB_1, visit_id)
            for item in orders.items_of(s, order.id)
            if item.kind == "lab"
        ]
    for item_id in item_ids:
        with db.session() as s:
            orders.enter_lab_results(s, LAB_1, item_id, list(values.items()))
        with db.session() as s:
            orders.verify(s, LAB_2, item_id)


def test_doctor_calls_examines_orders_sees_live_results_and_concludes(clinic: Clinic) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
        sign_in_at(page, clinic.base_url, "/doctor/PK-106")
        expect(page.locator("#waiting li")).to_have_count(1)
        page.screenshot(path=screenshot_path("doctor-01-queue"))

        page.click("#call-next")
        expect(page.locator("#patient-name")).to_have_text("Trần Thị Bình")
        expect(page.locator("#current-number")).to_have_text("B-0001")

        page.fill("#reason", "Sờ thấy khối ở vú trái 2 tháng")
        page.click("#save-notes")
        expect(page.locator("#notes-message")).to_have_text("Đã lưu.")

        for field, value in (
            ("#v-pulse", "82"),
            ("#v-temperature", "36.8"),
            ("#v-systolic", "125"),
            ("#v-diastolic", "80"),
            ("#v-respiratory", "18"),
            ("#v-spo2", "98"),
            ("#v-height", "158"),
            ("#v-weight", "55"),
        ):
            page.fill(field, value)
        expect(page.locator("#bmi")).to_have_text("22.0")
        page.click("#save-vitals")
        expect(page.locator("#vitals-message")).to_contain_text("Đã lưu sinh hiệu")

        page.fill("#icd-query", "ung thu vu")
        hit = page.locator('#icd-hits li[data-code="C50.9"]')
        expect(hit).to_be_visible()
        hit.locator(".pick-main").click()
        expect(page.locator("#dx-main")).to_contain_text("C50.9")
        # A male-only code on a woman: a warning to confirm, not saved until confirmed.
        page.fill("#icd-query", "C61")
        page.locator('#icd-hits li[data-code="C61"] .pick-secondary').click()
        page.click("#save-dx")
        expect(page.locator("#dx-problems .alert.warn")).to_contain_text("C61")
        expect(page.locator("#dx-problems button")).to_have_text("Xác nhận và lưu")
        page.screenshot(path=screenshot_path("doctor-02-diagnosis-warning"))
        page.click('#dx-secondary button[aria-label="Bỏ C61"]')
        page.click("#save-dx")
        expect(page.locator("#dx-message")).to_have_text("Đã lưu chẩn đoán.")
        expect(page.locator("#dx-problems")).to_be_empty()

        page.click('button.panel-all[data-panel="DGD"]')
        page.check('input[value="SA-VU"]')
        expect(page.locator("#order-count")).to_have_text("2")
        page.click("#place-order")
        expect(page.locator("#order-message")).to_have_text("Đã chỉ định 2 dịch vụ.")
        expect(page.locator("#orders a")).to_have_text("In phiếu chỉ dẫn")
        expect(page.locator("#results .result-item")).to_have_count(2)

        # The lab works while the doctor's page stays open: values appear without a reload.
        _enter_and_verify_lab(clinic.db, clinic.visit_id, {"NA": "139", "K": "6.9", "CL": "101"})
        results = page.locator("#results")
        expect(results).to_contain_text("6.9", timeout=10_000)
        expect(results).to_contain_text("Đã duyệt")
        expect(page.locator("tr.flag-critical_high")).to_contain_text("Kali")
        expect(page.locator("#critical-alert")).to_be_visible()
        expect(page.locator("#critical-alert")).to_contain_text("KẾT QUẢ NGUY HIỂM")
        page.screenshot(path=screenshot_path("doctor-03-live-results"), full_page=True)

        page.check('input[name="conclusion"][value="home"]')
        page.click("#conclude")
        expect(page.locator("#conclude-message")).to_contain_text("Đã kết thúc khám")
        expect(page.locator("#visit-status")).to_contain_text("Đã kết thúc")
