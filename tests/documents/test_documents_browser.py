"""The registry page in Debian's Chromium: a doctor signs in, sees a paper signed by the
doctor and the head of department ("Chữ ký hợp lệ"), a corrected prescription with its old
version kept, a result report changed after signing ("Tài liệu đã bị sửa"), and signs a
paper with the "Ký số" button. Screenshot: screenshots/documents.png (SMARTHIS_SCREENSHOTS)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from smarthis.db import Database
from smarthis.documents import pki, service
from smarthis.documents.models import Document
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.apphelpers import make_app
from tests.documents.helpers import (
    FACILITY,
    HOSPITAL,
    flip_byte_in_first_revision,
    patient_with_visit,
    pki_config,
    visit_record_pdf,
)
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

PASSWORD = "mat-khau-bac-si-2"
DOCTOR = Principal("staff", 1, "bs.hoa", "Phạm Thị Hoa", Role.DOCTOR, FACILITY, "test")
HEAD = Principal("staff", 2, "tk.minh", "Trần Quang Minh", Role.DOCTOR, FACILITY, "test")


@dataclass
class Registry:
    base_url: str
    patient_id: int
    unsigned_id: int


def _paper(db: Database, patient_id: int, kind: str, title: str, note: str) -> int:
    with db.session() as s:
        return service.register_document(
            s,
            DOCTOR,
            patient_id=patient_id,
            kind=kind,
            title=title,
            pdf=visit_record_pdf("Nguyễn Văn Đức", note),
        ).id


@pytest.fixture
def registry(db: Database, tmp_path: Path) -> Iterator[Registry]:
    with db.session() as s:
        for who in (DOCTOR, HEAD):
            security.create_staff(
                s,
                facility_code=FACILITY,
                login=who.name,
                full_name=who.display_name,
                role="doctor",
                password=PASSWORD,
            )
    config = pki_config(tmp_path)
    pki.init_ca(config)
    for who in (DOCTOR, HEAD):
        pki.issue_staff_certificate(config, who.name, who.display_name)
    patient_id, _ = patient_with_visit(db)

    record = _paper(db, patient_id, "visit_record", "Phiếu khám bệnh ngoại trú", "Viêm họng")
    with db.session() as s:
        service.sign_document(s, DOCTOR, config, record, "doctor")
    with db.session() as s:
        service.sign_document(s, HEAD, config, record, "head_of_department")
    prescription = _paper(db, patient_id, "prescription", "Đơn thuốc", "Paracetamol 500 mg")
    with db.session() as s:
        service.sign_document(s, DOCTOR, config, prescription, "doctor")
        service.correct_document(
            s,
            DOCTOR,
            prescription,
            pdf=visit_record_pdf("Nguyễn Văn Đức", "Paracetamol 500 mg × 10 viên"),
            reason="Sửa số lượng thuốc",
        )
    report = _paper(db, patient_id, "result_report", "Phiếu kết quả siêu âm", "Gan nhiễm mỡ")
    with db.session() as s:
        registered = service.get_document(s, DOCTOR, report).size_bytes
        service.sign_document(s, DOCTOR, config, report, "doctor")
    with db.session() as s:
        pdf = service.get_document(s, DOCTOR, report).pdf
        changed = flip_byte_in_first_revision(pdf, registered)
        s.execute(update(Document).where(Document.id == report).values(pdf=changed))
    unsigned = _paper(db, patient_id, "consultation_minutes", "Biên bản hội chẩn", "Hội chẩn")

    app = make_app(db, data_dir=tmp_path, facility_name=HOSPITAL)
    running = serve_in_thread(app, lifespan=db.engine.dialect.name == "postgresql")
    yield Registry(running.base_url, patient_id, unsigned)
    running.stop()


def test_doctor_sees_each_documents_status_and_signs_one(registry: Registry) -> None:
    with chromium() as browser:
        page = browser.new_page(
            viewport={"width": 1440, "height": 1100},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        target = f"/patients/{registry.patient_id}/documents"
        page.goto(f"{registry.base_url}/login?next={target}")
        page.fill("input[name=login]", "bs.hoa")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{target}")
        expect(page.locator("h1")).to_contain_text("Nguyễn Văn Đức")
        rows = page.locator("tr[data-document]")
        expect(rows).to_have_count(5)
        expect(page.locator("tr.superseded")).to_have_count(1)
        expect(page.locator(".state.bad").first).to_contain_text("Tài liệu đã bị sửa")

        unsigned = page.locator(f'tr[data-document="{registry.unsigned_id}"]')
        expect(unsigned).to_contain_text("Chưa có chữ ký")
        unsigned.locator("select[name=capacity]").select_option("head_of_department")
        unsigned.locator("button", has_text="Ký số").click()
        page.wait_for_url(f"**{target}?signed={registry.unsigned_id}")
        expect(page.locator(".alert.good")).to_contain_text("Đã ký tài liệu số")
        signed = page.locator(f'tr[data-document="{registry.unsigned_id}"]')
        expect(signed).to_contain_text("Phạm Thị Hoa (bs.hoa) · Trưởng khoa")
        expect(signed.locator(".state.ok").last).to_have_text("Chữ ký hợp lệ")
        page.screenshot(path=screenshot_path("documents"), full_page=True)
