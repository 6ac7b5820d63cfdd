"""Helpers of the backup tests: a second database to restore into, whole-table snapshots,
a writer that keeps registering patients, and a way to doctor a backup file."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from smarthis.clinical.models import Visit
from smarthis.db import Database, normalise_url
from smarthis.models import Base
from smarthis.orders import service as orders
from smarthis.patients.identify import register_typed
from smarthis.patients.models import Patient
from smarthis.patients.service import Demographics
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal, system_principal

ACTOR = system_principal("48001", source="backup-test")
DOCTOR = Principal(
    kind="staff",
    id=1,
    name="bs.nam",
    display_name="bs.nam",
    role=Role.DOCTOR,
    facility_code="48001",
)
LAB = Principal(
    kind="staff",
    id=2,
    name="ktv.xn",
    display_name="ktv.xn",
    role=Role.LAB_TECHNICIAN,
    facility_code="48001",
)


def add_visits_with_orders(db: Database, count: int) -> None:
    """Visits of the first demo patients, each with a blood count (sample collected), a
    chest X-ray and an abdominal ultrasound ordered: tickets, charges, outbox messages,
    imaging procedures and specimens, so those tables travel through the backup too."""
    with db.session() as session:
        patients = session.scalars(select(Patient).order_by(Patient.id).limit(count)).all()
        visits = []
        for n, patient in enumerate(patients):
            visit = Visit(
                facility_code="48001",
                visit_number=f"26112699{n:03d}",
                patient_id=patient.id,
                registered_by="letan.hoa",
                arrival_mode="self_referred",
            )
            session.add(visit)
            session.flush()
            visits.append(visit.id)
    for visit_id in visits:
        with db.session() as session:
            placed = orders.place_order(session, DOCTOR, visit_id, ["XN-CBC", "XQ-NGUC", "SA-BUNG"])
            lab_item = next(i.id for i in placed.items if i.service_code == "XN-CBC")
            orders.collect_specimen(session, LAB, lab_item)


def table_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the application defines, in primary-key order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in conn.execute(query)]
    return rows


def index_names(db: Database) -> dict[str, list[str]]:
    """The indexes of every table (on PostgreSQL with an extension's, e.g. pg_trgm's)."""
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        return {
            table.name: sorted(str(index["name"]) for index in inspector.get_indexes(table.name))
            for table in Base.metadata.sorted_tables
        }


def other_database_url(url: str, name: str) -> str:
    """The same server and search_path, another database (PostgreSQL)."""
    parsed = make_url(normalise_url(url)).set(database=name)
    return parsed.render_as_string(hide_password=False)


class PatientWriter(threading.Thread):
    """Registers one foreign patient after another (each an audited transaction) until
    stopped, like a reception desk that never pauses."""

    def __init__(self, db: Database) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.written = 0
        self.error: BaseException | None = None
        self._halt = threading.Event()
        self._progress = threading.Condition()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                register_typed(
                    self.db,
                    ACTOR,
                    Demographics(full_name=f"Khách Số {self.written}", birth_year=1980),
                    passport_number=f"BK{self.written:07d}",
                )
                with self._progress:
                    self.written += 1
                    self._progress.notify_all()
        except BaseException as exc:  # surfaced by the test through .error
            self.error = exc

    def wait_for(self, count: int, timeout: float = 60) -> None:
        with self._progress:
            self._progress.wait_for(lambda: self.written >= count or self.error, timeout)
        assert self.error is None, self.error
        assert self.written >= count, f"writer wrote {self.written} patients, not {count}"

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=60)
        assert self.error is None, self.error


def rewrite_backup(source: Path, out: Path, **manifest_changes: Any) -> Path:
    """A copy of a backup whose manifest says something else (checksum left as it was)."""
    with tarfile.open(source) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        payload_info = tar.getmember(manifest["payload_name"])
        payload = tar.extractfile(payload_info).read()  # type: ignore[union-attr]
    manifest.update(manifest_changes)
    body = json.dumps(manifest).encode()
    with tarfile.open(out, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
        tar.addfile(payload_info, io.BytesIO(payload))
    return out
