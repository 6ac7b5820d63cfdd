"""At the cashier: cash and card payments with a receipt (PDF and ESC/POS), the visit's
"paid" step, refunds and cancellations with reasons in the audit log, only for the
cashier or an admin, and the day-end reconciliation per cashier and method."""

from __future__ import annotations

import io

import pypdf
import pytest
from sqlalchemy import select

from smarthis.billing import payments
from smarthis.billing.receipt import receipt_rows
from smarthis.billing.receipt_print import receipt_escpos_bytes
from smarthis.clinical.examination_models import VisitStep
from smarthis.config import Settings
from smarthis.errors import DomainError
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.billing.conftest import CASHIER, Hospital, current, place, start_exam


@pytest.fixture
def api(hospital: Hospital):
    client, creds = client_for(make_app(hospital.db)), sign_in_every_role(hospital.db)
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ"])
    return client, creds


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_cash_payment_gives_a_receipt_and_the_paid_step(hospital: Hospital, api) -> None:
    client, creds = api
    cashier = creds.headers(Role.CASHIER)
    found = client.get("/api/billing/visits", params={"q": "Nguyễn Văn An"}, headers=cashier)
    assert found.status_code == 200, found.text
    assert [v["id"] for v in found.json()["visits"]] == [hospital.visit_id]
    bill = client.get(f"/api/billing/visits/{hospital.visit_id}/invoice", headers=cashier).json()
    invoice = bill["invoice"]
    assert invoice["status"] == "open" and invoice["muc_huong"] == 80
    assert "80%" in invoice["lines"][1]["explanation_vi"]
    wrong = client.post(
        f"/api/billing/invoices/{invoice['id']}/payments",
        json={"method": "cash", "amount_vnd": invoice["amount_due"] - 1},
        headers=cashier,
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "amount_vnd"
    paid = client.post(
        f"/api/billing/invoices/{invoice['id']}/payments",
        json={"method": "cash", "amount_vnd": invoice["amount_due"]},
        headers=cashier,
    )
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert body["invoice"]["status"] == "paid" and body["invoice"]["remaining_vnd"] == 0
    assert body["payment"]["receipt_number"].startswith("BL")
    pdf = client.get(body["receipt_pdf"], headers=cashier)
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "BIÊN LAI THU TIỀN" in text and "Nguyễn Văn An" in text
    assert f"{invoice['amount_due']:,}".replace(",", ".") in text
    with hospital.db.session() as s:
        steps = s.execute(select(VisitStep.step).where(VisitStep.visit_id == hospital.visit_id))
        assert "paid" in steps.scalars().all()
        payment = payments.payment_for(s, CASHIER, body["payment"]["id"])
        job = receipt_escpos_bytes(receipt_rows(s, Settings(), payment))
    assert job.startswith(b"\x1b@") and b"\x1dv0" in job  # ESC @, then a raster image


def test_card_needs_the_pos_approval_code(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    invoice = current(hospital.db, hospital.visit_id)
    with hospital.db.session() as s, pytest.raises(DomainError) as refused:
        payments.collect_at_counter(s, CASHIER, invoice.id, "card", invoice.amount_due)
    assert refused.value.field == "card_reference"


def test_refund_needs_a_reason_the_role_and_is_audited(hospital: Hospital, api) -> None:
    client, creds = api
    cashier = creds.headers(Role.CASHIER)
    invoice = client.get(f"/api/billing/visits/{hospital.visit_id}/invoice", headers=cashier)
    invoice = invoice.json()["invoice"]
    payment = client.post(
        f"/api/billing/invoices/{invoice['id']}/payments",
        json={"method": "card", "amount_vnd": invoice["amount_due"], "card_reference": "AP123"},
        headers=cashier,
    ).json()["payment"]
    url = f"/api/billing/payments/{payment['id']}/refunds"
    body = {"amount_vnd": invoice["amount_due"], "reason": "Huỷ chụp CT do bệnh nhân dị ứng"}
    assert client.post(url, json=body, headers=creds.headers(Role.DOCTOR)).status_code == 403
    short = client.post(url, json={**body, "reason": "x"}, headers=cashier)
    assert short.status_code == 422 and short.json()["error"]["field"] == "reason"
    too_much = client.post(
        url, json={**body, "amount_vnd": body["amount_vnd"] + 1}, headers=cashier
    )
    assert too_much.status_code == 422
    done = client.post(url, json={**body, "method": "card"}, headers=cashier)
    assert done.status_code == 201, done.text
    assert done.json()["payment"]["refunded_vnd"] == invoice["amount_due"]
    after = client.get(f"/api/billing/invoices/{invoice['id']}", headers=cashier).json()
    assert after["status"] == "refunded" and after["paid_vnd"] == 0
    with hospital.db.session() as s:
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "billing.refund")
        ).scalar_one()
    assert entry.actor == "t.cashier" and "dị ứng" in entry.detail
    assert entry.patient_id == hospital.patient_id


def test_cancel_an_unpaid_invoice_with_a_reason(hospital: Hospital, api) -> None:
    client, creds = api
    cashier = creds.headers(Role.CASHIER)
    invoice = client.get(f"/api/billing/visits/{hospital.visit_id}/invoice", headers=cashier)
    invoice_id = invoice.json()["invoice"]["id"]
    url = f"/api/billing/invoices/{invoice_id}/cancel"
    assert (
        client.post(
            url, json={"reason": "Bệnh nhân về"}, headers=creds.headers(Role.RECEPTIONIST)
        ).status_code
        == 403
    )
    done = client.post(url, json={"reason": "Bệnh nhân bỏ về, không làm CT"}, headers=cashier)
    assert done.status_code == 200 and done.json()["status"] == "voided"
    again = client.post(url, json={"reason": "lần nữa"}, headers=cashier)
    assert again.status_code == 409
    with hospital.db.session() as s:
        actions = s.execute(select(AuditEntry.action)).scalars().all()
    assert "billing.cancel" in actions


def test_day_end_sums_per_cashier_and_method(hospital: Hospital, api) -> None:
    client, creds = api
    cashier, admin = creds.headers(Role.CASHIER), creds.headers(Role.ADMIN)
    invoice = client.get(f"/api/billing/visits/{hospital.visit_id}/invoice", headers=cashier)
    invoice = invoice.json()["invoice"]
    payment = client.post(
        f"/api/billing/invoices/{invoice['id']}/payments",
        json={"method": "cash", "amount_vnd": invoice["amount_due"]},
        headers=cashier,
    ).json()["payment"]
    client.post(
        f"/api/billing/payments/{payment['id']}/refunds",
        json={"amount_vnd": 10000, "reason": "Trả lại tiền thu nhầm", "method": "cash"},
        headers=admin,
    )
    report = client.get("/api/billing/day-end", headers=cashier)
    assert report.status_code == 200, report.text
    data = report.json()
    assert data["received_vnd"] == invoice["amount_due"] and data["refunded_vnd"] == 10000
    assert data["net_vnd"] == invoice["amount_due"] - 10000
    by_cashier = {c["cashier"]: c for c in data["cashiers"]}
    assert by_cashier["t.cashier"]["methods"] == [
        {
            "method": "cash",
            "payments": 1,
            "received_vnd": invoice["amount_due"],
            "refunds": 0,
            "refunded_vnd": 0,
            "net_vnd": invoice["amount_due"],
        }
    ]
    assert by_cashier["t.admin"]["methods"][0]["refunded_vnd"] == 10000
    other_day = client.get("/api/billing/day-end", params={"day": "2020-01-01"}, headers=cashier)
    assert other_day.json()["received_vnd"] == 0
