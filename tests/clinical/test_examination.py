"""The outpatient examination: vital signs, ICD-10 diagnoses with the Ministry's rules,
the conclusion, the papers, audit entries and step timestamps — through the service and
through the JSON API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smarthis.clinical import examination as exam
from smarthis.clinical.examination import ConclusionInput, VitalsInput
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.security.models import AuditEntry, Staff
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.apphelpers import FACILITY, Credentials, client_for, make_app, sign_in_every_role

MALE_PATIENT = {
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1965-03-15",
    "sex": "male",
    "cccd": "048065001234",
}
TOMORROW = date.today() + timedelta(days=2)


@pytest.fixture
def setup(db: Database) -> tuple[TestClient, Credentials]:
    return client_for(make_app(db)), sign_in_every_role(db)


def _visit_for(client: TestClient, creds: Credentials, patient: dict[str, str]) -> int:
    reception = creds.headers(Role.RECEPTIONIST)
    response = client.post("/api/patients", json=patient, headers=reception)
    assert response.status_code == 201, response.text
    patient_id = response.json()["patient"]["id"]
    response = client.post(
        "/api/visits", json={"patient_id": patient_id, "use_insurance": False}, headers=reception
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def visit_id(setup) -> int:
    client, creds = setup
    return _visit_for(client, creds, MALE_PATIENT)


def _doctor(db: Database) -> Principal:
    with db.session() as session:
        staff = session.execute(select(Staff).where(Staff.role == "doctor")).scalar_one()
        return Principal(
            kind="staff",
            id=staff.id,
            name=staff.login,
            display_name=staff.full_name,
            role=Role.DOCTOR,
            facility_code=FACILITY,
            source="test",
        )


def _started(db: Database, visit_id: int) -> Principal:
    doctor = _doctor(db)
    with db.session() as session:
        exam.start_examination(session, doctor, visit_id, reason="Ho, sốt 3 ngày")
    return doctor


def _pdf_text(content: bytes) -> str:
    import pypdfium2

    page = pypdfium2.PdfDocument(content)[0]
    return page.get_textpage().get_text_range()


def _error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


# --- vital signs -------------------------------------------------------------------------


def test_bmi_is_kilograms_over_metres_squared_to_one_decimal() -> None:
    assert exam.body_mass_index(170, 65) == 22.5
    assert exam.body_mass_index(155.5, 48.2) == 19.9
    assert exam.body_mass_index(None, 65) is None


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({}, "vitals_empty", "vitals"),
        ({"temperature_c": 375}, "vitals_temperature_c_range", "temperature_c"),
        ({"pulse": 8}, "vitals_pulse_range", "pulse"),
        ({"spo2": 101}, "vitals_spo2_range", "spo2"),
        ({"weight_kg": 65000}, "vitals_weight_kg_range", "weight_kg"),
        ({"systolic": 120}, "vitals_blood_pressure_pair", "diastolic"),
        ({"systolic": 80, "diastolic": 120}, "vitals_blood_pressure_order", "diastolic"),
    ],
)
def test_implausible_vitals_are_refused_with_the_field(values, code, field) -> None:
    with pytest.raises(DomainError) as refused:
        exam.validate_vitals(VitalsInput(**values))
    assert refused.value.code == code and refused.value.field == field


def test_nurse_records_vitals_and_bmi_is_stored(setup, visit_id: int) -> None:
    client, creds = setup
    response = client.post(
        f"/api/visits/{visit_id}/vitals",
        json={
            "pulse": 82,
            "temperature_c": 37.8,
            "systolic": 130,
            "diastolic": 85,
            "respiratory_rate": 18,
            "spo2": 97,
            "height_cm": 170,
            "weight_kg": 65,
        },
        headers=creds.headers(Role.NURSE),
    )
    assert response.status_code == 201, response.text
    assert response.json()["bmi"] == 22.5
    assert response.json()["measured_by"] == "t.nurse"

    bad = client.post(
        f"/api/visits/{visit_id}/vitals",
        json={"temperature_c": 375},
        headers=creds.headers(Role.NURSE),
    )
    assert bad.status_code == 422
    assert _error(bad)["field"] == "temperature_c"
    assert "30" in _error(bad)["message"] and "45" in _error(bad)["message"]
    not_a_number = client.post(
        f"/api/visits/{visit_id}/vitals", json={"pulse": "fast"}, headers=creds.headers(Role.NURSE)
    )
    assert not_a_number.status_code == 422 and _error(not_a_number)["field"] == "pulse"


# --- diagnoses ---------------------------------------------------------------------------


def test_diagnoses_need_a_started_examination(db: Database, visit_id: int) -> None:
    with db.session() as session, pytest.raises(DomainError) as refused:
        exam.set_diagnoses(session, _doctor(db), visit_id, "J06.9", [])
    assert refused.value.code == "examination_not_started"


def test_a_not_main_code_cannot_be_the_main_diagnosis(db: Database, visit_id: int) -> None:
    doctor = _started(db, visit_id)
    with db.session() as session, pytest.raises(exam.DiagnosisProblems) as refused:
        exam.set_diagnoses(session, doctor, visit_id, "B95.0", [], confirm_warnings=True)
    assert refused.value.code == "diagnosis_rejected"
    assert [p.code for p in refused.value.problems] == ["icd_not_main"]
    # As a secondary diagnosis the same code is fine.
    with db.session() as session:
        outcome = exam.set_diagnoses(session, doctor, visit_id, "J06.9", ["B95.0"])
        assert [(d.icd_code, d.is_main) for d in outcome.diagnoses] == [
            ("J06.9", True),
            ("B95.0", False),
        ]


def test_unknown_code_is_refused(db: Database, visit_id: int) -> None:
    doctor = _started(db, visit_id)
    with db.session() as session, pytest.raises(exam.DiagnosisProblems) as refused:
        exam.set_diagnoses(session, doctor, visit_id, "J06.9", ["Z99.99"])
    assert [(p.code, p.icd) for p in refused.value.problems] == [("icd_unknown", "Z99.99")]


def test_female_only_code_for_a_man_needs_confirmation(db: Database, visit_id: int) -> None:
    doctor = _started(db, visit_id)
    with db.session() as session, pytest.raises(exam.DiagnosisProblems) as asked:
        exam.set_diagnoses(session, doctor, visit_id, "N70.0", [])
    assert asked.value.code == "diagnosis_needs_confirmation"
    assert asked.value.status_code == 409
    assert [p.code for p in asked.value.problems] == ["icd_sex_mismatch"]
    with db.session() as session:
        assert exam.diagnoses_of(session, visit_id) == []
        outcome = exam.set_diagnoses(session, doctor, visit_id, "n700", [], confirm_warnings=True)
        assert [d.icd_code for d in outcome.diagnoses] == ["N70.0"]
        assert outcome.diagnoses[0].name_vi == "Viêm vòi và viêm buồng trứng cấp"
        assert [w.code for w in outcome.confirmed_warnings] == ["icd_sex_mismatch"]


# --- conclusion --------------------------------------------------------------------------


def _conclude(db: Database, doctor: Principal, visit_id: int, **given: Any) -> None:
    with db.session() as session:
        exam.conclude(session, doctor, visit_id, ConclusionInput(**given))


def test_conclusion_rules(db: Database, visit_id: int) -> None:
    doctor = _started(db, visit_id)
    with pytest.raises(DomainError) as refused:
        _conclude(db, doctor, visit_id, conclusion="home")
    assert refused.value.code == "conclusion_main_diagnosis_missing"
    with db.session() as session:
        exam.set_diagnoses(session, doctor, visit_id, "I10", ["E11"])
    for given, code in [
        ({"conclusion": "follow_up"}, "follow_up_date_missing"),
        ({"conclusion": "follow_up", "follow_up_date": date.today()}, "follow_up_date_past"),
        ({"conclusion": "referral", "referral_to": "  "}, "referral_destination_missing"),
        ({"conclusion": "discharge"}, "conclusion_kind"),
    ]:
        with pytest.raises(DomainError) as refused:
            _conclude(db, doctor, visit_id, **given)
        assert refused.value.code == code
    _conclude(db, doctor, visit_id, conclusion="follow_up", follow_up_date=TOMORROW)
    with db.session() as session:
        assert session.get(Visit, visit_id).status == "concluded"
        record = exam.visit_record(session, doctor, visit_id)
        assert record.examination.follow_up_date == TOMORROW
    with pytest.raises(DomainError) as refused:
        _conclude(db, doctor, visit_id, conclusion="home")
    assert refused.value.code == "visit_closed"


def test_steps_audit_and_event(db: Database, visit_id: int, monkeypatch) -> None:
    emitted: list[dict[str, Any]] = []
    monkeypatch.setattr(exam.events, "emit", lambda _session, event: emitted.append(event))
    doctor = _started(db, visit_id)
    with db.session() as session:
        exam.record_vitals(session, doctor, visit_id, VitalsInput(pulse=80))
        exam.set_diagnoses(session, doctor, visit_id, "J06.9", [])
    _conclude(db, doctor, visit_id, conclusion="home", advice="Uống nhiều nước")
    with db.session() as session:
        record = exam.visit_record(session, doctor, visit_id)
        steps = [step for step, _at, _by in record.steps]
        assert steps == [
            "registered",
            "examination_started",
            "vitals_recorded",
            "diagnosed",
            "concluded",
        ]
        times = [at for _step, at, _by in record.steps]
        assert times == sorted(times)
    with db.session() as session:  # audit entries are written when their transaction commits
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.patient_id, AuditEntry.actor).where(
                AuditEntry.actor == doctor.name
            )
        ).all()
    actions = [action for action, _patient, _actor in entries]
    for action in (
        "examination.start",
        "vitals.record",
        "diagnosis.set",
        "examination.conclude",
        "examination.read",
    ):
        assert action in actions
    assert {patient for _action, patient, _actor in entries} == {record.patient.id}
    assert [(e["topic"], e["visit_id"], e["kind"]) for e in emitted] == [
        ("visit", visit_id, "examination_started"),
        ("visit", visit_id, "concluded"),
    ]
    assert all(e["facility"] == FACILITY for e in emitted)


# --- API -----------------------------------------------------------------------------------


def test_examination_through_the_api(setup, visit_id: int) -> None:
    client, creds = setup
    doctor = creds.headers(Role.DOCTOR)
    url = f"/api/visits/{visit_id}"
    assert (
        client.post(f"{url}/examination/start", headers=creds.headers(Role.NURSE)).status_code
        == 403
    )
    started = client.post(f"{url}/examination/start", json={"reason": "Đau đầu"}, headers=doctor)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_examination"
    assert started.json()["examination"]["reason"] == "Đau đầu"
    notes = client.patch(
        f"{url}/examination", json={"examination_notes": "Tim đều, phổi trong"}, headers=doctor
    )
    assert notes.json()["examination"]["examination_notes"] == "Tim đều, phổi trong"

    not_main = client.put(f"{url}/diagnoses", json={"main": "B95.0"}, headers=doctor)
    assert not_main.status_code == 422
    assert _error(not_main)["field"] == "diagnoses"
    assert _error(not_main)["problems"][0]["code"] == "icd_not_main"
    warned = client.put(
        f"{url}/diagnoses", json={"main": "I10", "secondary": ["O80"]}, headers=doctor
    )
    assert warned.status_code == 409
    assert _error(warned)["problems"][0]["code"] == "icd_sex_mismatch"
    saved = client.put(
        f"{url}/diagnoses", json={"main": "I10", "secondary": ["E11"]}, headers=doctor
    )
    assert [d["icd_code"] for d in saved.json()["diagnoses"]] == ["I10", "E11"]

    no_date = client.post(f"{url}/conclude", json={"conclusion": "follow_up"}, headers=doctor)
    assert no_date.status_code == 422 and _error(no_date)["field"] == "follow_up_date"
    bad_kind = client.post(f"{url}/conclude", json={"conclusion": "maybe"}, headers=doctor)
    assert bad_kind.status_code == 422 and _error(bad_kind)["field"] == "conclusion"
    concluded = client.post(
        f"{url}/conclude",
        json={
            "conclusion": "follow_up",
            "follow_up_date": TOMORROW.isoformat(),
            "advice": "Uống thuốc đều, tái khám mang theo sổ",
        },
        headers=doctor,
    )
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["status"] == "concluded"
    assert concluded.json()["conclusion_vi"] == "Hẹn tái khám"

    record = client.get(f"{url}/examination", headers=creds.headers(Role.RECEPTIONIST))
    assert record.status_code == 200
    assert [s["step"] for s in record.json()["steps"]][-1] == "concluded"
    slip = client.get(f"{url}/follow-up.pdf", headers=doctor)
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    text = _pdf_text(slip.content)
    assert "GIẤY HẸN KHÁM LẠI" in text and TOMORROW.strftime("%d/%m/%Y") in text
    assert "I10 - Bệnh lý tăng huyết áp" in text and "NGUYỄN VĂN AN" in text
    no_referral = client.get(f"{url}/referral.pdf", headers=doctor)
    assert no_referral.status_code == 409 and _error(no_referral)["code"] == "no_referral"
    missing = client.get("/api/visits/999999/examination", headers=doctor)
    assert missing.status_code == 404


def test_icd10_search_route(setup) -> None:
    client, creds = setup
    response = client.get(
        "/api/catalog/icd10", params={"q": "tang huyet ap"}, headers=creds.headers(Role.DOCTOR)
    )
    assert response.status_code == 200
    assert response.json()[0]["code"] == "I10"
    by_code = client.get("/api/catalog/icd10?q=n70.0", headers=creds.headers(Role.NURSE))
    assert by_code.json()[0]["sex_only"] == "female"
    kiosk = client.get("/api/catalog/icd10?q=I10", headers=creds.headers(Role.KIOSK))
    assert kiosk.status_code == 403


def test_referral_paper_is_printed(setup, visit_id: int) -> None:
    client, creds = setup
    doctor = creds.headers(Role.DOCTOR)
    url = f"/api/visits/{visit_id}"
    client.post(f"{url}/examination/start", json={"reason": "Tiểu khó"}, headers=doctor)
    client.put(f"{url}/diagnoses", json={"main": "N40"}, headers=doctor)
    refused = client.post(f"{url}/conclude", json={"conclusion": "referral"}, headers=doctor)
    assert refused.status_code == 422 and _error(refused)["field"] == "referral_to"
    done = client.post(
        f"{url}/conclude",
        json={"conclusion": "referral", "referral_to": "Bệnh viện Chợ Rẫy"},
        headers=doctor,
    )
    assert done.status_code == 200, done.text
    paper = client.get(f"{url}/referral.pdf", headers=doctor)
    assert paper.status_code == 200 and paper.headers["content-type"] == "application/pdf"
    text = _pdf_text(paper.content)
    assert "GIẤY CHUYỂN TUYẾN" in text and "Bệnh viện Chợ Rẫy" in text
    assert "N40 - Tăng sản tuyến tiền liệt" in text


def test_the_queue_call_is_a_step_of_the_visit(db: Database, visit_id: int) -> None:
    from smarthis.queueing import service as queue
    from smarthis.queueing import setup as queue_setup
    from smarthis.security.principal import system_principal

    with db.session() as session:
        queue_setup.create_area(session, FACILITY, "KKB", "Khoa khám bệnh")
        queue_setup.create_service_point(
            session,
            FACILITY,
            code="PK-01",
            name="Phòng khám 1",
            kind="examination",
            area_code="KKB",
            prefix="K",
            room_label="101",
        )
    actor = system_principal(FACILITY)
    queue.issue_ticket_once(db, actor, queue.TicketRequest(point_code="PK-01", visit_id=visit_id))
    with db.session() as session:
        assert queue.call_next(session, actor, "PK-01") is not None
    doctor = _started(db, visit_id)
    with db.session() as session:
        record = exam.visit_record(session, doctor, visit_id)
    assert [(step, by) for step, _at, by in record.steps] == [
        ("registered", "t.receptionist"),
        ("called", "PK-01"),
        ("examination_started", doctor.name),
    ]


def test_bad_visit_ids_and_closed_visits(setup, db: Database, visit_id: int) -> None:
    client, creds = setup
    doctor = creds.headers(Role.DOCTOR)
    for bad in ("0", "-3", str(2**70)):
        response = client.get(f"/api/visits/{bad}/examination", headers=doctor)
        assert response.status_code in (404, 422), bad
    first = client.post(f"/api/visits/{visit_id}/examination/start", headers=doctor)
    again = client.post(f"/api/visits/{visit_id}/examination/start", headers=doctor)
    assert first.json()["examination"] == again.json()["examination"]
    long_code = client.put(
        f"/api/visits/{visit_id}/diagnoses", json={"secondary": ["X" * 500]}, headers=doctor
    )
    assert long_code.status_code == 422 and _error(long_code)["field"].startswith("secondary")
    client.put(f"/api/visits/{visit_id}/diagnoses", json={"main": "J06.9"}, headers=doctor)
    client.post(f"/api/visits/{visit_id}/conclude", json={"conclusion": "home"}, headers=doctor)
    late = client.post(
        f"/api/visits/{visit_id}/vitals", json={"pulse": 80}, headers=creds.headers(Role.NURSE)
    )
    assert late.status_code == 409 and _error(late)["code"] == "visit_closed"
