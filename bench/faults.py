"""Fault injection: nothing a patient was told is lost when the server dies, the database
restarts, or the insurance portal, the laboratory system or SmartHIS itself (for the bank)
is unreachable (`make faults`; small versions run in `make test`, tests/faults).

    python -m bench.faults [--db postgres|sqlite] [--size 50] [--scenario NAME ...]

Scenarios (one JSON object each, with at least `acknowledged`, `found`, `lost` and
`duplicate_tickets`, and `ok`):
  kill      kiosks register concurrently, each retrying with its own idempotency key; the
            server is SIGKILLed mid-run and restarted (bench/faults_kiosk.py checks).
  portal    the BHXH portal is down while the kiosks register, then back: the deferred card
            checks catch up.
  postgres  PostgreSQL is restarted mid-run under the app, which must recover by itself
            (a private throwaway server, bench/faults_postgres.py; --db postgres only).
  lis       the LIS is down while lab orders are placed, then back: every order reaches it
            exactly once (bench/faults_lis.py; adds `duplicate_messages`).
  bank      SmartHIS is down while the bank takes VietQR payments, then back: the bank's
            re-sent notifications pay each invoice once (bench/faults_bank.py; adds
            `duplicate_payments`).
`duplicate_tickets` is in every scenario's output: each one registers patients at the
kiosks (and lab orders issue queue tickets), so it is always a real count, expected 0."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.faults_bank import BankReport, run_bank
from bench.faults_clinic import PG_DATABASE, database_url
from bench.faults_kiosk import (
    Fault,
    FaultReport,
    Registration,
    check,
    registrations_for,
    run_registrations,
    wait_for_answers,
)
from bench.faults_lis import LisReport, run_lis
from bench.faults_postgres import NoPostgres, PrivateCluster, postgres_restart, private_cluster
from bench.fixtures import load_hospital, prepare_postgres
from bench.servers import Server, start_app, start_bhxh_simulator
from smarthis.clinical.models import Visit
from smarthis.db import Database

SCENARIOS = ("kill", "portal", "postgres", "lis", "bank")
SQLITE_SCENARIOS = ("kill", "portal", "lis", "bank")

# --- the faults ----------------------------------------------------------------------


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


def unverified_visits(db: Database) -> int:
    with db.session() as session:
        return session.execute(
            select(func.count()).where(
                Visit.card_check_status.in_(("not_verified", "pending")), Visit.uses_insurance
            )
        ).scalar_one()


# --- running a scenario --------------------------------------------------------------


def run_scenario(
    scenario: str,
    database: str,
    registrations: int,
    work_dir: Path,
    url: str | None = None,
    cluster: PrivateCluster | None = None,
) -> FaultReport:
    """A kiosk scenario (kill, portal, postgres): set up a hospital, start the servers, run
    the registrations with the fault. `postgres` restarts `cluster`, the server of `url`."""
    if url is None:
        url = database_url(database, work_dir)
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
            if cluster is None:
                raise ValueError("the postgres scenario needs the server to restart")
            fault = postgres_restart(cluster, after, timeout=60)
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


Report = FaultReport | LisReport | BankReport


def run_named(scenario: str, database: str, size: int, work_dir: Path) -> Report:
    if scenario == "postgres":
        if database != "postgres":
            raise ValueError("the postgres scenario needs --db postgres")
        with private_cluster() as cluster:
            url = prepare_postgres(server=cluster.server_url, name=PG_DATABASE)
            return run_scenario(scenario, database, size, work_dir, url=url, cluster=cluster)
    if scenario == "lis":
        return run_lis(database_url(database, work_dir), size, work_dir)
    if scenario == "bank":
        return run_bank(database_url(database, work_dir), size, work_dir)
    return run_scenario(scenario, database, size, work_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--size",
        "--registrations",
        dest="size",
        type=int,
        default=50,
        help="registrations (kill, portal, postgres), lab orders (lis) or payments (bank)",
    )
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, default=None)
    args = parser.parse_args(argv)
    if not 4 <= args.size <= 1000:
        parser.error("--size must be between 4 and 1000")
    scenarios = args.scenario or (SCENARIOS if args.db == "postgres" else SQLITE_SCENARIOS)
    if args.db != "postgres" and "postgres" in scenarios:
        parser.error("the postgres scenario restarts a PostgreSQL server: it needs --db postgres")
    failed = False
    for scenario in scenarios:
        work_dir = Path(tempfile.mkdtemp(prefix=f"smarthis-faults-{scenario}-"))
        try:
            report = run_named(scenario, args.db, args.size, work_dir)
        except NoPostgres as missing:  # a piece of the machine, not a finding: say so
            print(json.dumps({"scenario": scenario, "skipped": str(missing)}), flush=True)
            continue
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        print(json.dumps({**asdict(report), "ok": report.ok}, ensure_ascii=False), flush=True)
        failed |= not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
