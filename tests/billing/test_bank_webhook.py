"""The bank's credit notification: refused unless signed with the shared secret, paid once
however often it is replayed (also concurrently), matched by reference and amount, and
anything unusual (partial, over-paid, unknown reference) recorded and flagged."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from smarthis.billing import bank_webhook
from smarthis.billing.models import Invoice, Payment
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.billing.conftest import Hospital, current, place, start_exam

SECRET = "test-webhook-secret"
ACCOUNT = "0011004567890"


@pytest.fixture
def bank(hospital: Hospital):
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ"])
    app = make_app(hospital.db, bank_webhook_secret=SECRET, bank_account=ACCOUNT)
    return client_for(app), current(hospital.db, hospital.visit_id)


def notify(client, body: dict[str, Any], secret: str = SECRET, signature: str | None = None):
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    headers[bank_webhook.SIGNATURE_HEADER] = signature or bank_webhook.sign(secret, raw)
    return client.post("/api/bank/notifications", content=raw, headers=headers)


def credit(invoice: Invoice, amount: int | None = None, txn: str = "FT0001") -> dict[str, Any]:
    return {
        "transaction_id": txn,
        "account": ACCOUNT,
        "amount": invoice.amount_due if amount is None else amount,
        "description": f"{invoice.payment_reference} thanh toan vien phi",
    }


def _invoice(h: Hospital, invoice_id: int) -> Invoice:
    with h.db.session() as s:
        return s.get(Invoice, invoice_id)


def test_bad_or_missing_signature_is_refused(hospital: Hospital, bank) -> None:
    client, invoice = bank
    bad = notify(client, credit(invoice), secret="someone-else")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "bank_signature_invalid"
    raw = json.dumps(credit(invoice)).encode()
    missing = client.post("/api/bank/notifications", content=raw)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "bank_signature_missing"
    assert _invoice(hospital, invoice.id).status == "open"
    malformed = notify(client, {"transaction_id": "x y", "amount": -1})
    assert malformed.status_code == 422


def test_replayed_notification_pays_once(hospital: Hospital, bank) -> None:
    client, invoice = bank
    first = notify(client, credit(invoice))
    assert first.status_code == 200, first.text
    assert first.json()["duplicate"] is False and first.json()["status"] == "confirmed"
    again = notify(client, credit(invoice))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["payment_id"] == first.json()["payment_id"]
    paid = _invoice(hospital, invoice.id)
    assert (paid.status, paid.paid_vnd) == ("paid", invoice.amount_due)


def test_partial_then_rest_then_over_payment_are_flagged(hospital: Hospital, bank) -> None:
    client, invoice = bank
    partial = notify(client, credit(invoice, amount=100000, txn="FT-A")).json()
    assert (partial["status"], partial["review_reason"]) == ("needs_review", "partial")
    assert _invoice(hospital, invoice.id).status == "open"
    rest = notify(client, credit(invoice, amount=invoice.amount_due - 100000, txn="FT-B")).json()
    assert rest["status"] == "confirmed"
    assert _invoice(hospital, invoice.id).status == "paid"
    late = notify(client, credit(invoice, amount=5000, txn="FT-C")).json()
    assert (late["status"], late["review_reason"]) == ("needs_review", "invoice_not_open")
    assert _invoice(hospital, invoice.id).paid_vnd == invoice.amount_due  # not counted


def test_over_payment_settles_the_invoice_and_is_flagged(hospital: Hospital, bank) -> None:
    client, invoice = bank
    over = notify(client, credit(invoice, amount=invoice.amount_due + 20000)).json()
    assert (over["status"], over["review_reason"]) == ("needs_review", "overpaid")
    assert _invoice(hospital, invoice.id).status == "paid"


def test_unknown_reference_is_kept_and_flagged_for_the_cashier(hospital: Hospital, bank) -> None:
    client, invoice = bank
    body = {**credit(invoice), "description": "chuyen tien kham benh"}
    answer = notify(client, body).json()
    assert (answer["status"], answer["review_reason"], answer["invoice_id"]) == (
        "needs_review",
        "unknown_reference",
        None,
    )
    creds = sign_in_every_role(hospital.db)
    flagged = client.get("/api/billing/payments/review", headers=creds.headers(Role.CASHIER))
    assert [p["review_reason"] for p in flagged.json()["payments"]] == ["unknown_reference"]
    done = client.post(
        f"/api/billing/payments/{answer['payment_id']}/reviewed",
        json={"note": "Đã gọi người chuyển, hoàn tiền"},
        headers=creds.headers(Role.CASHIER),
    )
    assert done.status_code == 200 and done.json()["status"] == "reviewed"


def test_concurrent_notifications_for_one_invoice_settle_once(hospital: Hospital, bank) -> None:
    _, invoice = bank
    note = bank_webhook.BankNotification(**credit(invoice, txn="FT-RACE"))
    other = bank_webhook.BankNotification(**credit(invoice, txn="FT-OTHER"))

    def deliver(n: bank_webhook.BankNotification) -> bool:
        with hospital.db.session() as s:
            return bank_webhook.receive(s, "48001", ACCOUNT, n).duplicate

    with ThreadPoolExecutor(max_workers=8) as pool:
        duplicates = list(pool.map(deliver, [note] * 6 + [other] * 2))
    assert duplicates.count(False) == 2  # one per bank transaction
    with hospital.db.session() as s:
        rows = s.execute(select(Payment).order_by(Payment.id)).scalars().all()
        assert len(rows) == 2
        assert sorted(p.status for p in rows) == ["confirmed", "needs_review"]
        assert s.execute(select(func.count(Invoice.id))).scalar_one() == 1
        settled = s.get(Invoice, invoice.id)
        assert settled.status == "paid" and settled.paid_vnd == invoice.amount_due


def test_a_paid_invoice_is_never_voided_by_a_recompute_racing_it(hospital: Hospital, bank) -> None:
    """The bank pays version 1 while a screen recomputes the bill after a new order: either
    the payment lands first (version 1 stays paid, the new charge gets its own invoice) or
    the recompute does (the payment finds a voided invoice and is flagged), never a voided
    invoice holding counted money."""
    _, invoice = bank
    place(hospital.db, hospital.visit_id, ["XN-GLU"])
    note = bank_webhook.BankNotification(**credit(invoice, txn="FT-RACE-2"))

    def pay() -> None:
        with hospital.db.session() as s:
            bank_webhook.receive(s, "48001", ACCOUNT, note)

    def recompute() -> None:
        current(hospital.db, hospital.visit_id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(pay), pool.submit(recompute), pool.submit(recompute)]:
            future.result()
    with hospital.db.session() as s:
        payment = s.execute(select(Payment)).scalar_one()
        counted = s.get(Invoice, invoice.id)
        if payment.applied:
            assert counted.status == "paid" and counted.paid_vnd == invoice.amount_due
        else:
            assert counted.status == "voided" and counted.paid_vnd == 0
            assert payment.review_reason == "invoice_not_open"
