"""Modality worklist C-FIND latency with a realistic number of scheduled procedures.

The SCP runs in its own process (as under `smarthis serve`); this process is the modality:
one association per query, as modalities do, asking either "CT, today" (modality + date)
or "my station, today" (station AE title + date). Prints one JSON summary (p50/p95/p99).

    .venv/bin/python -m bench.worklist_bench [--db sqlite|postgres] [--procedures 1000]
        [--queries 200] [--client pynetdicom|findscu]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import ModalityWorklistInformationFind, Verification
from sqlalchemy import insert

from bench.fixtures import prepare_postgres, prepare_sqlite
from bench.stats import summary_ms
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.demo.people import generate_people
from smarthis.integrations.dicom.models import ImagingProcedure
from smarthis.orders.models import Order, OrderItem
from smarthis.patients.models import Patient
from smarthis.queueing.models import ServicePoint
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.text import fold

FACILITY = "48001"
HOSPITAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PEOPLE_SEED = 7_700_011
DEADLINE_S = 540  # the whole run, servers included, ends before 10 minutes
# (room code, kind, modality, service code, service name): the demo hospital's imaging.
ROOMS = (
    ("CT-01", "ct", "CT", "CT-NGUC-CQ", "Chụp cắt lớp vi tính lồng ngực có tiêm thuốc cản quang"),
    ("CT-02", "ct", "CT", "CT-BUNG-CQ", "Chụp cắt lớp vi tính bụng - tiểu khung có tiêm thuốc"),
    ("MRI-01", "mri", "MR", "MRI-SN-CQ", "Chụp cộng hưởng từ sọ não có tiêm chất tương phản"),
    ("XQ-01", "xray", "DX", "XQ-NGUC", "Chụp Xquang ngực thẳng (số hóa 1 phim)"),
    ("XQ-02", "xray", "DX", "XQ-VU", "Chụp Xquang tuyến vú"),
    ("SA-01", "ultrasound", "US", "SA-BUNG", "Siêu âm ổ bụng"),
    ("SA-02", "ultrasound", "US", "SA-GIAP", "Siêu âm tuyến giáp"),
)
DAYS = (-1, 0, 1)  # yesterday's leftovers, today's list, tomorrow's appointments


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_procedures(db: Database, count: int) -> dict[str, int]:
    """`count` open imaging procedures (patients, visits, orders, items) in bulk inserts;
    returns how many each room holds today."""
    rng = random.Random(PEOPLE_SEED)
    people = generate_people(count, seed=PEOPLE_SEED)
    today = datetime.now(HOSPITAL_TZ).date()
    now = datetime.now(UTC)
    today_by_room: dict[str, int] = {}
    with db.session() as session:
        create_area(session, FACILITY, "CDHA", "Khoa chẩn đoán hình ảnh")
        for code, kind, *_ in ROOMS:
            create_service_point(
                session, FACILITY, code=code, name=f"Phòng {code}", kind=kind,
                area_code="CDHA", prefix=code[:2], queue_group=code, room_label=code,
            )  # fmt: skip
        session.flush()
        patients = [
            {
                "facility_code": FACILITY,
                "mrn": f"2026{i:06d}",
                "full_name": p.full_name,
                "name_folded": fold(p.full_name),
                "date_of_birth": p.date_of_birth,
                "birth_year": p.date_of_birth.year,
                "sex": p.sex,
                "created_at": now,
                "updated_at": now,
            }
            for i, p in enumerate(people, start=1)
        ]
        session.execute(insert(Patient), patients)
        ids = dict(session.query(Patient.mrn, Patient.id).all())
        session.execute(
            insert(Visit),
            [
                {
                    "facility_code": FACILITY,
                    "visit_number": f"V{i:09d}",
                    "patient_id": ids[f"2026{i:06d}"],
                    "registered_by": "bench",
                    "arrival_mode": "self_referred",
                    "registered_at": now,
                }
                for i in range(1, count + 1)
            ],
        )
        visits = dict(session.query(Visit.patient_id, Visit.id).all())
        session.execute(
            insert(Order),
            [
                {
                    "facility_code": FACILITY,
                    "visit_id": visits[pid],
                    "patient_id": pid,
                    "ordered_by": "bench",
                    "ordered_at": now,
                }
                for pid in ids.values()
            ],
        )
        orders = dict(session.query(Order.patient_id, Order.id).all())
        plan = []
        for n, pid in enumerate(ids.values(), start=1):
            room = ROOMS[rng.randrange(len(ROOMS))]
            day = DAYS[rng.randrange(len(DAYS))]
            local = datetime.combine(
                today + timedelta(days=day), datetime.min.time(), HOSPITAL_TZ
            ) + timedelta(minutes=rng.randrange(7 * 60, 17 * 60))
            plan.append((n, pid, room, local))
            if day == 0:
                today_by_room[room[0]] = today_by_room.get(room[0], 0) + 1
        session.execute(
            insert(OrderItem),
            [
                {
                    "facility_code": FACILITY,
                    "order_id": orders[pid],
                    "service_code": room[3],
                    "service_name": room[4],
                    "kind": room[1],
                    "point_kind": room[1],
                    "status": "ordered",
                    "hospital_price_vnd": 0,
                    "status_changed_at": now,
                }
                for _n, pid, room, _at in plan
            ],
        )
        items = dict(session.query(OrderItem.order_id, OrderItem.id).all())
        session.execute(
            insert(ImagingProcedure),
            [
                {
                    "facility_code": FACILITY,
                    "order_item_id": items[orders[pid]],
                    "order_id": orders[pid],
                    "visit_id": visits[pid],
                    "patient_id": pid,
                    "accession_number": f"{at:%y%m%d}{n:05d}",
                    "modality": room[2],
                    "point_code": room[0],
                    "scheduled_at": at,
                    "status": "scheduled",
                }
                for n, pid, room, at in plan
            ],
        )
        assert session.query(ServicePoint).count() == len(ROOMS)
    return today_by_room


def serve_only(url: str, port: int) -> None:
    """The SCP process: serve until killed."""
    from smarthis.config import Settings
    from smarthis.integrations.dicom.worklist_scp import start_worklist_server

    settings = Settings(database_url=url, facility_code=FACILITY, worklist_host="127.0.0.1")
    start_worklist_server(settings, Database(url), port=port)
    time.sleep(DEADLINE_S)


def wait_until_serving(port: int) -> None:
    ae = AE(ae_title="BENCH")
    ae.add_requested_context(Verification)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assoc = ae.associate("127.0.0.1", port, ae_title="SMARTHIS")
        if assoc.is_established:
            assoc.send_c_echo()
            assoc.release()
            return
        time.sleep(0.2)
    raise RuntimeError("the worklist SCP did not start")


def query(modality: str | None, station: str | None, day: date) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex"):
        setattr(ds, keyword, "")
    ds.AccessionNumber = ""
    ds.RequestedProcedureDescription = ""
    ds.StudyInstanceUID = ""
    step = Dataset()
    step.Modality = modality or ""
    step.ScheduledStationAETitle = station or ""
    step.ScheduledProcedureStepStartDate = day.strftime("%Y%m%d")
    step.ScheduledProcedureStepStartTime = ""
    step.ScheduledProcedureStepDescription = ""
    ds.ScheduledProcedureStepSequence = [step]
    return ds


def timed_find(ae: AE, port: int, identifier: Dataset, calling: str) -> tuple[float, int]:
    """One modality query: associate, C-FIND, release (seconds, matches)."""
    started = time.perf_counter()
    assoc = ae.associate("127.0.0.1", port, ae_title="SMARTHIS")
    if not assoc.is_established:
        raise RuntimeError("association rejected")
    matches = 0
    for status, answer in assoc.send_c_find(identifier, ModalityWorklistInformationFind):
        if status is None:
            raise RuntimeError("no answer (timeout)")
        if status.Status in (0xFF00, 0xFF01) and answer is not None:
            matches += 1
    assoc.release()
    return time.perf_counter() - started, matches


def findscu_keys(identifier: Dataset) -> list[str]:
    keys = ["-k", "SpecificCharacterSet=ISO_IR 192"]
    for element in identifier:
        if element.VR == "SQ":
            for sub in element.value[0]:
                keys += ["-k", f"{element.keyword}[0].{sub.keyword}={sub.value or ''}"]
        elif element.keyword != "SpecificCharacterSet":
            keys += ["-k", f"{element.keyword}={element.value or ''}"]
    return keys


def timed_findscu(port: int, keys: list[str], calling: str) -> tuple[float, int]:
    """The same query by dcmtk's findscu (C++, as many modalities): process start included."""
    started = time.perf_counter()
    done = subprocess.run(
        ["findscu", "-v", "-W", "-aet", calling, "-aec", "SMARTHIS", *keys, "127.0.0.1", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    return seconds, (done.stdout + done.stderr).count("(Pending)")


def measure(
    port: int, identifier: Dataset, calling: str, count: int, client: str
) -> dict[str, object]:
    ae = AE(ae_title=calling)
    ae.add_requested_context(ModalityWorklistInformationFind)
    keys = findscu_keys(identifier)

    def one() -> tuple[float, int]:
        if client == "findscu":
            return timed_findscu(port, keys, calling)
        return timed_find(ae, port, identifier, calling)

    for _ in range(5):  # warm-up: connections, query plans, caches
        one()
    samples, matches = [], set()
    for _ in range(count):
        seconds, found = one()
        samples.append(seconds)
        matches.add(found)
    return {**summary_ms(samples), "matches": sorted(matches)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--client",
        choices=("pynetdicom", "findscu"),
        default="pynetdicom",
        help="the modality: pynetdicom in this process, or dcmtk's findscu (a process a query)",
    )
    parser.add_argument("--serve-only", nargs=2, metavar=("URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_only:
        serve_only(args.serve_only[0], int(args.serve_only[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            prepare_postgres(name="smarthis_bench_dicom")
            if args.db == "postgres"
            else prepare_sqlite(Path(tmp))
        )
        db = Database(url)
        started = time.perf_counter()
        today_by_room = create_procedures(db, args.procedures)
        setup_s = time.perf_counter() - started
        db.dispose()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.worklist_bench", "--serve-only", url, str(port)],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        try:
            wait_until_serving(port)
            today = datetime.now(HOSPITAL_TZ).date()
            result = {
                "bench": "worklist",
                "db": args.db,
                "procedures": args.procedures,
                "queries_each": args.queries,
                "setup_s": round(setup_s, 2),
                "load_average_before": [round(x, 2) for x in os.getloadavg()],
                "client": args.client,
                "by_modality_date": measure(
                    port, query("CT", None, today), "CT01", args.queries, args.client
                ),
                "by_station_date": measure(
                    port, query(None, "CT01", today), "CT01", args.queries, args.client
                ),
                "today_in_CT-01": today_by_room.get("CT-01", 0),
            }
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
