"""Kiosk transactions pass a gate of a few at a time per process (smarthis/kiosk/gate.py);
the portal is asked outside it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from smarthis.db import Database
from smarthis.kiosk import gate, service
from tests.kiosk.conftest import identify_at_kiosk, register_at_kiosk


def test_no_more_kiosk_transactions_run_at_once_than_the_gate_lets_through(
    db: Database, kiosk, portal, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    monkeypatch.setattr(gate, "transactions", threading.BoundedSemaphore(2))
    inside, most = 0, 0
    count = threading.Lock()
    prepare = service._prepare

    def counted_prepare(*args, **kwargs):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)  # lets the other registrations arrive while this one is inside
        with count:
            inside -= 1
        return prepare(*args, **kwargs)

    monkeypatch.setattr(service, "_prepare", counted_prepare)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(
                lambda i: register_at_kiosk(db, kiosk, portal, settings, patient_id, f"k-{i:04d}"),
                range(6),
            )
        )
    assert most <= 2
    numbers = sorted(ticket.display_number for _visit, ticket in results)
    assert numbers == [f"B-{n:04d}" for n in range(1, 7)]


def test_the_portal_is_asked_outside_the_gate(
    db: Database, kiosk, portal, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gate, "transactions", threading.BoundedSemaphore(1))
    asked_with_the_gate_free: list[bool] = []
    ask = service.ask_portal

    def ask_portal(*args, **kwargs):
        free = gate.transactions.acquire(blocking=False)
        if free:
            gate.transactions.release()
        asked_with_the_gate_free.append(free)
        return ask(*args, **kwargs)

    monkeypatch.setattr(service, "ask_portal", ask_portal)
    identify_at_kiosk(db, kiosk, portal, settings)
    assert asked_with_the_gate_free == [True]
