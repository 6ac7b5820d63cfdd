"""The results workstation in a real browser: a lab technician at /results/XN-LM calls the
patient, takes the specimen (accession number and label), enters an electrolyte panel with
one high value; verifying their own values is refused in plain words, a second technician
(another browser context) verifies, corrects a value with a reason and the first verifies
the correction (now a critical value, shown in red). A radiologist writes an ultrasound
report at /results/SA-01 and a second radiologist verifies it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.orders.models import OrderItem
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.orders.test_orders import _patient_with_visit
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PASSWORD = "mat-khau-can-lam-sang-1"
DOCTOR = Principal(
    kind="staff", id=1, name="bs.nam", display_name="bs.nam", role=Role.DOCTOR,
    facility_code=FACILITY,
)  # fmt: skip
STAFF = (
    ("ktv.xn", "Phạm Thị Xét", "lab_technician"),
    ("ktv.xn2", "Đỗ Văn Nghiệm", "lab_technician"),
    ("bs.cdha", "Ngô Văn Ảnh", "radiologist"),
    ("bs.cdha2", "Vũ Thị Hình", "radiologist"),
)


@dataclass
class Rooms:
    base_url: str
    db: Database
    visit_id: int


@pytest.fixture
def rooms(db: Database) -> Iterator[Rooms]:
    with db.session() as s:
        create_area(s, FACILITY, "CLS", "Khu cận lâm sàng")
        for code, name, kind, prefix, label in (
            ("XN-LM", "Phòng lấy mẫu xét nghiệm", "lab", "X", "110"),
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
        for login, full_name, role in STAFF:
            security.create_staff(
                s,
                facility_code=FACILITY,
                login=login,
                full_name=full_name,
                role=role,
                password=PASSWORD,
            )
        visit_id = _patient_with_visit(s, "Trần Thị Bình", date(1975, 7, 2), "female", None)
    with db.session() as s:
        orders.place_order(s, DOCTOR, visit_id, ["XN-DGD", "SA-VU"])
    postgres = db.engine.dialect.name == "postgresql"
    running = serve_in_thread(make_app(db), lifespan=postgres)
    yield Rooms(running.base_url, db, visit_id)
    running.stop()


def _open(browser: Browser, rooms: Rooms, login: str, point: str) -> Page:
    """A separate browser context per person: their own session cookie."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{rooms.base_url}/login?next=/results/{point}")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/results/{point}")
    return page


def _statuses(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {item.service_code: item.status for item in s.query(OrderItem)}


def test_lab_results_entered_verified_by_a_second_person_and_ultrasound_report(
    rooms: Rooms,
) -> None:
    with chromium() as browser:
        lab_1 = _open(browser, rooms, "ktv.xn", "XN-LM")
        item = lab_1.locator(".work-item").first
        expect(lab_1.locator(".work-item")).to_have_count(1)
        expect(item).to_contain_text("Điện giải đồ")
        expect(item.locator(".badge")).to_have_text("Đã chỉ định")
        expect(lab_1.locator("#waiting li")).to_have_count(1)

        lab_1.click("#call-next")
        expect(lab_1.locator("#queue-message")).to_contain_text("Đã gọi số")
        expect(item.locator(".badge")).to_have_text("Đang thực hiện")
        expect(item).to_have_class("card work-item status-in_progress current")
        assert _statuses(rooms.db) == {"XN-DGD": "in_progress", "SA-VU": "ordered"}

        item.locator("button.collect").click()
        expect(item.locator(".item-message")).to_contain_text("Đã lấy mẫu, mã mẫu")
        accession = item.locator(".accession").inner_text()
        assert accession.isdigit() and len(accession) == 11
        label = item.locator("a.label-link")
        expect(label).to_have_attribute("href", f"/api/orders/specimens/{accession}/label.pdf")
        pdf = lab_1.request.get(f"{rooms.base_url}/api/orders/specimens/{accession}/label.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF")

        # Unit and reference range shown before any value is entered.
        expect(item.locator('tr[data-analyte="K"]')).to_contain_text("3.5–5.0 mmol/L")
        item.locator('input.value[data-analyte="NA"]').fill("139")
        item.locator('input.value[data-analyte="K"]').fill("5,6")
        item.locator('input.value[data-analyte="CL"]').fill("101")
        item.locator("button.save-results").click()
        expect(item.locator(".item-message")).to_contain_text("Đã lưu 3 kết quả")
        expect(item.locator(".badge")).to_have_text("Có kết quả (chờ duyệt)")
        expect(item.locator("tr.flag-high")).to_contain_text("Kali")
        expect(item.locator("tr.flag-high td.flag")).to_have_text("Cao")
        expect(item.locator('tr[data-analyte="NA"] td.flag')).to_have_text("Bình thường")
        lab_1.screenshot(path=screenshot_path("results-01-lab-entered"), full_page=True)

        # The same person may not verify: the API's message, plainly.
        item.locator("button.verify").click()
        message = item.locator(".item-message")
        expect(message).to_have_text("Người nhập kết quả không được tự duyệt: cần người thứ hai")
        expect(message).to_have_class("message item-message bad")
        lab_1.screenshot(path=screenshot_path("results-02-same-person-refused"), full_page=True)
        assert _statuses(rooms.db)["XN-DGD"] == "resulted"

        lab_2 = _open(browser, rooms, "ktv.xn2", "XN-LM")
        item_2 = lab_2.locator(".work-item").first
        item_2.locator("button.verify").click()
        expect(item_2.locator(".item-message")).to_have_text("Đã duyệt kết quả.")
        expect(item_2.locator(".badge")).to_have_text("Đã duyệt")
        assert _statuses(rooms.db)["XN-DGD"] == "verified"

        # A correction needs a reason, keeps the earlier version, and goes back for review.
        row = item_2.locator('tr[data-analyte="K"]')
        row.locator("button.correct").click()
        row.locator("input.new-value").fill("5.4")
        row.locator("button.save-correction").click()
        expect(item_2.locator(".item-message")).to_have_text("Cần ghi lý do sửa kết quả.")
        expect(item_2.locator(".item-message")).to_have_class("message item-message bad")
        row.locator("button.correct").click()
        row.locator("input.new-value").fill("6.9")
        row.locator("input.reason").fill("Nhập nhầm, máy in kết quả 6.9")
        row.locator("button.save-correction").click()
        expect(item_2.locator(".item-message")).to_contain_text("Đã sửa Kali")
        expect(row.locator("td.value")).to_have_text("6.9")
        expect(row).to_contain_text("v2")
        # A critical value: the row in red and a banner to call the ordering doctor.
        expect(row).to_have_class("flag-critical_high")
        expect(row.locator("td.flag")).to_have_text("Cao nguy hiểm")
        expect(lab_2.locator("#critical-alert")).to_be_visible()
        expect(lab_2.locator("#critical-alert")).to_contain_text("Kali = 6.9 mmol/L")
        expect(item_2.locator(".badge")).to_have_text("Có kết quả (chờ duyệt)")
        lab_2.screenshot(path=screenshot_path("results-03-lab-corrected"), full_page=True)

        lab_1.reload()
        item = lab_1.locator(".work-item").first
        item.locator("button.verify").click()
        expect(item.locator(".item-message")).to_have_text("Đã duyệt kết quả.")
        expect(item.locator(".badge")).to_have_text("Đã duyệt")

        # Ultrasound: the radiologist calls, writes the report; a second one verifies.
        rad_1 = _open(browser, rooms, "bs.cdha", "SA-01")
        report = rad_1.locator(".work-item").first
        expect(report).to_contain_text("Siêu âm tuyến vú hai bên")
        rad_1.click("#call-next")
        expect(report.locator(".badge")).to_have_text("Đang thực hiện")
        report.locator("textarea.technique").fill("Đầu dò phẳng 7,5–12 MHz, khảo sát hai vú")
        report.locator("textarea.findings").fill(
            "Vú trái 1/4 trên ngoài có khối giảm âm 12×9 mm, bờ không đều, trục đứng."
        )
        report.locator("textarea.conclusion").fill("Khối vú trái, BI-RADS 4")
        report.locator("button.save-report").click()
        expect(report.locator(".item-message")).to_contain_text("Đã lưu phiếu kết quả")
        report.locator("button.verify").click()
        expect(report.locator(".item-message")).to_contain_text("không được tự duyệt")

        rad_2 = _open(browser, rooms, "bs.cdha2", "SA-01")
        report_2 = rad_2.locator(".work-item").first
        expect(report_2.locator("textarea.conclusion")).to_have_value("Khối vú trái, BI-RADS 4")
        report_2.locator("button.verify").click()
        expect(report_2.locator(".item-message")).to_have_text("Đã duyệt kết quả.")
        expect(report_2.locator(".badge")).to_have_text("Đã duyệt")
        rad_2.screenshot(path=screenshot_path("results-04-ultrasound-verified"), full_page=True)

    assert _statuses(rooms.db) == {"XN-DGD": "verified", "SA-VU": "verified"}
