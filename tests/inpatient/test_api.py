"""The inpatient routes: who may use them, what bad input gets, what the screens read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smarthis.db import Database, utcnow
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Permission, Role, role_may
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role
from tests.inpatient.helpers import Patients, conclude_admit, new_patient, new_visit, seed_wards


@pytest.fixture
def api(db: Database) -> tuple[TestClient, Credentials, Patients]:
    creds = sign_in_every_role(db)  # t.doctor, t.nurse, ... with bearer tokens
    seed_wards(db)
    with db.session() as s:
        an = new_patient(
            s, "Nguyễn Văn An", utcnow().date().replace(year=1970), "male", cccd="048070001234"
        )
        visit = new_visit(s, an)
        binh = new_patient(s, "Trần Thị Bình", utcnow().date().replace(year=1985), "female")
        ids = Patients(an.id, visit.id, binh.id, 0)
    conclude_admit(db, ids.an_visit)
    return client_for(make_app(db)), creds, ids


def _admit(client: TestClient, creds: Credentials, visit_id: int, role: Role = Role.NURSE) -> Any:
    return client.post(
        "/api/inpatient/stays",
        json={"ward": "NOI", "visit_id": visit_id, "bed": "NOI-101-1"},
        headers=creds.headers(role),
    )


def test_doctors_and_nurses_read_and_write_others_do_not() -> None:
    for role in (Role.DOCTOR, Role.NURSE, Role.ADMIN):
        assert role_may(role, Permission.INPATIENT_READ)
        assert role_may(role, Permission.INPATIENT_WRITE)
    for role in (Role.RECEPTIONIST, Role.CASHIER, Role.KIOSK, Role.DISPLAY_BOARD):
        assert not role_may(role, Permission.INPATIENT_READ)
        assert not role_may(role, Permission.INPATIENT_WRITE)


def test_a_nurse_receives_the_patient_and_the_record_shows_the_day(db: Database, api) -> None:
    client, creds, ids = api
    created = _admit(client, creds, ids.an_visit)
    assert created.status_code == 201, created.text
    stay = created.json()
    assert (stay["ward"], stay["bed"], stay["admitted_from_vi"]) == (
        "NOI",
        "NOI-101-1",
        "Khoa Khám bệnh",
    )
    nurse = creds.headers(Role.NURSE)
    doctor = creds.headers(Role.DOCTOR)
    sid = stay["id"]
    assert (
        client.post(
            f"/api/inpatient/stays/{sid}/vitals",
            json={"pulse": 90, "temperature_c": 38.2},
            headers=nurse,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/inpatient/stays/{sid}/nursing-notes",
            json={"note": "Sốt nhẹ, chườm mát"},
            headers=nurse,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/inpatient/stays/{sid}/progress-notes",
            json={"assessment": "Sốt sau hóa trị"},
            headers=doctor,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/inpatient/stays/{sid}/medications",
            json={"drug": "Paracetamol 500mg", "dose": "1 viên", "route": "Uống"},
            headers=nurse,
        ).status_code
        == 201
    )

    record = client.get(f"/api/inpatient/stays/{sid}", headers=nurse).json()
    assert record["patient"]["full_name"] == "Nguyễn Văn An"
    assert record["stay"]["day"] == 1
    assert record["vitals"][0]["temperature_c"] == 38.2
    assert record["progress_notes"][0]["by"]["login"] == "t.doctor"
    assert record["medications"][0]["status_vi"] == "Đã dùng"
    assert record["movements"][0]["to_bed"] == "NOI-101-1"

    board = client.get("/api/inpatient/wards/NOI/board", headers=nurse).json()
    occupied = [b for b in board["beds"] if b["stay"]]
    assert [b["stay"]["patient"]["full_name"] for b in occupied] == ["Nguyễn Văn An"]
    assert board["counts"] == {"available": 5, "occupied": 1, "cleaning": 0, "out_of_service": 0}
    wards = client.get("/api/inpatient/wards", headers=nurse).json()
    assert [w["code"] for w in wards] == ["NGOAI", "NOI"]
    with db.session() as session:
        looked = session.execute(
            select(AuditEntry.actor, AuditEntry.detail).where(
                AuditEntry.action == "inpatient.board"
            )
        ).all()
        reads = (
            session.execute(
                select(AuditEntry.patient_id).where(AuditEntry.action == "inpatient.read")
            )
            .scalars()
            .all()
        )
    assert looked[0].actor == "t.nurse" and str(sid) in looked[0].detail
    assert reads == [ids.an]


def test_others_are_refused(api) -> None:
    client, creds, ids = api
    for role in (Role.RECEPTIONIST, Role.CASHIER, Role.PHARMACIST):
        assert (
            client.get("/api/inpatient/wards/NOI/board", headers=creds.headers(role)).status_code
            == 403
        )
        assert _admit(client, creds, ids.an_visit, role).status_code == 403
    assert client.get("/api/inpatient/wards").status_code == 401
    sid = _admit(client, creds, ids.an_visit).json()["id"]
    # A nurse writes care notes, not the doctor's progress notes, and does not discharge.
    progress = client.post(
        f"/api/inpatient/stays/{sid}/progress-notes",
        json={"plan": "x"},
        headers=creds.headers(Role.NURSE),
    )
    assert progress.status_code == 403
    assert progress.json()["error"]["code"] == "inpatient_doctor_only"
    out = client.post(
        f"/api/inpatient/stays/{sid}/discharge",
        json={"kind": "recovered_or_improved", "summary": "Ổn"},
        headers=creds.headers(Role.NURSE),
    )
    assert out.status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/stays/{sid}/vitals", {"temperature_c": 375}, 422, "vitals_temperature_c_range"),
        ("/stays/{sid}/vitals", {"pulse": "nhanh"}, 422, "invalid_request"),
        ("/stays/{sid}/nursing-notes", {"note": "  "}, 422, "nursing_note_empty"),
        ("/stays/{sid}/nursing-notes", {"note": "x", "extra": 1}, 422, "invalid_request"),
        (
            "/stays/{sid}/medications",
            {"drug": "A", "dose": "1", "route": "Uống", "status": "held"},
            422,
            "mar_reason_missing",
        ),
        (
            "/stays/{sid}/medications",
            {"drug": "A", "dose": "1", "route": "Uống", "status": "lost"},
            422,
            "invalid_request",
        ),
        ("/stays/{sid}/bed", {"bed": "NOI-101-1"}, 409, "bed_unchanged"),
        ("/stays/{sid}/bed", {"bed": "KHONG-CO"}, 404, "bed_not_found"),
        ("/stays/{sid}/discharge", {"kind": "home", "summary": "x"}, 422, "invalid_request"),
        (
            "/stays/{sid}/discharge",
            {"kind": "deceased", "summary": "x", "icd_code": "XYZ"},
            422,
            "icd10_unknown",
        ),
        ("/stays/999999/vitals", {"pulse": 80}, 404, "stay_not_found"),
        ("/stays/99999999999999999999/vitals", {"pulse": 80}, 422, "invalid_request"),
        ("/beds/NOI-101-1/status", {"status": "cleaning"}, 409, "bed_occupied"),
        ("/beds/NOI-101-2/status", {"status": "occupied"}, 422, "invalid_request"),
        ("/stays", {"ward": "KHONG", "visit_id": 1}, 404, "ward_not_found"),
    ],
)
def test_bad_input_gets_a_specific_4xx(api, path: str, body: dict, status: int, code: str) -> None:
    client, creds, ids = api
    sid = _admit(client, creds, ids.an_visit).json()["id"]
    response = client.post(
        "/api/inpatient" + path.format(sid=sid), json=body, headers=creds.headers(Role.DOCTOR)
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]  # Vietnamese, for the screen


def test_discharge_paper_and_residence_declaration_download(api) -> None:
    client, creds, ids = api
    sid = _admit(client, creds, ids.an_visit).json()["id"]
    doctor = creds.headers(Role.DOCTOR)
    early = client.get(f"/api/inpatient/stays/{sid}/discharge-paper.pdf", headers=doctor)
    assert early.status_code == 409
    done = client.post(
        f"/api/inpatient/stays/{sid}/discharge",
        json={"kind": "recovered_or_improved", "summary": "Hóa trị chu kỳ 1", "advice": "Tái khám"},
        headers=doctor,
    )
    assert done.status_code == 200, done.text
    assert done.json()["stay"]["status"] == "discharged"
    paper = client.get(
        f"/api/inpatient/stays/{sid}/discharge-paper.pdf", headers=creds.headers(Role.NURSE)
    )
    assert paper.status_code == 200
    assert paper.headers["content-type"] == "application/pdf"
    assert paper.content.startswith(b"%PDF")
    board = client.get("/api/inpatient/wards/NOI/board", headers=doctor).json()
    assert {b["code"]: b["status"] for b in board["beds"]}["NOI-101-1"] == "cleaning"

    today = utcnow().astimezone(HOSPITAL_TZ).date().isoformat()
    csv_response = client.get(
        f"/api/inpatient/residence-declaration.csv?date={today}", headers=doctor
    )
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    assert "048070001234" in csv_response.content.decode("utf-8-sig")
    bad = client.get("/api/inpatient/residence-declaration.csv?date=26-11-2026", headers=doctor)
    assert bad.status_code == 422


def test_pages_render_for_staff(api) -> None:
    client, creds, ids = api
    sid = _admit(client, creds, ids.an_visit).json()["id"]
    nurse = creds.headers(Role.NURSE)
    assert "Khoa Nội - Hóa trị" in client.get("/inpatient", headers=nurse).text
    assert "Sơ đồ giường" in client.get("/inpatient/wards/NOI", headers=nurse).text
    page = client.get(f"/inpatient/stays/{sid}", headers=nurse)
    assert page.status_code == 200
    assert "Tờ điều trị" in page.text
    assert 'id="progress-form"' not in page.text  # a nurse does not write the doctor's notes
    assert client.get("/inpatient/stays/424242", headers=nurse).status_code == 404
    assert client.get("/inpatient", headers=creds.headers(Role.CASHIER)).status_code == 403


def test_the_stay_stream_carries_the_stays_changes_and_the_patients_results() -> None:
    from smarthis.inpatient.api import stay_accepts, ward_accepts

    accepts = stay_accepts("48001", 7, {31, 32})
    assert accepts({"topic": "inpatient", "facility": "48001", "stay_id": 7, "kind": "vitals"})
    assert not accepts({"topic": "inpatient", "facility": "48001", "stay_id": 8})
    assert not accepts({"topic": "inpatient", "facility": "79001", "stay_id": 7})
    assert accepts({"topic": "result", "facility": "48001", "visit_id": 32, "kind": "entered"})
    assert not accepts({"topic": "result", "facility": "48001", "visit_id": 33})
    assert accepts({"kind": "resync"})
    board = ward_accepts("48001", "NOI")
    # A transfer names both wards: both boards refresh.
    assert board({"topic": "inpatient", "facility": "48001", "wards": ["NGOAI", "NOI"]})
    assert not board({"topic": "inpatient", "facility": "48001", "wards": ["NGOAI"]})
    assert not board({"topic": "queue", "facility": "48001", "wards": ["NOI"]})
