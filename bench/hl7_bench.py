"""HL7 result messages per second through the LIS listener, over real MLLP sockets.

The listener runs in its own process (as under `smarthis serve`); this process plays the
LIS: `--connections` persistent connections, each sending its share of ORU^R01 messages one
after the other and waiting for each ACK (as a LIS does). Every message carries the values
of one ordered test (a mix of one-analyte chemistry and nine-analyte blood counts) for an
order item created beforehand. Prints one JSON summary.

    .venv/bin/python -m bench.hl7_bench [--db sqlite|postgres] [--messages 1000]
        [--connections 4]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.fixtures import prepare_postgres, prepare_sqlite
from bench.stats import summary_ms
from smarthis.catalogs.service_catalog import find_service
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.demo.people import generate_people
from smarthis.integrations.hl7.mllp import MllpClient
from smarthis.integrations.hl7.simulator import OrderedTest, ReceivedOrder, build_result_message
from smarthis.orders.models import LabResult, Order, OrderItem
from smarthis.patients.models import Patient
from smarthis.text import fold

FACILITY = "48001"
PEOPLE_SEED = 7_700_021
# One message per ordered test: mostly single chemistry tests, a quarter blood counts.
SERVICE_MIX = ("XN-GLU", "XN-URE", "XN-CRE", "XN-CBC")
DEADLINE_S = 540
# Its own database: the other benches drop and recreate theirs ("smarthis_bench").
PG_DATABASE = "smarthis_hl7_bench"


def create_lab_items(db: Database, count: int) -> list[tuple[int, str, Patient]]:
    """`count` lab order items (one per patient, visit and order), inserted in bulk."""
    people = generate_people(count, seed=PEOPLE_SEED)
    now = datetime.now(UTC)
    out: list[tuple[int, str, Patient]] = []
    with db.session() as session:
        for n, person in enumerate(people):
            patient = Patient(
                facility_code=FACILITY,
                mrn=f"HL7{n:07d}",
                full_name=person.full_name,
                name_folded=fold(person.full_name),
                date_of_birth=person.date_of_birth,
                birth_year=person.date_of_birth.year,
                sex=person.sex,
            )
            session.add(patient)
            session.flush()
            visit = Visit(
                facility_code=FACILITY,
                visit_number=f"HL7{n:07d}",
                patient_id=patient.id,
                registered_by="bench",
                arrival_mode="self_referred",
            )
            session.add(visit)
            session.flush()
            order = Order(
                facility_code=FACILITY,
                visit_id=visit.id,
                patient_id=patient.id,
                ordered_by="bench",
                ordered_at=now,
            )
            session.add(order)
            session.flush()
            code = SERVICE_MIX[n % len(SERVICE_MIX)]
            service = find_service(code)
            item = OrderItem(
                facility_code=FACILITY,
                order_id=order.id,
                service_code=code,
                service_name=service.name_vi,
                kind="lab",
                point_kind="lab",
                status="in_progress",
                hospital_price_vnd=service.hospital_price_vnd,
                insurance_price_vnd=service.insurance_price_vnd,
                status_changed_at=now,
            )
            session.add(item)
            session.flush()
            out.append((item.id, code, patient))
    return out


def result_messages(items: list[tuple[int, str, Patient]]) -> tuple[list[str], int]:
    """One ORU^R01 per item with a plausible value for every analyte; and the analyte count."""
    rng = random.Random(PEOPLE_SEED)
    fillers = iter(range(1, 10**9))
    messages: list[str] = []
    analytes = 0
    for n, (item_id, code, patient) in enumerate(items):
        birth = patient.date_of_birth
        order = ReceivedOrder(
            control_id=f"B{n:08d}",
            pid=f"PID|1||{patient.mrn}^^^SMARTHIS^MR||x||{birth:%Y%m%d}",
            sex=patient.sex,
            age_years=(datetime.now(UTC).date() - birth).days / 365.2425,
            tests=[OrderedTest(f"{item_id}^SMARTHIS", code, f"{code}^^L")],
        )
        messages.append(build_result_message(order, lambda: f"F{next(fillers)}", rng))
        analytes += len(find_service(code).analytes)
    return messages, analytes


def start_listener(url: str) -> tuple[subprocess.Popen[str], int]:
    """The listener in a child process on a free port; it prints the port when ready."""
    code = (
        "import sys, time\n"
        "from smarthis.config import Settings\n"
        "from smarthis.db import Database\n"
        "from smarthis.integrations.hl7.listener import LisListener\n"
        f"s = Settings(database_url={url!r}, facility_code={FACILITY!r}, lis_listen_port=0)\n"
        "listener = LisListener(s, Database(s.database_url)).start()\n"
        "print(listener.port, flush=True)\n"
        "sys.stdin.read()\n"
        "listener.stop()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise RuntimeError("the listener did not start")
    return process, int(line)


def run_connections(
    port: int, messages: list[str], connections: int
) -> tuple[list[float], dict[str, int], float]:
    latencies: list[float] = []
    acks: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE_S

    def worker(share: list[str]) -> None:
        mine: list[float] = []
        codes: dict[str, int] = {}
        with MllpClient("127.0.0.1", port, timeout_s=30) as client:
            for text in share:
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                answer = client.exchange(text)
                mine.append(time.perf_counter() - started)
                msa = next((s for s in answer.split("\r") if s.startswith("MSA")), "MSA|??")
                code = msa.split("|")[1]
                codes[code] = codes.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                acks[code] = acks.get(code, 0) + n

    threads = [
        threading.Thread(target=worker, args=(messages[i::connections],))
        for i in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, acks, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.db == "postgres":
            url = prepare_postgres(name=PG_DATABASE)
        else:
            url = prepare_sqlite(Path(tmp))
        db = Database(url)
        items = create_lab_items(db, args.messages)
        messages, analytes = result_messages(items)
        listener, port = start_listener(url)
        try:
            latencies, acks, duration = run_connections(port, messages, args.connections)
        finally:
            assert listener.stdin is not None
            listener.stdin.close()
            listener.wait(timeout=30)
        with db.session() as session:
            written = session.execute(select(func.count()).select_from(LabResult)).scalar_one()
        db.dispose()

    print(
        json.dumps(
            {
                "bench": "hl7_oru_listener",
                "db": args.db,
                "messages": len(latencies),
                "connections": args.connections,
                "analytes_per_message": round(analytes / max(len(messages), 1), 2),
                "duration_s": round(duration, 3),
                "messages_per_s": round(len(latencies) / duration, 1) if duration else None,
                "acks": acks,
                "results_expected": analytes,
                "results_written": written,
                "latency": summary_ms(latencies),
                "cpu_count": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
