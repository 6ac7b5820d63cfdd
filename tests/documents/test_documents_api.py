"""The registry over HTTP: who may read, register and sign; signing as oneself with one's
own key (doctor, then head of department); the JSON verification report; the download;
the registry page with each document's status; denials and reads in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from smarthis.db import Database
from smarthis.documents import pki
from smarthis.documents.models import Document
from smarthis.documents.verify import verify_with_hospital_ca
from smarthis.security import service as security
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role
from tests.documents.helpers import (
    FACILITY,
    HOSPITAL,
    flip_byte_in_first_revision,
    patient_with_visit,
    pki_config,
    visit_record_pdf,
)

PDF = {"Content-Type": "application/pdf"}


@dataclass
class Ward:
    client: TestClient
    creds: Credentials
    head: dict[str, str]
    config: pki.PkiConfig
    patient_id: int
    visit_id: int

    def as_role(self, role: Role, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self.creds.headers(role), **(extra or {})}

    def register(self, role: Role = Role.DOCTOR, pdf: bytes | None = None, **params: object):
        query = {"kind": "visit_record", "title": "Phiếu khám bệnh", **params}
        return self.client.post(
            f"/api/patients/{self.patient_id}/documents",
            params=query,
            content=visit_record_pdf() if pdf is None else pdf,
            headers=self.as_role(role, PDF),
        )


@pytest.fixture
def ward(db: Database, tmp_path: Path) -> Ward:
    creds = sign_in_every_role(db)
    with db.session() as s:
        head = security.create_staff(
            s,
            facility_code=FACILITY,
            login="tk.minh",
            full_name="Trần Quang Minh",
            role="doctor",
            password="mat-khau-dai-123",
        )
        head_token = security.issue_api_token(s, head)
    config = pki_config(tmp_path)
    pki.init_ca(config)
    for login, name in [
        ("t.doctor", "Nhân viên doctor"),
        ("t.nurse", "Nhân viên nurse"),
        ("tk.minh", "Trần Quang Minh"),
    ]:
        pki.issue_staff_certificate(config, login, name)
    patient_id, visit_id = patient_with_visit(db)
    client = client_for(make_app(db, data_dir=tmp_path, facility_name=HOSPITAL))
    return Ward(
        client,
        creds,
        {"Authorization": f"Bearer {head_token}"},
        config,
        patient_id,
        visit_id,
    )


def test_doctor_and_head_of_department_sign_and_the_report_says_valid(ward: Ward) -> None:
    created = ward.register(visit_id=ward.visit_id)
    assert created.status_code == 201, created.text
    document = created.json()
    assert (document["version"], document["kind_name"]) == (1, "Phiếu khám bệnh")
    url = f"/api/documents/{document['id']}"

    doctor = ward.client.post(
        f"{url}/sign", json={"capacity": "doctor"}, headers=ward.as_role(Role.DOCTOR)
    )
    assert doctor.status_code == 200, doctor.text
    head = ward.client.post(
        f"{url}/sign", json={"capacity": "head_of_department"}, headers=ward.head
    )
    assert head.status_code == 200, head.text
    assert (head.json()["position"], head.json()["signer_name"]) == (2, "Trần Quang Minh")

    report = ward.client.get(f"{url}/verification", headers=ward.as_role(Role.NURSE)).json()
    assert report["ok"] is True and report["status"] == "Chữ ký hợp lệ"
    assert [(s["signer_login"], s["reason"]) for s in report["signatures"]] == [
        ("t.doctor", "Bác sĩ điều trị"),
        ("tk.minh", "Trưởng khoa"),
    ]
    assert all(s["intact"] and s["trusted"] for s in report["signatures"])

    download = ward.client.get(f"{url}/pdf", headers=ward.as_role(Role.PHARMACIST))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert verify_with_hospital_ca(download.content, ward.config).ok

    listed = ward.client.get(
        f"/api/patients/{ward.patient_id}/documents", headers=ward.as_role(Role.DOCTOR)
    )
    (entry,) = listed.json()
    assert [s["staff_login"] for s in entry["signatures"]] == ["t.doctor", "tk.minh"]


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.CASHIER, Role.KIOSK])
def test_staff_outside_clinical_care_cannot_read_documents(ward: Ward, role: Role) -> None:
    listed = ward.client.get(
        f"/api/patients/{ward.patient_id}/documents", headers=ward.as_role(role)
    )
    assert listed.status_code == 403


def test_a_denied_read_is_audited(ward: Ward, db: Database) -> None:
    response = ward.client.get(
        f"/api/patients/{ward.patient_id}/documents", headers=ward.as_role(Role.RECEPTIONIST)
    )
    assert response.status_code == 403
    with db.session() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.outcome == "denied")).scalar_one()
    assert entry.patient_id == ward.patient_id and entry.actor == "t.receptionist"


@pytest.mark.parametrize("role", [Role.PHARMACIST, Role.LAB_TECHNICIAN, Role.RECEPTIONIST])
def test_only_doctors_and_nurses_register_and_sign(ward: Ward, role: Role) -> None:
    assert ward.register(role).status_code == 403
    document_id = ward.register().json()["id"]
    signed = ward.client.post(
        f"/api/documents/{document_id}/sign",
        json={"capacity": "doctor"},
        headers=ward.as_role(role),
    )
    assert signed.status_code == 403


def test_a_nurse_cannot_sign_as_head_of_department(ward: Ward) -> None:
    document_id = ward.register(Role.NURSE).json()["id"]
    url = f"/api/documents/{document_id}/sign"
    refused = ward.client.post(
        url, json={"capacity": "head_of_department"}, headers=ward.as_role(Role.NURSE)
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "capacity_not_allowed"
    ok = ward.client.post(url, json={"capacity": "nurse"}, headers=ward.as_role(Role.NURSE))
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("pdf", "params", "status", "code"),
    [
        (b"<html>not a pdf</html>", {}, 422, "pdf_unreadable"),
        (None, {"kind": "selfie"}, 422, "unknown_document_kind"),
        (None, {"visit_id": 987654}, 404, "visit_not_found"),
        (None, {"visit_id": "abc"}, 422, "invalid_request"),
    ],
)
def test_bad_uploads_get_a_specific_error(
    ward: Ward, pdf: bytes | None, params: dict, status: int, code: str
) -> None:
    response = ward.register(pdf=pdf, **params)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_signing_without_a_certificate_or_twice_is_a_conflict(ward: Ward) -> None:
    document_id = ward.register().json()["id"]
    url = f"/api/documents/{document_id}/sign"
    # An administrator holds every permission but signs in no clinical capacity.
    admin = ward.client.post(url, json={"capacity": "doctor"}, headers=ward.as_role(Role.ADMIN))
    assert admin.status_code == 403
    first = ward.client.post(url, json={"capacity": "doctor"}, headers=ward.as_role(Role.DOCTOR))
    assert first.status_code == 200
    again = ward.client.post(url, json={"capacity": "doctor"}, headers=ward.as_role(Role.DOCTOR))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_signed"
    pki.revoke_staff_certificate(ward.config, "t.nurse", "thử")
    missing = ward.client.post(url, json={"capacity": "nurse"}, headers=ward.as_role(Role.NURSE))
    assert missing.status_code == 409
    assert missing.json()["error"]["code"] == "certificate_missing"
    unknown = ward.client.post(url, json={"capacity": "chief"}, headers=ward.as_role(Role.DOCTOR))
    assert unknown.status_code == 422
    assert (
        ward.client.post(
            "/api/documents/424242/sign",
            json={"capacity": "doctor"},
            headers=ward.as_role(Role.DOCTOR),
        ).status_code
        == 404
    )


def test_a_correction_over_http_keeps_the_old_version(ward: Ward) -> None:
    first = ward.register().json()
    corrected = ward.client.post(
        f"/api/documents/{first['id']}/versions",
        params={"reason": "Sai tên thuốc"},
        content=visit_record_pdf(note="Sửa: viêm amidan cấp"),
        headers=ward.as_role(Role.DOCTOR, PDF),
    )
    assert corrected.status_code == 201, corrected.text
    assert (corrected.json()["version"], corrected.json()["supersedes_id"]) == (2, first["id"])
    listed = ward.client.get(
        f"/api/patients/{ward.patient_id}/documents", headers=ward.as_role(Role.NURSE)
    ).json()
    assert [(d["version"], d["superseded"]) for d in listed] == [(1, True), (2, False)]
    again = ward.client.post(
        f"/api/documents/{first['id']}/versions",
        params={"reason": "lần hai"},
        content=visit_record_pdf(),
        headers=ward.as_role(Role.DOCTOR, PDF),
    )
    assert again.status_code == 409


def test_the_registry_page_shows_valid_and_tampered_documents(ward: Ward, db: Database) -> None:
    good = ward.register().json()
    bad = ward.register(title="Phiếu khám (bị sửa)").json()
    for document in (good, bad):
        response = ward.client.post(
            f"/patients/{ward.patient_id}/documents/{document['id']}/sign",
            data={"capacity": "doctor"},
            headers=ward.as_role(Role.DOCTOR),
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    with db.session() as s:
        stored = s.get(Document, bad["id"])
        tampered = flip_byte_in_first_revision(stored.pdf, bad["size_bytes"])
        s.execute(update(Document).where(Document.id == bad["id"]).values(pdf=tampered))

    page = ward.client.get(
        f"/patients/{ward.patient_id}/documents", headers=ward.as_role(Role.DOCTOR)
    )

    assert page.status_code == 200
    html = page.text
    good_row = html[html.index(f'data-document="{good["id"]}"') :]
    good_row = good_row[: good_row.index("</tr>")]
    bad_row = html[html.index(f'data-document="{bad["id"]}"') :]
    bad_row = bad_row[: bad_row.index("</tr>")]
    assert "Chữ ký hợp lệ" in good_row and "Nhân viên doctor" in good_row
    assert "Tài liệu đã bị sửa: chữ ký không còn khớp nội dung" in bad_row
    assert "Bản lưu trong hệ thống không khớp mã băm đã ghi" in bad_row
    assert "Chữ ký hợp lệ" not in bad_row
    assert "Ký số" in html  # the doctor may sign
    pharmacist_page = ward.client.get(
        f"/patients/{ward.patient_id}/documents", headers=ward.as_role(Role.PHARMACIST)
    )
    assert pharmacist_page.status_code == 200 and "Ký số" not in pharmacist_page.text


def test_reads_and_changes_are_audited_with_the_patient(ward: Ward, db: Database) -> None:
    document_id = ward.register().json()["id"]
    url = f"/api/documents/{document_id}"
    doctor = ward.as_role(Role.DOCTOR)
    ward.client.post(f"{url}/sign", json={"capacity": "doctor"}, headers=doctor)
    ward.client.get(f"{url}/verification", headers=doctor)
    ward.client.get(f"{url}/pdf", headers=doctor)
    ward.client.get(f"/api/patients/{ward.patient_id}/documents", headers=doctor)
    with db.session() as s:
        entries = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [(e.action, e.patient_id, e.actor) for e in entries] == [
        ("document.register", ward.patient_id, "t.doctor"),
        ("document.sign", ward.patient_id, "t.doctor"),
        ("document.verify", ward.patient_id, "t.doctor"),
        ("document.download", ward.patient_id, "t.doctor"),
        ("document.list", ward.patient_id, "t.doctor"),
    ]


def test_the_visit_record_is_filed_from_the_visit_and_refiled_as_a_new_version(
    ward: Ward,
) -> None:
    url = f"/api/visits/{ward.visit_id}/documents/visit-record"
    first = ward.client.post(url, headers=ward.as_role(Role.DOCTOR))
    assert first.status_code == 201, first.text
    assert first.json()["kind"] == "visit_record" and first.json()["visit_id"] == ward.visit_id
    pdf = ward.client.get(
        f"/api/documents/{first.json()['id']}/pdf", headers=ward.as_role(Role.DOCTOR)
    ).content
    assert b"%PDF" in pdf[:8]
    signed = ward.client.post(
        f"/api/documents/{first.json()['id']}/sign",
        json={"capacity": "doctor"},
        headers=ward.as_role(Role.DOCTOR),
    )
    assert signed.status_code == 200

    again = ward.client.post(url, headers=ward.as_role(Role.NURSE))
    assert again.status_code == 201
    assert (again.json()["version"], again.json()["supersedes_id"]) == (2, first.json()["id"])
    missing = ward.client.post(
        "/api/visits/987654/documents/visit-record", headers=ward.as_role(Role.DOCTOR)
    )
    assert missing.status_code == 404
