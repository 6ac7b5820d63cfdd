"""The pharmacy's JSON routes and page as the pharmacist uses them: the queue, a
prescription with its lots, dispensing (and its refusals, audited), the stock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smarthis.db import Database
from smarthis.queueing import service as queue
from smarthis.queueing.setup import create_service_point
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role
from tests.billing.conftest import FACILITY, _rooms
from tests.pharmacy.test_dispensing import DOCTOR, TODAY, pay, prescribe, receive


@pytest.fixture
def desk(db: Database) -> tuple[TestClient, Credentials]:
    with db.session() as s:
        _rooms(s)
    return client_for(make_app(db)), sign_in_every_role(db)


def test_the_pharmacist_dispenses_a_paid_prescription_once(db: Database, desk) -> None:
    client, creds = desk
    pharmacist = creds.headers(Role.PHARMACIST)
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20})
    receive(db, "T-PARA500", "P-SOON", TODAY + timedelta(days=30), 15)
    receive(db, "T-PARA500", "P-LATE", TODAY + timedelta(days=400), 100)

    queue = client.get("/api/pharmacy/queue", headers=pharmacist).json()
    assert [(e["prescription_id"], e["payment"]["state"]) for e in queue] == [
        (rx.prescription_id, "waiting")
    ]
    refused = client.post(
        f"/api/pharmacy/prescriptions/{rx.prescription_id}/dispense", headers=pharmacist
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "prescription_not_paid"

    pay(db, rx)
    shown = client.get(f"/api/pharmacy/prescriptions/{rx.prescription_id}", headers=pharmacist)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["may_dispense"] is True and body["payment"]["label_vi"] == "Đã thanh toán"
    assert [(t["lot_number"], t["quantity"]) for t in body["items"][0]["takes"]] == [
        ("P-SOON", 15),
        ("P-LATE", 5),
    ]
    done = client.post(
        f"/api/pharmacy/prescriptions/{rx.prescription_id}/dispense", headers=pharmacist
    )
    assert done.status_code == 200, done.text
    assert done.json()["dispensed"]["by"] == "t.pharmacist"
    assert [g["lot_number"] for g in done.json()["dispensed"]["given"]] == ["P-SOON", "P-LATE"]
    again = client.post(
        f"/api/pharmacy/prescriptions/{rx.prescription_id}/dispense", headers=pharmacist
    )
    assert again.status_code == 409
    assert "đã được phát" in again.json()["error"]["message"]
    assert client.get("/api/pharmacy/queue", headers=pharmacist).json() == []
    with db.session() as s:
        outcomes = s.execute(
            select(AuditEntry.outcome, AuditEntry.detail, AuditEntry.patient_id)
            .where(AuditEntry.action == "pharmacy.dispense")
            .order_by(AuditEntry.id)
        ).all()
    assert [o for o, _, _ in outcomes] == ["refused", "ok", "refused"]
    assert "prescription_not_paid" in outcomes[0][1]
    assert all(patient == rx.patient_id for _, _, patient in outcomes)


def test_out_of_stock_is_shown_before_the_button_is_pressed(db: Database, desk) -> None:
    client, creds = desk
    pharmacist = creds.headers(Role.PHARMACIST)
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20, "T-OMEP20": 14})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    pay(db, rx)
    body = client.get(f"/api/pharmacy/prescriptions/{rx.prescription_id}", headers=pharmacist)
    body = body.json()
    assert body["may_dispense"] is False
    assert body["items"][1]["shortage"] == {"needed": 14, "available": 0}
    assert body["out_of_stock_vi"].startswith("Hết hàng: Omeprazol 20 mg (cần 14 viên, còn 0)")
    refused = client.post(
        f"/api/pharmacy/prescriptions/{rx.prescription_id}/dispense", headers=pharmacist
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "pharmacy_out_of_stock"


def test_unknown_prescriptions_and_bad_ids_are_404(desk) -> None:
    client, creds = desk
    pharmacist = creds.headers(Role.PHARMACIST)
    for pid in ("999999", str(2**63)):
        response = client.get(f"/api/pharmacy/prescriptions/{pid}", headers=pharmacist)
        assert response.status_code == 404, response.text
        response = client.post(f"/api/pharmacy/prescriptions/{pid}/dispense", headers=pharmacist)
        assert response.status_code == 404, response.text


def test_receiving_and_listing_stock(db: Database, desk) -> None:
    client, creds = desk
    pharmacist = creds.headers(Role.PHARMACIST)
    lot = {
        "drug_code": "T-OMEP20",
        "lot_number": "om-2601",
        "expiry_date": (TODAY + timedelta(days=45)).isoformat(),
        "quantity": 12,
    }
    created = client.post("/api/pharmacy/stock", json=lot, headers=pharmacist)
    assert created.status_code == 201, created.text
    assert created.json()["lot_number"] == "OM-2601" and created.json()["expiring_soon"] is True
    for change, field in (
        ({"quantity": 0}, "quantity"),
        ({"expiry_date": "2020-01-01"}, "expiry_date"),
        ({"expiry_date": "31/12/2027"}, "expiry_date"),
        ({"drug_code": "T-KHONGCO"}, "drug_code"),
    ):
        response = client.post("/api/pharmacy/stock", json={**lot, **change}, headers=pharmacist)
        assert 400 <= response.status_code < 500, response.text
        assert field in response.text
    listing = client.get("/api/pharmacy/stock", headers=pharmacist).json()
    omeprazol = next(d for d in listing["drugs"] if d["drug_code"] == "T-OMEP20")
    assert omeprazol["usable"] == 12 and omeprazol["low"] is True
    assert omeprazol["expiring_soon"] is True
    assert client.get("/api/pharmacy/stock", headers=creds.headers(Role.DOCTOR)).status_code == 403
    cashier = creds.headers(Role.CASHIER)
    assert client.post("/api/pharmacy/stock", json=lot, headers=cashier).status_code == 403


def test_the_pharmacist_page_is_in_vietnamese_and_only_for_the_pharmacy(desk) -> None:
    client, creds = desk
    page = client.get("/pharmacy", headers=creds.headers(Role.PHARMACIST))
    assert page.status_code == 200
    assert "Đơn chờ phát thuốc" in page.text and "Phát thuốc" in page.text
    assert "Nhập lô thuốc" in page.text
    assert client.get("/pharmacy", headers=creds.headers(Role.DOCTOR)).status_code == 403
    home = client.get("/", headers=creds.headers(Role.PHARMACIST))
    assert 'href="/pharmacy"' in home.text and "Phát thuốc ngoại trú" in home.text


def test_the_queue_shows_the_patients_number_at_the_pharmacy_counter(db: Database, desk) -> None:
    client, creds = desk
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 10}, name="Đỗ Văn Em")
    with db.session() as s:
        create_service_point(
            s,
            FACILITY,
            code="NT-01",
            name="Quầy phát thuốc BHYT",
            kind="pharmacy",
            area_code="KKB",
            prefix="F",
            queue_group="NT-01",
            room_label="Quầy 7",
            specialty=None,
            default_service_minutes=3,
        )
        ticket = queue.issue_ticket(
            s,
            DOCTOR,
            queue.TicketRequest(
                point_code="NT-01",
                visit_id=rx.visit_id,
                patient_id=rx.patient_id,
                full_name="Đỗ Văn Em",
            ),
        )
        number = ticket.display_number
    (entry,) = client.get("/api/pharmacy/queue", headers=creds.headers(Role.PHARMACIST)).json()
    assert entry["pharmacy_ticket"] == number and number.startswith("F-")
    assert entry["patient"]["name"] == "Đỗ Văn Em"
