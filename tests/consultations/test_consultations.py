"""Inter-hospital consultations as the doctors use them: scheduled with another hospital
and a video link, verified results shared, the conclusion written as minutes, counted for
the hospital's report; refused clearly when something is missing or not allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from smarthis.db import Database
from smarthis.documents.pki import PkiConfig, init_ca, issue_staff_certificate
from smarthis.orders import service as orders
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.billing.conftest import DOCTOR, FACILITY, _rooms, add_patient_visit, staff

LAB = staff("ktv.an", Role.LAB_TECHNICIAN, 5)
LAB_2 = staff("ktv.binh", Role.LAB_TECHNICIAN, 6)
OTHER_HOSPITAL = {
    "hospital_code": "01929",
    "hospital_name": "Bệnh viện K",
    "doctor_name": "Trần Văn Thuấn",
    "title": "GS.TS.BS",
    "role": "member",
}


def _body(patient_id: int, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "patient_id": patient_id,
        "question": "Chỉ định hoá trị bổ trợ sau phẫu thuật?",
        "case_summary": "Nữ 58 tuổi, ung thư vú trái T2N1M0, đã phẫu thuật ngày 02/11.",
        "scheduled_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        "video_link": "https://meet.example.vn/hoi-chan-123",
        "participants": [
            {
                "hospital_code": FACILITY,
                "hospital_name": "Bệnh viện Ung bướu Đà Nẵng",
                "doctor_name": "Nguyễn Văn Nam",
                "role": "chair",
            },
            OTHER_HOSPITAL,
        ],
    }
    return body | overrides


@pytest.fixture
def setting(db: Database):
    """A patient with a verified glucose result and one still waiting for verification."""
    with db.session() as s:
        _rooms(s)
        visit_id, patient_id, _token = add_patient_visit(s, insured=False)
    with db.session() as s:
        placed = orders.place_order(s, DOCTOR, visit_id, ["XN-GLU", "XN-CRE"])
        done, waiting = placed.items
    with db.session() as s:
        orders.collect_specimen(s, LAB, done.id)
        orders.enter_lab_results(s, LAB, done.id, [("GLU", "5.2")])
        orders.enter_lab_results(s, LAB, waiting.id, [("CREA", "80")])
    with db.session() as s:
        orders.verify(s, LAB_2, done.id)
    app = make_app(db)
    creds = sign_in_every_role(db)
    return client_for(app), creds, patient_id, done.id, waiting.id


def test_schedule_share_conclude_and_minutes(setting, db: Database) -> None:
    client, creds, patient_id, verified_item, waiting_item = setting
    doctor = creds.headers(Role.DOCTOR)
    created = client.post("/api/consultations", json=_body(patient_id), headers=doctor)
    assert created.status_code == 201, created.text
    c = created.json()
    assert c["status"] == "scheduled" and c["status_vi"] == "Đã lên lịch"
    assert [p["role_vi"] for p in c["participants"]] == ["Chủ trì", "Thành viên"]

    shared = client.post(
        f"/api/consultations/{c['id']}/shared",
        json={"order_item_ids": [verified_item]},
        headers=doctor,
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["shared"][0]["values"] == [["GLU", "5.2", "mmol/L", "normal"]]
    refused = client.post(
        f"/api/consultations/{c['id']}/shared",
        json={"order_item_ids": [waiting_item]},
        headers=doctor,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "Chỉ chia sẻ kết quả đã được duyệt"

    held = client.post(
        f"/api/consultations/{c['id']}/conclusion",
        json={"conclusion": "Hoá trị bổ trợ phác đồ AC-T.", "treatment_plan": "Bắt đầu sau 2 tuần"},
        headers=doctor,
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    again = client.post(
        f"/api/consultations/{c['id']}/conclusion", json={"conclusion": "x"}, headers=doctor
    )
    assert again.status_code == 409

    pdf = client.get(f"/api/consultations/{c['id']}/minutes.pdf", headers=doctor)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf.content)).pages
    )
    for expected in ("BIÊN BẢN HỘI CHẨN LIÊN VIỆN", "Bệnh viện K", "AC-T", "GLU: 5.2"):
        assert expected in text

    stats = client.get("/api/consultations/stats", headers=doctor).json()
    assert (stats["held"], stats["scheduled"], stats["cancelled"]) == (1, 0, 0)
    with db.session() as s:
        actions = set(
            s.scalars(select(AuditEntry.action).where(AuditEntry.patient_id == patient_id))
        )
    assert {"consultation.schedule", "consultation.share", "consultation.conclude"} <= actions


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"video_link": "http://meet.example.vn/x"}, "video_link"),
        ({"scheduled_at": "2020-01-01T08:00:00+07:00"}, "scheduled_at"),
        ({"participants": [OTHER_HOSPITAL, OTHER_HOSPITAL | {"role": "chair"}]}, "participants"),
        ({"question": "   "}, "question"),
    ],
)
def test_a_bad_consultation_is_refused_naming_the_field(setting, overrides, field) -> None:
    client, creds, patient_id, *_ = setting
    answer = client.post(
        "/api/consultations",
        json=_body(patient_id, **overrides),
        headers=creds.headers(Role.DOCTOR),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


def test_only_doctors_schedule_and_the_cashier_sees_nothing(setting) -> None:
    client, creds, patient_id, *_ = setting
    body = _body(patient_id)
    assert (
        client.post("/api/consultations", json=body, headers=creds.headers(Role.NURSE)).status_code
        == 403
    )
    assert client.get("/api/consultations", headers=creds.headers(Role.CASHIER)).status_code == 403


def test_cancelled_with_a_reason_and_closed_to_changes(setting, db: Database) -> None:
    client, creds, patient_id, verified_item, _ = setting
    doctor = creds.headers(Role.DOCTOR)
    c = client.post("/api/consultations", json=_body(patient_id), headers=doctor).json()
    cancelled = client.post(
        f"/api/consultations/{c['id']}/cancel",
        json={"reason": "Bệnh viện K đổi lịch"},
        headers=doctor,
    )
    assert cancelled.json()["status"] == "cancelled"
    late = client.post(
        f"/api/consultations/{c['id']}/shared",
        json={"order_item_ids": [verified_item]},
        headers=doctor,
    )
    assert late.status_code == 409
    assert "huỷ" in late.json()["error"]["message"]


def test_the_minutes_are_filed_and_signed_by_the_concluding_doctor(db: Database, tmp_path) -> None:
    with db.session() as s:
        _rooms(s)
        _visit_id, patient_id, _token = add_patient_visit(s, insured=False)
    app = make_app(db, data_dir=tmp_path)
    creds = sign_in_every_role(db)
    config = PkiConfig.from_settings(app.state.settings)
    init_ca(config)
    issue_staff_certificate(config, "t.doctor", "Nhân viên doctor")
    client = client_for(app)
    doctor = creds.headers(Role.DOCTOR)
    c = client.post("/api/consultations", json=_body(patient_id), headers=doctor).json()
    held = client.post(
        f"/api/consultations/{c['id']}/conclusion",
        json={"conclusion": "Xạ trị bổ trợ."},
        headers=doctor,
    ).json()
    assert held["minutes_document_id"] and held["minutes_signed"] is True
    check = client.get(
        f"/api/documents/{held['minutes_document_id']}/verification", headers=doctor
    ).json()
    assert check["ok"] is True, check
    listed = client.get(f"/api/patients/{patient_id}/documents", headers=doctor).json()
    assert any(d["kind"] == "consultation_minutes" for d in listed)
