"""The radiologist's results screen in a real browser: the CT item shows the study that
arrived in Orthanc, with its "Xem ảnh" link to the PACS viewer and a preview thumbnail
loaded through SmartHIS."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from smarthis.db import Database
from smarthis.integrations.dicom.follower import follow_once
from smarthis.integrations.dicom.models import ImagingProcedure
from smarthis.integrations.dicom.orthanc_client import OrthancClient
from smarthis.security import service as security
from tests.apphelpers import make_app
from tests.e2e.browser import chromium, chromium_available, screenshot_path
from tests.integrations.dicom.dcmtk import sample_for, storescu
from tests.integrations.dicom.hospital import (
    CT_SERVICE,
    FACILITY,
    patient_with_visit,
    place,
)
from tests.integrations.dicom.pacs import ORTHANC_AET, PASSWORD, USERNAME, OrthancProcess
from tests.servers import serve_in_thread

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed")

STAFF_PASSWORD = "mat-khau-chan-doan-hinh-anh-1"


def test_radiologist_sees_the_study_with_viewer_link_and_preview(
    imaging_db: Database, orthanc: OrthancProcess, dcmtk: None, tmp_path: Path
) -> None:
    with imaging_db.session() as session:
        visit_id, mrn = patient_with_visit(session, "Hoàng Thị Lan")
        security.create_staff(
            session,
            facility_code=FACILITY,
            login="bs.cdha",
            full_name="Ngô Văn Ảnh",
            role="radiologist",
            password=STAFF_PASSWORD,
        )
    placed = place(imaging_db, visit_id, [CT_SERVICE])
    with imaging_db.session() as session:
        accession = session.query(ImagingProcedure).one().accession_number
    sample = sample_for("CT_small.dcm", mrn, "Hoàng^Thị Lan", accession, tmp_path / "ct.dcm")
    storescu(orthanc.dicom_port, [sample], called=ORTHANC_AET)
    follow_once(imaging_db, OrthancClient(orthanc.url, USERNAME, PASSWORD), FACILITY)
    app = make_app(
        imaging_db,
        pacs_url=orthanc.url,
        pacs_public_url=orthanc.url,
        pacs_username=USERNAME,
        pacs_password=PASSWORD,
    )
    running = serve_in_thread(app, lifespan=imaging_db.engine.dialect.name == "postgresql")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page.goto(f"{running.base_url}/login?next=/results/CT-01")
            page.fill("input[name=login]", "bs.cdha")
            page.fill("input[name=password]", STAFF_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/results/CT-01")
            item = page.locator(f'.work-item[data-item="{placed.items[0].id}"]')
            block = item.locator(".imaging-item")
            expect(block).to_contain_text(f"mã chụp {accession}")
            expect(block).to_contain_text("Đã có ảnh")
            link = block.locator("a.imaging-viewer")
            expect(link).to_have_text("Xem ảnh")
            assert link.get_attribute("href").startswith(f"{orthanc.url}/web-viewer/app/")
            thumb = block.locator("img.imaging-thumb")
            expect(thumb).to_be_visible()
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
            )
            page.screenshot(path=str(screenshot_path("dicom-results-workstation")))
    finally:
        running.stop()
