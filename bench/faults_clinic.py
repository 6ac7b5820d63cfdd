"""The hospital a fault scenario runs in: a fresh database with the demo hospital, the BHXH
portal simulator, the app under uvicorn (real processes on 127.0.0.1), and patients who
registered at the kiosks and whose examinations the doctor has started: what the LIS and
bank scenarios build their lab orders and invoices on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.faults_kiosk import Registration, registrations_for, run_registrations
from bench.fixtures import Hospital, load_hospital, prepare_postgres, prepare_sqlite
from bench.servers import Server, start_app, start_bhxh_simulator
from smarthis.clinical.models import Visit
from smarthis.db import Database

PG_DATABASE = "smarthis_faults"  # its own database: a queue bench running beside it is untouched
DOCTOR = "bs.nam"
CASHIER = "thungan"
CLIENT_TIMEOUT_S = 10.0
SETUP_TIMEOUT_S = 120.0


class SetupFailed(RuntimeError):
    """The scenario could not be set up (not a finding about the fault itself)."""


@dataclass
class Clinic:
    url: str
    work_dir: Path
    hospital: Hospital
    env: dict[str, str]
    workers: int
    app: Server
    db: Database
    servers: list[Server] = field(default_factory=list)

    def restart_app(self) -> Server:
        """The app again, on the same port (clients and the bank keep its address)."""
        again = start_app(
            self.url, self.work_dir, workers=self.workers, env=self.env, port=self.app.port
        )
        self.servers.append(again)
        self.app = again
        return again


def database_url(database: str, work_dir: Path) -> str:
    return (
        prepare_postgres(name=PG_DATABASE) if database == "postgres" else prepare_sqlite(work_dir)
    )


@contextmanager
def clinic(
    url: str, work_dir: Path, patients: int, env: dict[str, str] | None = None
) -> Iterator[Clinic]:
    """The hospital with room for `patients` kiosk registrations; servers stopped after."""
    hospital = load_hospital(
        url, work_dir, kiosks=4, boards=0, registrations=patients, warm_up=patients
    )
    simulator = start_bhxh_simulator(hospital.cards_file, work_dir)
    servers = [simulator]
    db = Database(url)
    try:
        app_env = {
            "SMARTHIS_DATA_DIR": str(work_dir),
            "SMARTHIS_BHXH_PORTAL_URL": simulator.base_url,
            "SMARTHIS_BHXH_SIM_CARDS_FILE": str(hospital.cards_file),
            "SMARTHIS_BHXH_TIMEOUT_S": "1",
            **(env or {}),
        }
        workers = 1 if url.startswith("sqlite") else 2
        app = start_app(url, work_dir, workers=workers, env=app_env)
        servers.append(app)
        yield Clinic(url, work_dir, hospital, app_env, workers, app, db, servers)
    finally:
        db.dispose()
        for server in reversed(servers):
            server.stop()


def sign_in(base_url: str, login: str, password: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base_url}/api/auth/token",
        json={"login": login, "password": password},
        timeout=CLIENT_TIMEOUT_S,
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def patients_in_examination(
    place: Clinic, count: int, scenario: str, *, self_paying: bool = False
) -> list[int]:
    """`count` patients register at the kiosks (no fault), the doctor opens each visit;
    returns the visit ids. `self_paying`: new patients only (no insurance card on file), so
    every visit leaves something for the patient to pay."""
    regs: list[Registration] = registrations_for(place.hospital, count, scenario)
    if self_paying:
        tokens = place.hospital.kiosk_tokens
        regs = [
            Registration(f"{scenario}-{i:05d}", card.qr_text, tokens[i % len(tokens)])
            for i, card in enumerate(place.hospital.warm_up[:count])
        ]
    deadline = time.monotonic() + SETUP_TIMEOUT_S
    run_registrations(place.app.base_url, regs, lambda _regs: {}, deadline)
    missing = [f"{r.key}: {r.refused or 'no answer'}" for r in regs if r.visit_number is None]
    if missing:
        raise SetupFailed(f"kiosk registration failed: {missing[:3]}")
    numbers = [r.visit_number for r in regs]
    with place.db.session() as session:
        ids = dict(
            session.execute(
                select(Visit.visit_number, Visit.id).where(Visit.visit_number.in_(numbers))
            ).all()
        )
    doctor = sign_in(place.app.base_url, DOCTOR, place.hospital.staff_password)
    visit_ids = [ids[number] for number in numbers]
    with httpx.Client(
        base_url=place.app.base_url, headers=doctor, timeout=CLIENT_TIMEOUT_S
    ) as client:
        for visit_id in visit_ids:
            started = client.post(
                f"/api/visits/{visit_id}/examination/start", json={"reason": "Khám định kỳ"}
            )
            if started.status_code >= 300:
                raise SetupFailed(f"examination start: {started.status_code} {started.text}")
    return visit_ids
