"""The interface monitor: who may see HL7 traffic, who may resend, and that a resend is
audited with the name of the person who asked for it."""

from __future__ import annotations

from sqlalchemy import select

from smarthis.db import Database
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.integrations.hl7.lab_hospital import LabHospital
from tests.integrations.hl7.oru import oru


def test_admin_sees_traffic_and_resends_a_failed_message(lab: LabHospital, db: Database) -> None:
    placed = lab.order(lab.visit(), ["XN-GLU"])
    (row,) = lab.outbox()
    with db.session() as s:
        message = s.get(type(row), row.id)
        message.status, message.attempts, message.last_error = "failed", 3, "AR: từ chối"
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))
    admin = creds.headers(Role.ADMIN)

    listing = client.get("/api/interfaces/hl7", headers=admin).json()
    assert listing["summary"]["outbound"]["failed"] == 1
    assert listing["summary"]["retried"] == 1
    (shown,) = listing["messages"]
    assert (shown["direction"], shown["status_vi"]) == ("out", "Lỗi — cần xử lý")
    assert "payload" not in shown  # lists name no patient

    detail = client.get(f"/api/interfaces/hl7/outbound/{row.id}", headers=admin).json()
    assert "Nguyễn^An^Văn" in detail["payload"]

    resent = client.post(f"/api/interfaces/hl7/outbound/{row.id}/resend", headers=admin)
    assert resent.status_code == 200, resent.text
    assert resent.json()["status"] == "pending"
    with db.session() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "interface.resend")
        ).scalar_one()
        assert entry.actor == "t.admin"
        assert entry.patient_id == placed.order.patient_id
        assert "t.admin" in entry.detail and row.message_control_id in entry.detail


def test_the_lab_may_look_but_not_resend_and_a_sending_message_is_left_alone(
    lab: LabHospital, db: Database
) -> None:
    lab.order(lab.visit(), ["XN-GLU"])
    (row,) = lab.outbox()
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))
    tech = creds.headers(Role.LAB_TECHNICIAN)
    assert client.get("/api/interfaces/hl7", headers=tech).status_code == 200
    assert client.get("/interfaces", headers=tech).status_code == 200
    refused = client.post(f"/api/interfaces/hl7/outbound/{row.id}/resend", headers=tech)
    assert refused.status_code == 403
    assert client.get("/api/interfaces/hl7", headers=creds.headers(Role.DOCTOR)).status_code == 403

    with db.session() as s:
        s.get(type(row), row.id).status = "sent"
    busy = client.post(
        f"/api/interfaces/hl7/outbound/{row.id}/resend", headers=creds.headers(Role.ADMIN)
    )
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "hl7_message_in_flight"


def test_the_page_lists_received_messages_in_vietnamese(lab: LabHospital, db: Database) -> None:
    from smarthis.config import Settings
    from smarthis.integrations.hl7.inbound import InboundHandler

    item = lab.order(lab.visit(), ["XN-GLU"]).items[0]
    handler = InboundHandler(db, Settings(database_url=db.url, facility_code="48001"))
    handler.handle(oru("PAGE-1", str(item.id), [("GLU", "5.5", "mmol/L")]), "127.0.0.1:1")
    handler.handle(oru("PAGE-2", "424242", [("GLU", "5.5", "mmol/L")]), "127.0.0.1:1")
    creds = sign_in_every_role(db)
    page = client_for(make_app(db)).get("/interfaces", headers=creds.headers(Role.ADMIN))
    assert page.status_code == 200
    assert "Giám sát kết nối xét nghiệm" in page.text
    assert "PAGE-1" in page.text and "Đã nhận" in page.text
    assert "PAGE-2" in page.text and "Lỗi (AE)" in page.text
    assert "Gửi lại" in page.text


def test_the_page_also_lists_dicom_traffic(db: Database) -> None:
    from smarthis.integrations.dicom.traffic import PACS_ERROR, WORKLIST_QUERY, record_event

    with db.session() as s:
        record_event(s, "48001", WORKLIST_QUERY, {"modality": "CT"}, calling_ae="CT01", matches=7)
        record_event(s, "48001", PACS_ERROR, {"error": "connection refused"}, ok=False)
    creds = sign_in_every_role(db)
    page = client_for(make_app(db)).get("/interfaces", headers=creds.headers(Role.ADMIN))
    assert page.status_code == 200
    assert "Máy chụp hỏi danh sách chờ chụp" in page.text and "CT01" in page.text
    assert "Lỗi kết nối PACS" in page.text and "connection refused" in page.text
