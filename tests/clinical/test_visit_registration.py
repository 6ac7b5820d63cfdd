"""Registering a visit checks the insurance card through the portal simulator over a real
socket; a portal outage or a slow portal never stops registration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from smarthis.clinical.service import VisitRequest, recheck_unverified, register_visit
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.security import service as security
from smarthis.security.permissions import Role
from tests.apphelpers import FACILITY, Credentials, client_for, make_app, sign_in_every_role

VALID_CARD = {
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1965-03-15",
    "sex": "male",
    "cccd": "048065001234",
    "bhyt_code": "DN4480123456789",
}


@pytest.fixture
def portal(bhxh_simulator) -> Iterator[BhxhPortalClient]:
    client = BhxhPortalClient(
        bhxh_simulator.base_url, "48001_BV", "sim-test-password", timeout_s=0.5
    )
    yield client
    client.close()
    bhxh_simulator.admin("POST", "/_sim/outage", {"down": False})


@pytest.fixture
def setup(db: Database, portal: BhxhPortalClient) -> tuple[TestClient, Credentials]:
    app = make_app(db, portal=portal)
    return client_for(app), sign_in_every_role(db)


def _register_patient(client: TestClient, creds: Credentials, **fields: str) -> int:
    response = client.post("/api/patients", json=fields, headers=creds.headers(Role.RECEPTIONIST))
    assert response.status_code == 201, response.text
    return response.json()["patient"]["id"]


def _visit(client: TestClient, creds: Credentials, role: Role = Role.RECEPTIONIST, **body):
    return client.post("/api/visits", json=body, headers=creds.headers(role))


def test_valid_card_is_verified_and_the_raw_answer_kept(db: Database, setup) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **VALID_CARD)
    response = _visit(client, creds, patient_id=patient_id)
    assert response.status_code == 201, response.text
    visit = response.json()
    assert visit["card_check_status"] == "verified"
    assert visit["card_check_code"] == "000"
    assert visit["card_check_status_vi"] == "Thẻ hợp lệ"
    from smarthis.clinical.models import Visit

    with db.session() as session:
        stored = session.get(Visit, visit["id"])
        assert '"maKetQua": "000"' in stored.card_check_raw


def test_answers_are_cached_per_card(setup, bhxh_simulator) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **VALID_CARD)
    before = bhxh_simulator.stats()["lookups"]
    for _ in range(3):
        assert _visit(client, creds, patient_id=patient_id).json()["card_check_code"] == "000"
    assert bhxh_simulator.stats()["lookups"] - before == 1


def test_outage_registers_unverified_then_background_recheck_catches_up(
    db: Database, setup, portal, bhxh_simulator
) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **VALID_CARD)
    bhxh_simulator.admin("POST", "/_sim/outage", {"down": True})
    visit = _visit(client, creds, patient_id=patient_id).json()
    assert visit["card_check_status"] == "not_verified"
    assert "kiểm tra lại" in visit["card_check_message"]
    listed = client.get("/api/visits/unverified", headers=creds.headers(Role.RECEPTIONIST))
    assert [v["id"] for v in listed.json()] == [visit["id"]]

    settings = Settings(database_url=db.url, facility_code=FACILITY)
    assert recheck_unverified(db, portal, settings) == {"not_verified": 1}
    bhxh_simulator.admin("POST", "/_sim/outage", {"down": False})
    assert recheck_unverified(db, portal, settings) == {"verified": 1}
    listed = client.get("/api/visits/unverified", headers=creds.headers(Role.RECEPTIONIST))
    assert listed.json() == []
    again = client.get(f"/api/visits/{visit['id']}", headers=creds.headers(Role.DOCTOR)).json()
    assert again["card_check_status"] == "verified" and again["card_check_attempts"] == 3


def test_slow_portal_does_not_hold_registration(setup) -> None:
    client, creds = setup
    patient_id = _register_patient(
        client,
        creds,
        full_name="Trương Công Danh",
        date_of_birth="1983-08-16",
        sex="male",
        bhyt_code="DN4484801000901",
    )
    visit = _visit(client, creds, patient_id=patient_id).json()
    assert visit["card_check_status"] == "not_verified"


def test_expired_card_means_self_pay(setup) -> None:
    client, creds = setup
    patient_id = _register_patient(
        client,
        creds,
        full_name="Phan Minh Khoa",
        date_of_birth="2008-10-09",
        sex="male",
        bhyt_code="HS4484801000110",
    )
    visit = _visit(client, creds, patient_id=patient_id).json()
    assert (visit["card_check_status"], visit["card_check_code"]) == ("rejected", "010")


def test_kiosk_checks_in_the_name_of_the_receptionist_on_duty(db: Database, setup, portal) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **VALID_CARD)
    with db.session() as session:
        kiosk = security.principal_from_bearer(session, creds.tokens[Role.KIOSK], "127.0.0.1")
    settings = Settings(database_url=db.url, facility_code=FACILITY)
    request = VisitRequest(patient_id=patient_id)
    no_officer = register_visit(db, kiosk, portal, settings, request)
    assert no_officer.card_check_status == "not_verified"
    assert "cán bộ trực" in no_officer.card_check_message
    assert no_officer.registered_via == "kiosk"
    with db.session() as session:
        security.set_on_duty(session, "dev-kiosk", "t.receptionist")
    on_duty = register_visit(db, kiosk, portal, settings, request)
    assert on_duty.card_check_status == "verified"
    assert on_duty.card_check_staff_cccd == "048188001234"


def test_retry_with_the_same_idempotency_key_gives_the_same_visit(setup) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **VALID_CARD)
    first = _visit(client, creds, patient_id=patient_id, idempotency_key="kiosk-01:abc12345")
    second = _visit(client, creds, patient_id=patient_id, idempotency_key="kiosk-01:abc12345")
    assert first.json()["id"] == second.json()["id"]


def test_self_paying_visit_needs_no_card(setup) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **{**VALID_CARD, "bhyt_code": None})
    visit = _visit(client, creds, patient_id=patient_id, use_insurance=False).json()
    assert visit["card_check_status"] == "not_requested"
    assert visit["proposed_category"] == "9"
    missing = _visit(client, creds, patient_id=patient_id)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "bhyt_code"


def test_verified_card_is_kept_on_the_patient_record(setup) -> None:
    client, creds = setup
    patient_id = _register_patient(client, creds, **{**VALID_CARD, "bhyt_code": None})
    visit = _visit(client, creds, patient_id=patient_id, bhyt_code="DN4480123456789").json()
    assert visit["card_check_status"] == "verified"
    patient = client.get(f"/api/patients/{patient_id}", headers=creds.headers(Role.DOCTOR))
    assert patient.json()["bhyt_code"] == "DN4480123456789"
    found = client.get(
        "/api/patients?q=4801234567", headers=creds.headers(Role.RECEPTIONIST)
    ).json()
    assert [p["id"] for p in found] == [patient_id]
