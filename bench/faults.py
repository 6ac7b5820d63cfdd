"""Fault injection: nothing a patient was told is lost when the server dies, the database
restarts or the insurance portal is down (`make faults`; small versions run in `make test`).

Kiosk clients register concurrently, each retrying with its own idempotency key until it
gets an answer (as the kiosk page does); meanwhile a fault strikes. Afterwards the database
is read back: every acknowledged registration must exist exactly once, with the visit and
ticket number the kiosk printed, and no ticket number may be given twice.

    python -m bench.faults [--db postgres|sqlite] [--registrations 50] [--scenario NAME ...]

Scenarios: `kill` (SIGKILL the server mid-run, restart it), `portal` (BHXH portal down
mid-run, then back: deferred card checks catch up), `postgres` (restart PostgreSQL mid-run;
needs the local cluster and root: `pg_ctlcluster`). Prints one JSON object per scenario."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.fixtures import Hospital, load_hospital, prepare_postgres, prepare_sqlite
from bench.servers import Server, start_app, start_bhxh_simulator
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.queueing.models import Ticket

PG_DATABASE = "smarthis_faults"  # its own database: a queue bench running beside it is untouched
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
        duplicates = session.execute(
            select(func.count()).select_from(
                select(Ticket.queue_group, Ticket.service_day, Ticket.number)
                .group_by(Ticket.queue_group, Ticket.service_day, Ticket.number)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
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


def registrations_for(hospital: Hospital, count: int, scenario: str) -> list[Registration]:
    cards = (hospital.registrations + hospital.warm_up)[:count]
    tokens = hospital.kiosk_tokens
    return [
        Registration(key=f"{scenario}-{i:05d}", qr_text=card.qr_text, token=tokens[i % len(tokens)])
        for i, card in enumerate(cards)
    ]


# --- the faults ----------------------------------------------------------------------

# Runs beside the kiosks; returns what it did, for the report.
Fault = Callable[[list[Registration]], dict[str, object]]


def kill_and_restart(
    app: Server, restart: Callable[[], Server], after: int, timeout: float
) -> Fault:
    def fault(registrations: list[Registration]) -> dict[str, object]:
        wait_for_answers(registrations, after, timeout)
        answered_before = sum(r.visit_number is not None for r in registrations)
        app.kill()  # SIGKILL: no shutdown, no flush, requests cut mid-flight
        app.process.wait(timeout=10)
        killed_at = time.monotonic()
        restarted = restart()
        return {
            "answered_before_kill": answered_before,
            "down_s": round(time.monotonic() - killed_at, 2),
            "restarted_pid": restarted.pid,
        }

    return fault


def portal_outage(simulator: Server, timeout: float) -> Fault:
    """The portal is down while every kiosk registers (deterministic: each insured patient
    meets it), then comes back; the background re-check must verify every deferred card."""
    _portal_down(simulator, True)

    def fault(registrations: list[Registration]) -> dict[str, object]:
        wait_for_answers(registrations, len(registrations), timeout)
        _portal_down(simulator, False)
        return {"portal_down_during_registration": True}

    return fault


def _portal_down(simulator: Server, down: bool) -> None:
    httpx.post(
        f"{simulator.base_url}/_sim/outage", json={"down": down}, timeout=5
    ).raise_for_status()


def postgres_restart(after: int, timeout: float) -> Fault:
    def fault(registrations: list[Registration]) -> dict[str, object]:
        wait_for_answers(registrations, after, timeout)
        started = time.monotonic()
        cluster = _local_cluster()
        subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=60)
        return {"postgres_restart_s": round(time.monotonic() - started, 2)}

    return fault


def _local_cluster() -> list[str]:
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    version, name = listed.stdout.split()[:2]
    return [version, name]


def unverified_visits(db: Database) -> int:
    with db.session() as session:
        return session.execute(
            select(func.count()).where(
                Visit.card_check_status.in_(("not_verified", "pending")), Visit.uses_insurance
            )
        ).scalar_one()


# --- running a scenario --------------------------------------------------------------


def run_scenario(
    scenario: str, database: str, registrations: int, work_dir: Path, url: str | None = None
) -> FaultReport:
    """Set up a hospital, start the servers, run the registrations with the fault."""
    if url is None:
        url = (
            prepare_postgres(name=PG_DATABASE)
            if database == "postgres"
            else prepare_sqlite(work_dir)
        )
    hospital = load_hospital(
        url, work_dir, kiosks=10, boards=0, registrations=registrations, warm_up=registrations
    )
    simulator = start_bhxh_simulator(hospital.cards_file, work_dir)
    env = {
        "SMARTHIS_DATA_DIR": str(work_dir),
        "SMARTHIS_BHXH_PORTAL_URL": simulator.base_url,
        "SMARTHIS_BHXH_SIM_CARDS_FILE": str(hospital.cards_file),
        "SMARTHIS_BHXH_TIMEOUT_S": "1",
        "SMARTHIS_BHXH_RECHECK_INTERVAL_S": "1",
    }
    workers = 1 if url.startswith("sqlite") else 2
    app = start_app(url, work_dir, workers=workers, env=env)
    servers = [simulator, app]
    db = Database(url)
    deadline = time.monotonic() + 120 + registrations
    try:
        regs = registrations_for(hospital, registrations, scenario)
        after = max(1, registrations // 4)
        if scenario == "kill":

            def restart() -> Server:
                again = start_app(url, work_dir, workers=workers, env=env, port=app.port)
                servers.append(again)
                return again

            fault = kill_and_restart(app, restart, after, timeout=60)
        elif scenario == "portal":
            fault = portal_outage(simulator, timeout=60)
        elif scenario == "postgres":
            if url.startswith("sqlite"):
                raise ValueError("the postgres scenario needs --db postgres")
            fault = postgres_restart(after, timeout=60)
        else:
            raise ValueError(f"unknown scenario {scenario!r}")
        notes = run_registrations(app.base_url, regs, fault, deadline)
        if scenario == "portal":
            notes["unverified_after_outage"] = unverified_visits(db)
            end = time.monotonic() + 30
            while unverified_visits(db) and time.monotonic() < end:
                time.sleep(0.5)  # the background re-check catches up once the portal is back
            notes["unverified_after_catch_up"] = unverified_visits(db)
        return check(db, scenario, regs, notes)
    finally:
        db.dispose()
        for server in reversed(servers):
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--registrations", type=int, default=50)
    parser.add_argument(
        "--scenario", action="append", choices=("kill", "portal", "postgres"), default=None
    )
    args = parser.parse_args(argv)
    if not 4 <= args.registrations <= 1000:
        parser.error("--registrations must be between 4 and 1000")
    scenarios = args.scenario or (
        ["kill", "portal", "postgres"] if args.db == "postgres" else ["kill", "portal"]
    )
    failed = False
    for scenario in scenarios:
        work_dir = Path(tempfile.mkdtemp(prefix=f"smarthis-faults-{scenario}-"))
        try:
            report = run_scenario(scenario, args.db, args.registrations, work_dir)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        print(json.dumps({**asdict(report), "ok": report.ok}, ensure_ascii=False))
        failed |= not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
