"""The data a queue benchmark needs: a fresh database with the demo hospital, one device
per kiosk and per board, and the CCCD QR texts the kiosks will scan."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.demo.loader import DEMO_PATIENTS, load_demo, write_simulator_cards
from smarthis.demo.people import DemoPerson, generate_people
from smarthis.errors import DomainError
from smarthis.migrate import upgrade
from smarthis.patients.identify import register_typed
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.patients.service import Demographics
from smarthis.security.principal import system_principal
from smarthis.security.service import register_device, set_on_duty

FACILITY = "48001"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "smarthis_bench"
KIOSK_AREA = "KKB"
KIOSK_DUTY_OFFICER = "letan.hoa"  # the receptionist in whose name kiosks check cards
# Seeds other than the demo's (20240611): walk-in patients, and insured patients added when
# the demo holds fewer than half the registrations.
WALK_IN_SEED = 7_700_001
EXTRA_INSURED_SEED = 7_700_002
# CCCD cards were first issued in 2016 and re-issued with the QR code from 2021.
EARLIEST_ISSUE = date(2021, 7, 1)


def prepare_postgres(server: str = PG_SERVER, name: str = PG_DATABASE) -> str:
    """The bench database, created if missing, with an empty `public` schema, migrated."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"{server}/{name}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SET lock_timeout = '15s'")  # a leftover server holding locks: fail, not hang
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    upgrade(url)
    return url


def prepare_sqlite(directory: Path) -> str:
    url = f"sqlite:///{directory / 'smarthis-bench.db'}"
    upgrade(url)
    return url


@dataclass
class ScannedCard:
    """The CCCD QR text one kiosk registration scans."""

    qr_text: str
    existing: bool  # a demo patient with a BHYT card (the card check goes to the portal)


@dataclass
class Hospital:
    settings: Settings
    cards_file: Path
    kiosk_tokens: list[str]
    board_tokens: list[str]
    demo_devices: dict[str, str]
    staff_password: str
    registrations: list[ScannedCard]
    warm_up: list[ScannedCard]
    extra_insured_added: int = 0
    notes: list[str] = field(default_factory=list)


def qr_text(cccd: str, full_name: str, birth: date, sex: str | None, address: str | None) -> str:
    """`number||full name|ddMMyyyy|Nam/Nữ|address|issue date`, as a scanner types it."""
    issue = min(max(birth, EARLIEST_ISSUE), date.today())
    sex_text = "Nữ" if sex == "female" else "Nam"
    return f"{cccd}||{full_name}|{birth:%d%m%Y}|{sex_text}|{address or ''}|{issue:%d%m%Y}"


def load_hospital(
    url: str, data_dir: Path, *, kiosks: int, boards: int, registrations: int, warm_up: int
) -> Hospital:
    cards_file = data_dir / "bhxh_sim_cards.json"
    settings = Settings(
        database_url=url,
        data_dir=data_dir,
        facility_code=FACILITY,
        bhxh_sim_cards_file=str(cards_file),
    )
    db = Database(url)
    try:
        summary = load_demo(db, settings)
        kiosk_tokens, board_tokens = _register_devices(db, kiosks, boards)
        wanted_existing = registrations // 2
        added = _top_up_insured(db, settings, cards_file, wanted_existing)
        existing = _insured_patients(db)[:wanted_existing]
        walk_ins = _walk_ins(db, registrations - len(existing) + warm_up)
    finally:
        db.dispose()
    new_count = registrations - len(existing)
    measured = [ScannedCard(q, True) for q in existing]
    measured += [ScannedCard(q, False) for q in walk_ins[:new_count]]
    random.Random(WALK_IN_SEED).shuffle(measured)  # existing and new patients interleave
    warm = walk_ins[new_count:]
    return Hospital(
        settings=settings,
        cards_file=cards_file,
        kiosk_tokens=kiosk_tokens,
        board_tokens=board_tokens,
        demo_devices=dict(summary["devices"]),  # type: ignore[arg-type]
        staff_password=str(summary["staff_password"]),
        registrations=measured,
        warm_up=[ScannedCard(q, False) for q in warm],
        extra_insured_added=added,
    )


def _register_devices(db: Database, kiosks: int, boards: int) -> tuple[list[str], list[str]]:
    kiosk_tokens: list[str] = []
    board_tokens: list[str] = []
    with db.session() as session:
        for i in range(1, kiosks + 1):
            code = f"kiosk-bench-{i:03d}"
            _device, token = register_device(
                session,
                facility_code=FACILITY,
                code=code,
                name=f"Kiosk bench {i}",
                kind="kiosk",
                location="Sảnh Khoa Khám bệnh",
            )
            session.flush()
            set_on_duty(session, code, KIOSK_DUTY_OFFICER)
            kiosk_tokens.append(token)
        for i in range(1, boards + 1):
            _device, token = register_device(
                session,
                facility_code=FACILITY,
                code=f"board-bench-{i:03d}",
                name=f"Màn hình bench {i}",
                kind="display_board",
                location=KIOSK_AREA,
            )
            board_tokens.append(token)
    return kiosk_tokens, board_tokens


def _insured_patients(db: Database) -> list[str]:
    """QR texts of the patients on file who hold a CCCD and a BHYT card, oldest first."""
    with db.session() as session:
        rows = session.execute(
            select(
                PatientIdentifier.value,
                Patient.full_name,
                Patient.date_of_birth,
                Patient.sex,
                Patient.address,
            )
            .join(Patient, Patient.id == PatientIdentifier.patient_id)
            .where(
                PatientIdentifier.facility_code == FACILITY,
                PatientIdentifier.kind == "cccd",
                Patient.bhyt_code.is_not(None),
                Patient.date_of_birth.is_not(None),
                Patient.merged_into_id.is_(None),
            )
            .order_by(Patient.id)
        ).all()
    return [qr_text(r.value, r.full_name, r.date_of_birth, r.sex, r.address) for r in rows]


def _known_cccds(db: Database) -> set[str]:
    with db.session() as session:
        return set(
            session.execute(
                select(PatientIdentifier.value).where(PatientIdentifier.kind == "cccd")
            ).scalars()
        )


def _top_up_insured(db: Database, settings: Settings, cards_file: Path, wanted: int) -> int:
    """The demo holds about 150 insured adults; when the run needs more existing insured
    patients, register more the same way the demo does and give the simulator their cards."""
    missing = wanted - len(_insured_patients(db))
    if missing <= 0:
        return 0
    known = _known_cccds(db)
    actor = system_principal(FACILITY, source="bench")
    added: list[DemoPerson] = []
    for person in generate_people(missing * 3 + 50, seed=EXTRA_INSURED_SEED):
        if len(added) >= missing:
            break
        if not (person.cccd_number and person.bhyt_code) or person.cccd_number in known:
            continue
        try:
            register_typed(
                db,
                actor,
                Demographics(
                    full_name=person.full_name,
                    date_of_birth=person.date_of_birth,
                    sex=person.sex,
                    address=person.address,
                    ward_code=person.ward_code,
                    province_code=person.province_code,
                    phone=person.phone,
                ),
                cccd=person.cccd_number,
                bhyt_code=person.bhyt_code,
            )
        except DomainError:
            continue  # a number the demo already holds
        known.add(person.cccd_number)
        added.append(person)
    write_simulator_cards(
        cards_file, generate_people(DEMO_PATIENTS) + added, settings.facility_code
    )
    return len(added)


def _walk_ins(db: Database, count: int) -> list[str]:
    """New patients: people the hospital has never seen, each with a CCCD."""
    known = _known_cccds(db)
    texts: list[str] = []
    for person in generate_people(count * 2 + 50, seed=WALK_IN_SEED):
        if len(texts) >= count:
            break
        if person.cccd_number is None or person.cccd_number in known:
            continue
        known.add(person.cccd_number)
        texts.append(
            qr_text(
                person.cccd_number,
                person.full_name,
                person.date_of_birth,
                person.sex,
                person.address,
            )
        )
    return texts
