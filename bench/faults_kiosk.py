"""The kiosks of a fault scenario: each patient registers with its own idempotency key and
retries until answered (as the kiosk page does); afterwards the database is read back: every
acknowledged registration must exist exactly once, with the visit and ticket number the kiosk
printed, and no ticket number may be given twice. Shared by every scenario of bench.faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.fixtures import Hospital
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.queueing.models import Ticket

RETRY_PAUSE_S = 0.2
CLIENT_TIMEOUT_S = 10.0


@dataclass
class Registration:
    """One patient at one kiosk: what they were told, once they were told it."""

    key: str
    qr_text: str
    token: str
    visit_number: str | None = None
    ticket: str | None = None
    attempts: int = 0
    refused: str | None = None  # a 4xx answer: a bug for these inputs, counted as an error


@dataclass
class FaultReport:
    scenario: str
    database: str
    registrations: int
    acknowledged: int
    found: int
    lost: int
    duplicate_tickets: int
    duplicate_visits: int
    retried_requests: int
    errors: list[str] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.acknowledged == self.registrations
            and self.lost == 0
            and self.duplicate_tickets == 0
            and self.duplicate_visits == 0
            and not self.errors
        )


def register_until_answered(base_url: str, reg: Registration, deadline: float) -> None:
    """identify -> register with the same key until a 201 (or a refusal, or the deadline)."""
    headers = {"Authorization": f"Bearer {reg.token}"}
    while time.monotonic() < deadline:
        reg.attempts += 1
        try:
            with httpx.Client(base_url=base_url, headers=headers, timeout=CLIENT_TIMEOUT_S) as c:
                found = c.post("/api/kiosk/identify", json={"qr_text": reg.qr_text})
                if found.status_code == 200:
                    answer = c.post(
                        "/api/kiosk/register",
                        json={
                            "patient_id": found.json()["patient"]["id"],
                            "specialty": _a_specialty(c),
                            "idempotency_key": reg.key,
                        },
                    )
                    if answer.status_code == 201:
                        body = answer.json()
                        reg.visit_number = body["visit_number"]
                        reg.ticket = body["ticket"]["display_number"]
                        return
                    found = answer
                if 400 <= found.status_code < 500:
                    reg.refused = f"{found.status_code} {found.text[:200]}"
                    return
        except httpx.TransportError:
            pass  # the server is down or restarting: try again with the same key
        time.sleep(RETRY_PAUSE_S)


_specialty: list[str] = []


def _a_specialty(client: httpx.Client) -> str:
    if not _specialty:
        listed = client.get("/api/kiosk/choices").raise_for_status().json()
        _specialty.append(next(c["specialty"] for c in listed["specialties"] if c["specialty"]))
    return _specialty[0]


def run_registrations(
    base_url: str,
    registrations: list[Registration],
    fault: Callable[[list[Registration]], dict[str, object]],  # see Fault
    deadline: float,
) -> dict[str, object]:
    """All kiosks at once; `fault` runs beside them and returns what it did."""
    threads = [
        threading.Thread(target=register_until_answered, args=(base_url, r, deadline))
        for r in registrations
    ]
    for thread in threads:
        thread.start()
    notes = fault(registrations)
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic()))
    return notes


def wait_for_answers(registrations: list[Registration], count: int, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if sum(r.visit_number is not None for r in registrations) >= count:
            return
        time.sleep(0.02)


def check(
    db: Database, scenario: str, registrations: list[Registration], notes: dict[str, object]
) -> FaultReport:
    """Read back what the kiosks were told."""
    acknowledged = [r for r in registrations if r.visit_number is not None]
    found = 0
    duplicate_visits = 0
    with db.session() as session:
        for reg in acknowledged:
            visits = session.execute(
                select(Visit.visit_number).where(Visit.idempotency_key.like(f"%:{reg.key}:visit"))
            ).all()
            tickets = session.execute(
                select(Ticket.display_number).where(
                    Ticket.idempotency_key.like(f"%:{reg.key}:ticket")
                )
            ).all()
            duplicate_visits += max(0, len(visits) - 1)
            if [v for (v,) in visits] == [reg.visit_number] and [t for (t,) in tickets] == [
                reg.ticket
            ]:
                found += 1
        duplicates = duplicate_ticket_numbers(session)
    errors = [
        f"{r.key}: {r.refused or 'no answer before the deadline'}"
        for r in registrations
        if r.visit_number is None
    ]
    return FaultReport(
        scenario=scenario,
        database=db.engine.dialect.name,
        registrations=len(registrations),
        acknowledged=len(acknowledged),
        found=found,
        lost=len(acknowledged) - found,
        duplicate_tickets=duplicates,
        duplicate_visits=duplicate_visits,
        retried_requests=sum(r.attempts - 1 for r in registrations),
        errors=errors,
        notes=notes,
    )


def duplicate_ticket_numbers(session: Session) -> int:
    """Ticket numbers given more than once in one queue on one day (must be 0)."""
    return session.execute(
        select(func.count()).select_from(
            select(Ticket.queue_group, Ticket.service_day, Ticket.number)
            .group_by(Ticket.queue_group, Ticket.service_day, Ticket.number)
            .having(func.count() > 1)
            .subquery()
        )
    ).scalar_one()


def registrations_for(hospital: Hospital, count: int, scenario: str) -> list[Registration]:
    cards = (hospital.registrations + hospital.warm_up)[:count]
    tokens = hospital.kiosk_tokens
    return [
        Registration(key=f"{scenario}-{i:05d}", qr_text=card.qr_text, token=tokens[i % len(tokens)])
        for i, card in enumerate(cards)
    ]


# Runs beside the kiosks; returns what it did, for the report.
Fault = Callable[[list[Registration]], dict[str, object]]
