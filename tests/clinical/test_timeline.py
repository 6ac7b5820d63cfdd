"""The EMR timeline and the printed outpatient visit record after a realistic visit:
registration, a call to the examination room, vital signs, diagnoses, a lab + X-ray +
ultrasound order, a sample, results (one verified, one entered only, one not done), a
verified X-ray report, a prescription and the conclusion."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smarthis.clinical import examination as exam
from smarthis.clinical.examination import ConclusionInput, VitalsInput
from smarthis.clinical.service import VisitRequest, register_visit
from smarthis.clinical.timeline import patient_timeline
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.orders import service as orders
from smarthis.pharmacy import service as pharmacy
from smarthis.queueing import service as queue
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.apphelpers import FACILITY, Credentials, client_for, make_app, sign_in_every_role

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PATIENT = {
    "full_name": "Lê Văn Cường",
    "date_of_birth": "1958-11-20",
    "sex": "male",
    "cccd": "048058001234",
}


def staff(login: str, role: Role, id_: int) -> Principal:
    return Principal(
        kind="staff", id=id_, name=login, display_name=login, role=role, facility_code=FACILITY
    )


RECEPTION = staff("t.receptionist", Role.RECEPTIONIST, 1)
DOCTOR = staff("t.doctor", Role.DOCTOR, 2)
NURSE = staff("t.nurse", Role.NURSE, 3)
LAB_1 = staff("t.lab-technician", Role.LAB_TECHNICIAN, 4)
LAB_2 = staff("ktv.xn2", Role.LAB_TECHNICIAN, 5)
RADIOLOGIST = staff("t.radiologist", Role.RADIOLOGIST, 6)
RADIOLOGIST_2 = staff("bs.cdha2", Role.RADIOLOGIST, 7)


@dataclass
class Flow:
    db: Database
    client: TestClient
    creds: Credentials
    patient_id: int
    visit_id: int
    second_visit_id: int


def _rooms(db: Database) -> None:
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khoa khám bệnh")
        for code, kind, prefix, label in (
            ("PK-01", "examination", "B", "101"),
            ("XN-01", "lab", "X", "110"),
            ("XQ-01", "xray", "Q", "201"),
            ("SA-01", "ultrasound", "S", "205"),
        ):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=f"Phòng {label}",
                kind=kind,
                area_code="KKB",
                prefix=prefix,
                room_label=label,
                default_service_minutes=5,
            )


@pytest.fixture
def flow(db: Database) -> Flow:
    client, creds = client_for(make_app(db)), sign_in_every_role(db)
    _rooms(db)
    response = client.post("/api/patients", json=PATIENT, headers=creds.headers(Role.RECEPTIONIST))
    assert response.status_code == 201, response.text
    patient_id = response.json()["patient"]["id"]
    # Self-pay: the portal (nothing listens on port 9) is never asked.
    portal = BhxhPortalClient("http://127.0.0.1:9", "x", "y", timeout_s=0.2)
    settings = Settings(database_url=db.url, facility_code=FACILITY)
    visit = register_visit(
        db, RECEPTION, portal, settings, VisitRequest(patient_id=patient_id, use_insurance=False)
    )
    with db.session() as s:
        queue.issue_ticket(
            s,
            RECEPTION,
            queue.TicketRequest(point_code="PK-01", visit_id=visit.id, patient_id=patient_id),
        )
    with db.session() as s:
        assert queue.call_next(s, DOCTOR, "PK-01") is not None
    with db.session() as s:
        exam.start_examination(
            s, DOCTOR, visit.id, reason="Ho có đờm, sốt nhẹ 5 ngày", history="Hút thuốc 30 năm"
        )
    with db.session() as s:
        exam.record_vitals(
            s,
            NURSE,
            visit.id,
            VitalsInput(pulse=88, temperature_c=37.9, systolic=135, diastolic=85, spo2=96),
        )
    with db.session() as s:
        exam.update_notes(s, DOCTOR, visit.id, {"examination_notes": "Phổi ran ẩm đáy phải"})
        exam.set_diagnoses(s, DOCTOR, visit.id, "J18.9", ["I10"])
    with db.session() as s:
        placed = orders.place_order(s, DOCTOR, visit.id, ["XN-GLU", "XN-ALT", "XQ-NGUC", "SA-BUNG"])
        items = {i.service_code: i.id for i in placed.items}
    with db.session() as s:
        orders.collect_specimen(s, LAB_1, items["XN-GLU"])
    with db.session() as s:
        orders.enter_lab_results(s, LAB_1, items["XN-GLU"], [("GLU", "7.8")])
        orders.enter_lab_results(s, LAB_1, items["XN-ALT"], [("ALT", "47")])
    with db.session() as s:
        orders.verify(s, LAB_2, items["XN-GLU"])  # ALT stays entered, not verified
        orders.enter_report(
            s,
            RADIOLOGIST,
            items["XQ-NGUC"],
            technique="Chụp thẳng sau-trước",
            findings="Đám mờ đáy phổi phải",
            conclusion="Hình ảnh viêm phổi thuỳ dưới phải",
        )
    with db.session() as s:
        orders.verify(s, RADIOLOGIST_2, items["XQ-NGUC"])
    with db.session() as s:
        pharmacy.save_prescription(
            s,
            DOCTOR,
            visit.id,
            [
                pharmacy.ItemInput("T-AMCL1G", 14, "Uống 1 viên/lần × 2 lần/ngày, sau ăn", days=7),
                pharmacy.ItemInput("T-PARA500", 10, "Uống 1 viên khi sốt trên 38,5 °C"),
            ],
            advice="Nghỉ ngơi, uống nhiều nước",
            issue=True,
        )
    with db.session() as s:
        exam.conclude(
            s, DOCTOR, visit.id, ConclusionInput("home", advice="Tái khám sau 7 ngày nếu còn ho")
        )
    second = register_visit(
        db, RECEPTION, portal, settings, VisitRequest(patient_id=patient_id, use_insurance=False)
    )
    portal.close()
    return Flow(db, client, creds, patient_id, visit.id, second.id)


def test_timeline_lists_every_step_in_time_order(flow: Flow) -> None:
    with flow.db.session() as s:
        timeline = patient_timeline(s, DOCTOR, flow.patient_id)
    assert [v.visit.id for v in timeline.visits] == [flow.visit_id, flow.second_visit_id]
    first, second = timeline.visits
    assert [e.kind for e in second.entries] == ["registered"]
    entries = first.entries
    assert all(e.visit_id == flow.visit_id for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    kinds = [e.kind for e in entries]
    assert kinds[:5] == ["registered", "called", "examination_started", "vital_signs", "diagnosis"]
    assert kinds[-2:] == ["prescription", "concluded"]
    assert kinds.index("order") < kinds.index("specimen") < kinds.index("result")
    by_title = {e.title_vi: e for e in entries}
    assert "Gọi số B-" in entries[1].title_vi and entries[1].detail == "Phòng 101"
    assert "Lý do khám: Ho có đờm" in entries[2].detail
    assert "Mạch 88 lần/phút" in entries[3].detail and "SpO2 96%" in entries[3].detail
    assert by_title["Chẩn đoán chính: J18.9"].detail
    assert "Chẩn đoán kèm theo: I10" in by_title
    order = next(e for e in entries if e.kind == "order")
    assert order.title_vi == "Chỉ định cận lâm sàng (4 dịch vụ)"
    glucose = by_title["Kết quả xét nghiệm: Định lượng Glucose [Máu]"]
    assert not glucose.pending and "Glucose: 7.8 mmol/L (cao)" in glucose.detail
    alt = by_title["Kết quả xét nghiệm: Đo hoạt độ ALT (GPT) [Máu] (chưa duyệt)"]
    assert alt.pending and "47" in alt.detail
    xray = next(e for e in entries if e.kind == "report" and "Xquang" in e.title_vi)
    assert not xray.pending and "viêm phổi thuỳ dưới phải" in xray.detail
    ultrasound = next(e for e in entries if "Siêu âm" in e.title_vi)
    assert ultrasound.pending and ultrasound.title_vi.startswith("Chờ kết quả")
    prescription = entries[-2]
    assert prescription.title_vi == "Đơn thuốc" and not prescription.pending
    assert "Amoxicilin + acid clavulanic 875 mg + 125 mg × 14 viên" in prescription.detail
    assert entries[-1].title_vi.startswith("Kết thúc khám: Cho về")


def test_timeline_api_needs_result_read_and_is_audited(flow: Flow) -> None:
    url = f"/api/patients/{flow.patient_id}/timeline"
    for role in (Role.RECEPTIONIST, Role.CASHIER, Role.KIOSK):
        assert flow.client.get(url, headers=flow.creds.headers(role)).status_code == 403
    response = flow.client.get(url, headers=flow.creds.headers(Role.NURSE))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["full_name"] == "Lê Văn Cường"
    assert [v["visit_id"] for v in body["visits"]] == [flow.visit_id, flow.second_visit_id]
    entry = body["visits"][0]["entries"][0]
    assert set(entry) == {"at", "kind", "title_vi", "detail", "visit_id", "pending"}
    missing = flow.client.get(
        "/api/patients/999999/timeline", headers=flow.creds.headers(Role.DOCTOR)
    )
    assert missing.status_code == 404
    with flow.db.session() as s:
        audited = s.execute(
            select(AuditEntry.actor).where(
                AuditEntry.action == "timeline.read", AuditEntry.patient_id == flow.patient_id
            )
        ).scalars()
        assert list(audited) == ["t.nurse"]


def test_visit_record_pdf_in_vietnamese_with_verified_results_only(flow: Flow) -> None:
    url = f"/api/visits/{flow.visit_id}/record.pdf"
    assert flow.client.get(url, headers=flow.creds.headers(Role.CASHIER)).status_code == 403
    response = flow.client.get(url, headers=flow.creds.headers(Role.DOCTOR))
    assert response.status_code == 200, response.text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for expected in (
        "PHIẾU KHÁM BỆNH NGOẠI TRÚ",
        "LÊ VĂN CƯỜNG",
        "Ho có đờm, sốt nhẹ 5 ngày",
        "Hút thuốc 30 năm",
        "Mạch 88 lần/phút",
        "Phổi ran ẩm đáy phải",
        "J18.9",
        "I10",
        "Glucose: 7.8 mmol/L (cao)",
        "Hình ảnh viêm phổi thuỳ dưới phải",
        "Chưa có kết quả đã duyệt",
        "Amoxicilin + acid clavulanic",
        "Cho về",
        "Tái khám sau 7 ngày nếu còn ho",
        "BÁC SĨ KHÁM BỆNH",
        "Nhân viên doctor",
    ):
        assert expected in text, expected
    assert "ALT (GPT): 47" not in text  # entered but not verified: never printed
    SCREENSHOTS.mkdir(exist_ok=True)
    import pypdfium2

    document = pypdfium2.PdfDocument(response.content)
    for number in range(len(document)):
        document[number].render(scale=1.5).to_pil().save(
            SCREENSHOTS / f"visit_record_page{number + 1}.png"
        )
