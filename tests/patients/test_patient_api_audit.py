"""The patient routes through HTTP, and the audit trail each leaves: who (login), what
(action), on which patient, from where (client address) and with what outcome."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from smarthis.db import Database
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role

QR = "048065001234|123456789|Nguyễn Văn An|15031965|Nam|Phường Hòa Minh, Đà Nẵng|15082021"
# Where the test client's requests come from, as the server sees it.
CLIENT_ADDRESS = "testclient"


@pytest.fixture
def creds(db: Database) -> Credentials:
    return sign_in_every_role(db)


@pytest.fixture
def client(db: Database, creds: Credentials) -> TestClient:
    return client_for(make_app(db))


def _audit(client: TestClient, creds: Credentials, patient_id: int) -> list[dict[str, Any]]:
    """The patient's audit entries, oldest first, as an administrator reads them."""
    response = client.get(
        "/api/audit", params={"patient_id": patient_id}, headers=creds.headers(Role.ADMIN)
    )
    assert response.status_code == 200, response.text
    return list(reversed(response.json()))


def _summary(entries: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(e["actor"], e["action"], e["source"], e["outcome"]) for e in entries]


def _identify(client: TestClient, creds: Credentials, qr_text: str = QR) -> dict[str, Any]:
    response = client.post(
        "/api/patients/identify",
        json={"qr_text": qr_text, "phone": "0905123456"},
        headers=creds.headers(Role.RECEPTIONIST),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_every_step_of_reception_is_audited_with_who_what_and_where(
    client: TestClient, creds: Credentials
) -> None:
    receptionist = creds.headers(Role.RECEPTIONIST)
    identified = _identify(client, creds)
    assert identified["created"] is True
    patient = identified["patient"]
    assert patient["full_name"] == "Nguyễn Văn An"
    assert (patient["date_of_birth"], patient["sex"]) == ("1965-03-15", "male")
    assert {"kind": "cccd", "value": "048065001234"} in patient["identifiers"]
    assert patient["mrn"] and not patient["is_temporary"]
    patient_id = patient["id"]

    again = _identify(client, creds)
    assert again["created"] is False and again["patient"]["id"] == patient_id

    found = client.get("/api/patients", params={"q": "nguyen van an"}, headers=receptionist)
    assert found.status_code == 200
    assert [p["id"] for p in found.json()] == [patient_id]

    read = client.get(f"/api/patients/{patient_id}", headers=creds.headers(Role.DOCTOR))
    assert read.status_code == 200
    assert read.json()["mrn"] == patient["mrn"]

    patched = client.patch(
        f"/api/patients/{patient_id}",
        json={"phone": "0912 345 678", "reason": "bệnh nhân đổi số"},
        headers=receptionist,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["phone"] == "0912345678"

    history = client.get(f"/api/patients/{patient_id}/history", headers=receptionist)
    assert history.status_code == 200
    (version,) = history.json()
    assert version["version"] == 1
    assert version["changed_by"] == "t.receptionist"
    assert version["reason"] == "bệnh nhân đổi số"
    assert version["before"]["phone"] == "0905123456"

    rec, doc = "t.receptionist", "t.doctor"
    assert _summary(_audit(client, creds, patient_id)) == [
        (rec, "patient.create", CLIENT_ADDRESS, "ok"),
        (rec, "patient.identify", CLIENT_ADDRESS, "ok"),
        (rec, "patient.search_hit", CLIENT_ADDRESS, "ok"),
        (doc, "patient.read", CLIENT_ADDRESS, "ok"),
        (rec, "patient.read", CLIENT_ADDRESS, "ok"),
        (rec, "patient.update", CLIENT_ADDRESS, "ok"),
        (rec, "patient.read", CLIENT_ADDRESS, "ok"),
    ]


def test_audit_of_an_update_names_the_changed_fields(
    client: TestClient, creds: Credentials
) -> None:
    patient_id = _identify(client, creds)["patient"]["id"]
    client.patch(
        f"/api/patients/{patient_id}",
        json={"phone": "0912345678", "address": "Quận Hải Châu"},
        headers=creds.headers(Role.NURSE),
    )
    (update,) = [e for e in _audit(client, creds, patient_id) if e["action"] == "patient.update"]
    assert update["actor"] == "t.nurse"
    assert '"address"' in update["detail"] and '"phone"' in update["detail"]


def test_doctor_may_not_merge_patients(client: TestClient, creds: Credentials) -> None:
    keep = _identify(client, creds)["patient"]["id"]
    duplicate = client.post(
        "/api/patients/temporary", json={"sex": "male"}, headers=creds.headers(Role.RECEPTIONIST)
    ).json()["id"]
    response = client.post(
        "/api/patients/merge",
        json={"duplicate_id": duplicate, "keep_id": keep, "reason": "trùng hồ sơ"},
        headers=creds.headers(Role.DOCTOR),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    still_there = client.get(f"/api/patients/{duplicate}", headers=creds.headers(Role.DOCTOR))
    assert still_there.json()["merged_into_id"] is None


def test_doctor_denied_a_merge_tool_on_a_patient_is_audited(
    client: TestClient, creds: Credentials
) -> None:
    patient_id = _identify(client, creds)["patient"]["id"]
    path = f"/api/patients/{patient_id}/possible-duplicates"
    response = client.get(path, headers=creds.headers(Role.DOCTOR))
    assert response.status_code == 403
    (denied,) = [e for e in _audit(client, creds, patient_id) if e["outcome"] == "denied"]
    assert (denied["actor"], denied["action"], denied["source"]) == (
        "t.doctor",
        f"denied GET {path}",
        CLIENT_ADDRESS,
    )
    allowed = client.get(path, headers=creds.headers(Role.RECEPTIONIST))
    assert allowed.status_code == 200


def test_denied_read_of_a_patient_is_audited(client: TestClient, creds: Credentials) -> None:
    patient_id = _identify(client, creds)["patient"]["id"]
    for device in (Role.DISPLAY_BOARD, Role.KIOSK):
        response = client.get(f"/api/patients/{patient_id}", headers=creds.headers(device))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    denied = [e for e in _audit(client, creds, patient_id) if e["outcome"] != "ok"]
    assert [(e["actor_kind"], e["actor"], e["outcome"]) for e in denied] == [
        ("device", "dev-display_board", "denied"),
        ("device", "dev-kiosk", "denied"),
    ]
    assert all(e["action"] == f"denied GET /api/patients/{patient_id}" for e in denied)
    assert all(e["source"] == CLIENT_ADDRESS for e in denied)


def test_receptionist_merges_a_temporary_identity_into_the_real_patient(
    client: TestClient, creds: Credentials
) -> None:
    receptionist = creds.headers(Role.RECEPTIONIST)
    keep = _identify(client, creds)["patient"]
    temporary = client.post(
        "/api/patients/temporary",
        json={"description": "nam, khoảng 60 tuổi", "sex": "male", "approx_age": 60},
        headers=receptionist,
    )
    assert temporary.status_code == 201
    duplicate = temporary.json()

    merged = client.post(
        "/api/patients/merge",
        json={"duplicate_id": duplicate["id"], "keep_id": keep["id"], "reason": "đã rõ danh tính"},
        headers=receptionist,
    )
    assert merged.status_code == 200, merged.text
    kinds = {i["kind"] for i in merged.json()["identifiers"]}
    assert kinds == {"cccd", "temporary"}
    gone = client.get(f"/api/patients/{duplicate['id']}", headers=receptionist).json()
    assert gone["merged_into_id"] == keep["id"]
    # Searching by the temporary label now finds the real patient only.
    label = next(i["value"] for i in duplicate["identifiers"] if i["kind"] == "temporary")
    found = client.get("/api/patients", params={"q": label}, headers=receptionist).json()
    assert [p["id"] for p in found] == [keep["id"]]

    merged_away = [e for e in _audit(client, creds, duplicate["id"]) if "merge" in e["action"]]
    kept = [e for e in _audit(client, creds, keep["id"]) if "merge" in e["action"]]
    assert _summary(merged_away) == [
        ("t.receptionist", "patient.merged_away", CLIENT_ADDRESS, "ok")
    ]
    assert _summary(kept) == [("t.receptionist", "patient.merge", CLIENT_ADDRESS, "ok")]
    assert "đã rõ danh tính" in kept[0]["detail"]
