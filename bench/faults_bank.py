"""Fault scenario `bank`: patients pay their VietQR while SmartHIS is down.

The product's promise: money the bank took is never lost and never counted twice. The bank
re-sends a notification nobody acknowledged (smarthis/billing/bank_simulator.py `Retry`), and
SmartHIS records a transfer once per bank transaction id, whatever the number of deliveries.

1. Patients register at the kiosks, the doctor opens each visit (the examination fee is
   charged); the cashier's API gives each visit's invoice and its VietQR payload.
2. The app is killed (SIGKILL); the bank simulator pays every QR: each payment is
   acknowledged to the payer by the bank, and its notification fails (no answer).
3. The app comes back on the same port; the bank's retries land.
4. Then the bank replays every notification once more (banks do resend): nothing changes.
5. Read back: one payment row per bank transaction, on its invoice, for the QR's amount,
   the invoice paid, and no invoice with two applied payments.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from bench.faults_clinic import CASHIER, Clinic, SetupFailed, clinic, patients_in_examination
from bench.faults_clinic import sign_in as staff_headers
from bench.faults_kiosk import duplicate_ticket_numbers
from bench.servers import free_port
from smarthis.billing.bank_simulator import Retry, create_bank_simulator_app
from smarthis.billing.models import Invoice, Payment
from smarthis.db import Database

WEBHOOK_SECRET = "faults-bank-webhook-secret"
# The bank's re-delivery pace for the run: seconds, not the minutes a real bank may wait.
BANK_RETRY = Retry(first_delay_s=0.5, max_delay_s=2.0, attempts=200)
CATCH_UP_TIMEOUT_S = 60.0
CLIENT_TIMEOUT_S = 10.0


@dataclass
class Invoiced:
    invoice_id: int
    amount: int
    payload: str
    transaction_id: str | None = None  # once the bank has taken the money


@dataclass
class BankReport:
    scenario: str
    database: str
    acknowledged: int  # payments the bank made (and told the payer about)
    found: int  # of those, recorded once on the right invoice, for the right amount
    lost: int
    duplicate_payments: int  # payment rows beyond one per transaction, or per paid invoice
    duplicate_tickets: int  # ticket numbers given twice, as in `kill`
    errors: list[str] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.acknowledged > 0
            and self.lost == 0
            and self.duplicate_payments == 0
            and self.duplicate_tickets == 0
            and not self.errors
        )


class BankSimulator:
    """The bank simulator served from a thread of this process, on its own 127.0.0.1 port."""

    def __init__(self, webhook_url: str) -> None:
        self.port = free_port()
        app = create_bank_simulator_app(webhook_url, WEBHOOK_SECRET, BANK_RETRY)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BankSimulator:
        self._thread.start()
        end = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > end:
                raise SetupFailed("the bank simulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def transactions(self) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.base_url}/_sim/transactions", timeout=CLIENT_TIMEOUT_S)
        return list(answer.raise_for_status().json()["transactions"])


def invoices_to_pay(place: Clinic, visit_ids: list[int]) -> list[Invoiced]:
    cashier = staff_headers(place.app.base_url, CASHIER, place.hospital.staff_password)
    found: list[Invoiced] = []
    with httpx.Client(
        base_url=place.app.base_url, headers=cashier, timeout=CLIENT_TIMEOUT_S
    ) as client:
        for visit_id in visit_ids:
            invoice = client.get(f"/api/billing/visits/{visit_id}/invoice").raise_for_status()
            bill = invoice.json()["invoice"]
            if bill is None or bill["amount_due"] <= 0:
                continue  # nothing for the patient to pay (the fund pays it all)
            qr = client.get(f"/api/billing/invoices/{bill['id']}/vietqr").raise_for_status()
            found.append(Invoiced(bill["id"], qr.json()["amount_vnd"], qr.json()["payload"]))
    if not found:
        raise SetupFailed("no invoice with an amount to pay")
    return found


def pay_all(bank: BankSimulator, bills: list[Invoiced]) -> tuple[int, list[str]]:
    """The bank pays each QR; returns how many first deliveries failed, and any refusal."""
    failed_deliveries = 0
    errors: list[str] = []
    with httpx.Client(base_url=bank.base_url, timeout=CLIENT_TIMEOUT_S) as client:
        for bill in bills:
            paid = client.post("/_sim/pay", json={"payload": bill.payload})
            if paid.status_code != 200:
                errors.append(f"bank refused invoice {bill.invoice_id}: {paid.text[:200]}")
                continue
            bill.transaction_id = paid.json()["transaction_id"]
            failed_deliveries += paid.json()["delivery"]["status_code"] is None
    return failed_deliveries, errors


def replay_all(bank: BankSimulator, bills: list[Invoiced]) -> int:
    """Every notification once more; returns how many SmartHIS answered as a duplicate."""
    duplicates = 0
    with httpx.Client(base_url=bank.base_url, timeout=CLIENT_TIMEOUT_S) as client:
        for bill in bills:
            if bill.transaction_id is None:
                continue
            again = client.post("/_sim/replay", json={"transaction_id": bill.transaction_id})
            body = again.json()["delivery"].get("body") or {}
            duplicates += isinstance(body, dict) and body.get("duplicate") is True
    return duplicates


def run_bank(url: str, payments: int, work_dir: Path) -> BankReport:
    env = {"SMARTHIS_BANK_WEBHOOK_SECRET": WEBHOOK_SECRET}
    with clinic(url, work_dir, payments, env) as place:
        visit_ids = patients_in_examination(place, payments, "bank", self_paying=True)
        bills = invoices_to_pay(place, visit_ids)
        bank = BankSimulator(f"{place.app.base_url}/api/bank/notifications").start()
        try:
            place.app.kill()  # SIGKILL: the webhook has nobody to answer it
            place.app.process.wait(timeout=10)
            failed_first, errors = pay_all(bank, bills)
            restart_at = time.monotonic()
            place.restart_app()
            notes: dict[str, object] = {
                "first_deliveries_failed": failed_first,
                "restart_s": round(time.monotonic() - restart_at, 2),
            }
            end = time.monotonic() + CATCH_UP_TIMEOUT_S
            while time.monotonic() < end:
                if all(t["acknowledged"] for t in bank.transactions()):
                    break
                time.sleep(0.3)
            sent = bank.transactions()
            # From the restart's beginning to the last notification acknowledged.
            notes["catch_up_s"] = round(time.monotonic() - restart_at, 2)
            notes["bank_deliveries"] = sum(len(t["answers"]) for t in sent)
            notes["unacknowledged_at_bank"] = sum(not t["acknowledged"] for t in sent)
            notes["replays_answered_duplicate"] = replay_all(bank, bills)
        finally:
            bank.stop()
        return _check(place.db, bills, errors, notes)


def _check(
    db: Database, bills: list[Invoiced], errors: list[str], notes: dict[str, object]
) -> BankReport:
    paid = [b for b in bills if b.transaction_id is not None]
    with db.session() as session:
        rows = session.execute(
            select(Payment).where(Payment.bank_transaction_id.in_([b.transaction_id for b in paid]))
        ).scalars()
        by_transaction: dict[str, list[Payment]] = {}
        for row in rows:
            by_transaction.setdefault(str(row.bank_transaction_id), []).append(row)
        applied_per_invoice = Counter(
            p.invoice_id for rows in by_transaction.values() for p in rows if p.applied
        )
        found = 0
        for bill in paid:
            recorded = by_transaction.get(str(bill.transaction_id), [])
            invoice = session.get(Invoice, bill.invoice_id)
            if (
                len(recorded) == 1
                and recorded[0].invoice_id == bill.invoice_id
                and recorded[0].amount_vnd == bill.amount
                and recorded[0].applied
                and invoice is not None
                and invoice.status == "paid"
                and invoice.paid_vnd == bill.amount
            ):
                found += 1
        duplicate_tickets = duplicate_ticket_numbers(session)
    notes["invoices"] = len(bills)
    return BankReport(
        scenario="bank",
        database=db.engine.dialect.name,
        acknowledged=len(paid),
        found=found,
        lost=len(paid) - found,
        duplicate_payments=sum(len(r) - 1 for r in by_transaction.values())
        + sum(n - 1 for n in applied_per_invoice.values()),
        duplicate_tickets=duplicate_tickets,
        errors=errors,
        notes=notes,
    )
