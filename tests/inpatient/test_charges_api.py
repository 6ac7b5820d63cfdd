"""The supply and bed-day routes: who may use them, and what a discharged stay answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smarthis.db import Database, utcnow
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role
from tests.inpatient.helpers import conclude_admit, new_patient, new_visit, seed_wards


@pytest.fixture
def stay(db: Database) -> tuple[TestClient, Credentials, int]:
    creds = sign_in_every_role(db)
    seed_wards(db)
    with db.session() as s:
        an = new_patient(s, "Nguyễn Văn An", utcnow().date().replace(year=1970), "male")
        visit_id = new_visit(s, an).id
    conclude_admit(db, visit_id)
    client = client_for(make_app(db))
    created = client.post(
        "/api/inpatient/stays",
        json={"ward": "NOI", "visit_id": visit_id, "bed": "NOI-101-1"},
        headers=creds.headers(Role.NURSE),
    )
    assert created.status_code == 201, created.text
    return client, creds, created.json()["id"]


def _use(client: TestClient, creds: Credentials, sid: int, role: Role, **body: Any) -> Any:
    payload = {"code": "VT-BKT-10ML", "quantity": 2} | body
    return client.post(
        f"/api/inpatient/stays/{sid}/supplies", json=payload, headers=creds.headers(role)
    )


def test_nurses_record_supplies_cashiers_may_not(db: Database, stay) -> None:
    client, creds, sid = stay
    assert _use(client, creds, sid, Role.CASHIER).status_code == 403
    assert _use(client, creds, sid, Role.RECEPTIONIST).status_code == 403
    made = _use(client, creds, sid, Role.NURSE)
    assert made.status_code == 201, made.text
    assert made.json()["charge_status"] == "active"
    assert _use(client, creds, sid, Role.DOCTOR, code="VT-GAC-10X10", quantity=1).status_code == 201
    listed = client.get(f"/api/inpatient/stays/{sid}/supplies", headers=creds.headers(Role.NURSE))
    assert [u["code"] for u in listed.json()] == ["VT-GAC-10X10", "VT-BKT-10ML"]
    with db.session() as s:
        actions = set(s.execute(select(AuditEntry.action)).scalars())
    assert {"inpatient.supply_use", "inpatient.supply_read"} <= actions


def test_bad_supply_input_gets_a_clear_answer(stay) -> None:
    client, creds, sid = stay
    unknown = _use(client, creds, sid, Role.NURSE, code="VT-KHONG-CO")
    assert unknown.status_code == 404
    assert "VT-KHONG-CO" in unknown.json()["error"]["message"]
    assert _use(client, creds, sid, Role.NURSE, quantity=0).status_code == 422
    other = client.post(
        f"/api/inpatient/stays/{sid + 1}/supplies/1/cancel",
        json={"reason": "x"},
        headers=creds.headers(Role.NURSE),
    )
    assert other.status_code == 404


def test_cancel_then_discharge_then_409(stay) -> None:
    client, creds, sid = stay
    nurse, doctor = creds.headers(Role.NURSE), creds.headers(Role.DOCTOR)
    use_id = _use(client, creds, sid, Role.NURSE).json()["id"]
    cancelled = client.post(
        f"/api/inpatient/stays/{sid}/supplies/{use_id}/cancel",
        json={"reason": "Ghi nhầm số lượng"},
        headers=nurse,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["charge_status"]) == (
        "cancelled",
        "cancelled",
    )
    charged = client.post(f"/api/inpatient/stays/{sid}/bed-days", headers=nurse)
    assert charged.status_code == 200 and charged.json()["charged"] == 0  # admitted today
    left = client.post(
        f"/api/inpatient/stays/{sid}/discharge",
        json={"kind": "recovered_or_improved", "summary": "Ổn định"},
        headers=doctor,
    )
    assert left.status_code == 200, left.text
    late = _use(client, creds, sid, Role.NURSE)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "supply_after_discharge"
    assert "đã ra viện" in late.json()["error"]["message"]


def test_the_record_screen_has_the_supplies_and_bed_days_sections(stay) -> None:
    client, creds, sid = stay
    page = client.get(f"/inpatient/stays/{sid}", headers=creds.headers(Role.NURSE))
    assert page.status_code == 200
    for text in ("Vật tư y tế tiêu hao", "Tính tiền giường đến hôm nay", "inpatient-charges.js"):
        assert text in page.text
    catalogue = client.get("/api/inpatient/supplies", headers=creds.headers(Role.NURSE)).json()
    assert len(catalogue) >= 20 and all(item["hospital_price_vnd"] > 0 for item in catalogue)
