"""The bank simulator over real sockets: it pays the invoice's VietQR, SmartHIS's webhook
settles the invoice, and a replay of the same notification pays nothing more."""

from __future__ import annotations

import httpx
import pytest

from smarthis.billing.bank_simulator import create_bank_simulator_app
from smarthis.billing.models import Invoice, Payment
from smarthis.security.permissions import Role
from tests.apphelpers import make_app, sign_in_every_role
from tests.billing.conftest import Hospital, place, start_exam
from tests.servers import serve_in_thread

SECRET = "sim-webhook-secret"


@pytest.fixture
def servers(hospital: Hospital):
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ"])
    smarthis = serve_in_thread(make_app(hospital.db, bank_webhook_secret=SECRET))
    bank = serve_in_thread(
        create_bank_simulator_app(f"{smarthis.base_url}/api/bank/notifications", SECRET)
    )
    yield smarthis.base_url, bank.base_url
    bank.stop()
    smarthis.stop()


def test_the_simulated_bank_pays_a_vietqr_once(hospital: Hospital, servers) -> None:
    smarthis_url, bank_url = servers
    creds = sign_in_every_role(hospital.db)
    cashier = creds.headers(Role.CASHIER)
    with httpx.Client(timeout=10) as http:
        bill = http.get(
            f"{smarthis_url}/api/billing/visits/{hospital.visit_id}/invoice", headers=cashier
        ).json()["invoice"]
        qr = http.get(f"{smarthis_url}/api/billing/invoices/{bill['id']}/vietqr", headers=cashier)
        assert qr.status_code == 200, qr.text
        assert qr.json()["amount_vnd"] == bill["amount_due"]
        assert qr.json()["svg"].startswith("<svg")
        paid = http.post(f"{bank_url}/_sim/pay", json={"payload": qr.json()["payload"]}).json()
        assert paid["delivery"]["status_code"] == 200, paid
        assert paid["delivery"]["body"]["status"] == "confirmed"
        replay = http.post(
            f"{bank_url}/_sim/replay", json={"transaction_id": paid["transaction_id"]}
        ).json()
        assert replay["delivery"]["body"]["duplicate"] is True
        bad = http.post(f"{bank_url}/_sim/pay", json={"payload": qr.json()["payload"][:-1] + "0"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "vietqr_bad_crc"
        after = http.get(f"{smarthis_url}/api/billing/invoices/{bill['id']}", headers=cashier)
        assert after.json()["status"] == "paid"
    with hospital.db.session() as s:
        invoice = s.get(Invoice, bill["id"])
        assert invoice.paid_vnd == bill["amount_due"]
        assert len(s.query(Payment).all()) == 1


def test_a_wrong_secret_is_refused_by_smarthis(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    smarthis = serve_in_thread(make_app(hospital.db, bank_webhook_secret=SECRET))
    bank = serve_in_thread(
        create_bank_simulator_app(f"{smarthis.base_url}/api/bank/notifications", "wrong")
    )
    try:
        from smarthis.billing.vietqr import make_payload

        payload = make_payload("970436", "0011004567890", 45000, "HD26112600001V1")
        paid = httpx.post(f"{bank.base_url}/_sim/pay", json={"payload": payload}, timeout=10)
        assert paid.json()["delivery"]["status_code"] == 401
    finally:
        bank.stop()
        smarthis.stop()
