"""Fault scenario `lis`: the laboratory system is down while doctors order lab tests.

The product's promise: an order is accepted whatever the LIS is doing (it is written with
its HL7 message in the outbox, in one transaction), and once the LIS is back every order
reaches it exactly once, without anyone resending by hand; the results then come back.

1. The app runs with the LIS address pointing at a port where nothing listens yet.
2. Patients register at the kiosks, the doctor opens each visit and orders lab tests
   through the API: each 201 is an acknowledged order.
3. The outbox keeps trying (every message has failed at least once while the LIS is down).
4. The LIS simulator (`LisSimulator`, MLLP on a real socket) starts on that port, with our
   results listener (its own process) as the address for results.
5. Within a bounded time the outbox must be empty of unsent rows; the simulator's log of
   control IDs (MSH-10) and placer numbers (OBR-2) must hold each order exactly once.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.faults_clinic import DOCTOR, Clinic, clinic, patients_in_examination, sign_in
from bench.faults_kiosk import duplicate_ticket_numbers
from bench.hl7_bench import start_listener
from smarthis.db import Database
from smarthis.integrations.hl7.outbound import CHANNEL
from smarthis.integrations.hl7.simulator import LisSimulator, read_order
from smarthis.integrations.outbox import OutboxMessage
from smarthis.orders.models import LabResult, OrderItem

LAB_TESTS = ["XN-GLU", "XN-CBC"]  # one chemistry test, one blood count: two OBR per message
CATCH_UP_TIMEOUT_S = 60.0
DOWN_TIMEOUT_S = 30.0
RESULT_DELAY_S = 0.2
# The outbox's pace for the run: quick polls and a short back-off cap, so catching up is
# bounded by seconds (the product's defaults back off up to five minutes).
OUTBOX_ENV = {
    "SMARTHIS_OUTBOX_POLL_INTERVAL_S": "0.3",
    "SMARTHIS_OUTBOX_RETRY_BASE_S": "0.5",
    "SMARTHIS_OUTBOX_RETRY_MAX_S": "2",
    "SMARTHIS_LIS_TIMEOUT_S": "5",
}


@dataclass
class LisReport:
    scenario: str
    database: str
    acknowledged: int  # orders answered 201
    found: int  # of those, orders whose message the LIS received
    lost: int
    duplicate_messages: int  # receipts of a control ID or placer number beyond the first
    duplicate_tickets: int  # ticket numbers given twice (kiosk and lab queues), as in `kill`
    outbox_unsent: int  # LIS messages not acknowledged by the LIS at the end
    errors: list[str] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.acknowledged > 0
            and self.lost == 0
            and self.duplicate_messages == 0
            and self.duplicate_tickets == 0
            and self.outbox_unsent == 0
            and not self.errors
        )


class CountingLis(LisSimulator):
    """The simulator, also noting the placer number (OBR-2) of every new-order test it gets."""

    def __init__(self, port: int, results_to: tuple[str, int]) -> None:
        super().__init__("127.0.0.1", port, results_to, RESULT_DELAY_S, seed=7)
        self.placer_numbers: list[str] = []
        self._placers_lock = threading.Lock()

    def answer(self, text: str) -> str:
        try:
            order = read_order(text)
        except Exception:  # the simulator itself refuses it: nothing to count
            order = None
        if order is not None and order.order_control == "NW":
            with self._placers_lock:
                self.placer_numbers.extend(t.placer_number.split("^")[0] for t in order.tests)
        return super().answer(text)


def place_lab_orders(place: Clinic, visit_ids: list[int]) -> tuple[list[int], list[str]]:
    """The doctor orders LAB_TESTS for each visit; returns the acknowledged order ids."""
    doctor = sign_in(place.app.base_url, DOCTOR, place.hospital.staff_password)
    placed: list[int] = []
    errors: list[str] = []
    with httpx.Client(base_url=place.app.base_url, headers=doctor, timeout=10) as client:
        for visit_id in visit_ids:
            answer = client.post("/api/orders", json={"visit_id": visit_id, "services": LAB_TESTS})
            if answer.status_code == 201:
                placed.append(answer.json()["id"])
            else:
                errors.append(f"visit {visit_id}: {answer.status_code} {answer.text[:200]}")
    return placed, errors


def _lis_rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.channel == CHANNEL))
        return list(rows.scalars().all())


def wait_until(done: Callable[[], bool], timeout: float, pause: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if done():
            return True
        time.sleep(pause)
    return done()


def reserve_port() -> socket.socket:
    """A port bound but not listening: connections to it are refused (the LIS is down),
    and no other process can take it before the LIS comes back."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def run_lis(url: str, orders: int, work_dir: Path) -> LisReport:
    reserved = reserve_port()
    try:
        return _run_with_lis_down(url, orders, work_dir, reserved)
    finally:
        reserved.close()


def _run_with_lis_down(url: str, orders: int, work_dir: Path, reserved: socket.socket) -> LisReport:
    lis_port = reserved.getsockname()[1]
    env = {**OUTBOX_ENV, "SMARTHIS_LIS_HOST": "127.0.0.1", "SMARTHIS_LIS_PORT": str(lis_port)}
    with clinic(url, work_dir, orders, env) as place:
        visit_ids = patients_in_examination(place, orders, "lis")
        placed, errors = place_lab_orders(place, visit_ids)
        # While the LIS is down every message is tried and put back, none given up on.
        tried = wait_until(
            lambda: all(r.attempts >= 1 for r in _lis_rows(place.db)), DOWN_TIMEOUT_S
        )
        down_rows = _lis_rows(place.db)
        notes: dict[str, object] = {
            "every_message_tried_while_down": tried,
            "attempts_while_down": sum(r.attempts for r in down_rows),
            "failed_while_down": sum(r.status == "failed" for r in down_rows),
        }
        listener, listener_port = start_listener(url)
        started = time.monotonic()
        reserved.close()  # the LIS comes back on its port
        lis = CountingLis(lis_port, ("127.0.0.1", listener_port))
        lis.start()
        try:
            caught_up = wait_until(
                lambda: (
                    all(r.status == "acked" for r in _lis_rows(place.db))
                    and len(lis.results_acks) >= len(placed)
                ),
                CATCH_UP_TIMEOUT_S,
            )
            notes["catch_up_s"] = round(time.monotonic() - started, 2)
            notes["caught_up"] = caught_up
        finally:
            lis.stop()
            _stop_listener(listener)
        return _check(place.db, placed, lis, errors, notes)


def _stop_listener(listener: subprocess.Popen[str]) -> None:
    if listener.stdin is not None:
        listener.stdin.close()  # the listener process ends when its stdin closes
    try:
        listener.wait(timeout=30)
    except subprocess.TimeoutExpired:
        listener.kill()
        listener.wait(timeout=10)


def _check(
    db: Database,
    placed: list[int],
    lis: CountingLis,
    errors: list[str],
    notes: dict[str, object],
) -> LisReport:
    received = Counter(lis.received_control_ids)
    placers = Counter(lis.placer_numbers)
    rows = _lis_rows(db)
    control_of = {r.reference: r.message_control_id for r in rows}
    with db.session() as session:
        items: dict[int, list[int]] = {}
        for order_id, item_id in session.execute(
            select(OrderItem.order_id, OrderItem.id).where(OrderItem.order_id.in_(placed))
        ):
            items.setdefault(order_id, []).append(item_id)
        with_results = session.execute(
            select(func.count(func.distinct(LabResult.order_item_id))).where(
                LabResult.order_item_id.in_([i for ids in items.values() for i in ids])
            )
        ).scalar_one()
        duplicate_tickets = duplicate_ticket_numbers(session)
    found = 0
    for order_id in placed:
        control_id = control_of.get(f"order:{order_id}")
        if control_id in received and all(placers[str(i)] >= 1 for i in items.get(order_id, [])):
            found += 1
    notes["order_items"] = sum(len(ids) for ids in items.values())
    notes["items_with_results"] = with_results
    notes["result_acks"] = dict(Counter(lis.results_acks))
    return LisReport(
        scenario="lis",
        database=db.engine.dialect.name,
        acknowledged=len(placed),
        found=found,
        lost=len(placed) - found,
        duplicate_messages=sum(n - 1 for n in received.values())
        + sum(n - 1 for n in placers.values()),
        duplicate_tickets=duplicate_tickets,
        outbox_unsent=sum(r.status != "acked" for r in rows),
        errors=errors,
        notes=notes,
    )
