"""A stay's papers in the document registry: the treatment sheet signed as it stands (new
notes make a new version, the signed one is kept) and the discharge paper, only once the
patient has left; both verified with the hospital's CA."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from smarthis.db import Database, utcnow
from smarthis.documents.pki import PkiConfig, init_ca, issue_staff_certificate
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role
from tests.inpatient.helpers import conclude_admit, new_patient, new_visit, seed_wards


@pytest.fixture
def stay(db: Database, tmp_path) -> tuple[TestClient, Credentials, int]:
    creds = sign_in_every_role(db)
    seed_wards(db)
    with db.session() as s:
        patient = new_patient(s, "Lê Văn Hải", utcnow().date().replace(year=1962), "male")
        visit_id = new_visit(s, patient).id
    conclude_admit(db, visit_id)
    app = make_app(db, data_dir=tmp_path)
    config = PkiConfig.from_settings(app.state.settings)
    init_ca(config)
    issue_staff_certificate(config, "t.doctor", "Nhân viên doctor")
    client = client_for(app)
    admitted = client.post(
        "/api/inpatient/stays",
        json={"ward": "NOI", "visit_id": visit_id, "bed": "NOI-101-1"},
        headers=creds.headers(Role.NURSE),
    )
    assert admitted.status_code == 201, admitted.text
    return client, creds, admitted.json()["id"]


def _note(client: TestClient, creds: Credentials, sid: int, plan: str) -> None:
    written = client.post(
        f"/api/inpatient/stays/{sid}/progress-notes",
        json={"assessment": "Ổn định", "plan": plan},
        headers=creds.headers(Role.DOCTOR),
    )
    assert written.status_code == 201, written.text


def _sign(client: TestClient, creds: Credentials, sid: int, paper: str) -> Any:
    return client.post(
        f"/api/inpatient/stays/{sid}/papers/{paper}/signatures",
        json={"capacity": "doctor"},
        headers=creds.headers(Role.DOCTOR),
    )


def test_the_treatment_sheet_is_signed_as_it_stands(stay) -> None:
    client, creds, sid = stay
    doctor = creds.headers(Role.DOCTOR)
    assert _sign(client, creds, sid, "treatment_sheet").status_code == 409  # no note yet
    _note(client, creds, sid, "Truyền dịch NaCl 0,9% 500 ml")
    first = _sign(client, creds, sid, "treatment_sheet").json()
    assert first["ok"] and first["version"] == 1 and len(first["signers"]) == 1
    pdf = client.get(f"/api/inpatient/stays/{sid}/treatment-sheet.pdf", headers=doctor)
    text = PdfReader(__import__("io").BytesIO(pdf.content)).pages[0].extract_text()
    assert "TỜ ĐIỀU TRỊ" in text and "NaCl" in text

    _note(client, creds, sid, "Hóa trị chu kỳ 2")
    second = _sign(client, creds, sid, "treatment_sheet").json()
    assert second["ok"] and second["version"] == 2
    earlier = client.get(
        f"/api/documents/{first['document_id']}/verification", headers=doctor
    ).json()
    assert earlier["ok"] is True  # the signed first version is kept, still valid


def test_the_discharge_paper_waits_for_the_discharge(stay) -> None:
    client, creds, sid = stay
    early = _sign(client, creds, sid, "discharge_paper")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "stay_not_discharged"
    gone = client.post(
        f"/api/inpatient/stays/{sid}/discharge",
        json={"kind": "recovered_or_improved", "summary": "Ổn định"},
        headers=creds.headers(Role.DOCTOR),
    )
    assert gone.status_code == 200, gone.text
    signed = _sign(client, creds, sid, "discharge_paper").json()
    assert signed["ok"] and signed["signers"][0]["name"] == "Nhân viên doctor"
    unknown = _sign(client, creds, sid, "birth_certificate")
    assert unknown.status_code == 404
