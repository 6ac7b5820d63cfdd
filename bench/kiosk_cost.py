"""What one kiosk registration costs the app, with nothing else running against it.

    .venv/bin/python -m bench.kiosk_cost [--db postgres|sqlite] [--registrations 200]

One kiosk, one request at a time, against a real uvicorn worker (one process) and the BHXH
portal simulator: `GET /health`, `POST /api/kiosk/identify`, `GET /api/kiosk/choices`,
`POST /api/kiosk/register`, again and again. For each step: wall time (p50/p95) and the app
process's CPU time per request (from /proc, summed over the run). The queue bench measures
latency under load; this one says where a single request's time goes, so a change to the
hot path can be judged on a quiet machine in a minute. Figures go to
bench/results/kiosk-cost-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import httpx

from bench.cpu import process_cpu_s
from bench.fixtures import load_hospital, prepare_postgres, prepare_sqlite
from bench.servers import start_app, start_bhxh_simulator
from bench.stats import summary_ms

RESULTS = Path(__file__).parent / "results" / "kiosk-cost-latest.json"
WARM_UP = 10
DEADLINE_S = 300.0  # the loop stops by then whatever the count
STEPS = ("health", "identify", "choices", "register")


def run(db: str, registrations: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="smarthis-kiosk-cost-"))
    url = prepare_postgres() if db == "postgres" else prepare_sqlite(work)
    hospital = load_hospital(
        url, work, kiosks=1, boards=1, registrations=registrations, warm_up=WARM_UP
    )
    simulator = start_bhxh_simulator(hospital.cards_file, work)
    app = start_app(url, work, workers=1, env={"SMARTHIS_BHXH_PORTAL_URL": simulator.base_url})
    walls: dict[str, list[float]] = {step: [] for step in STEPS}
    cpu = dict.fromkeys(STEPS, 0.0)
    headers = {"Authorization": f"Bearer {hospital.kiosk_tokens[0]}"}
    cards = hospital.warm_up + hospital.registrations
    stop_at = time.monotonic() + DEADLINE_S
    try:
        with httpx.Client(base_url=app.base_url, timeout=30) as client:

            def step(name: str, method: str, path: str, measured: bool, **kw: object) -> dict:
                before, started = process_cpu_s(app.pid), time.perf_counter()
                response = client.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
                if measured:
                    walls[name].append(time.perf_counter() - started)
                    cpu[name] += process_cpu_s(app.pid) - before
                response.raise_for_status()
                return response.json()

            for index, card in enumerate(cards):
                if time.monotonic() > stop_at:
                    break
                measured = index >= WARM_UP
                step("health", "GET", "/health", measured)
                found = step(
                    "identify",
                    "POST",
                    "/api/kiosk/identify",
                    measured,
                    json={"qr_text": card.qr_text},
                )
                offered = step("choices", "GET", "/api/kiosk/choices", measured)
                specialties = [c["specialty"] for c in offered["specialties"] if c["specialty"]]
                step(
                    "register",
                    "POST",
                    "/api/kiosk/register",
                    measured,
                    json={
                        "patient_id": found["patient"]["id"],
                        "specialty": specialties[index % len(specialties)],
                        "idempotency_key": f"cost-{os.getpid()}-{index:05d}",
                    },
                )
    finally:
        app.kill()
        simulator.kill()
    return {
        "db": db,
        "registrations": len(walls["register"]),
        "steps": {
            name: {
                **summary_ms(walls[name]),
                "app_cpu_ms_per_request": round(1000 * cpu[name] / max(1, len(walls[name])), 1),
            }
            for name in STEPS
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--registrations", type=int, default=200)
    args = parser.parse_args(argv)
    if not 1 <= args.registrations <= 2000:
        parser.error("--registrations must be between 1 and 2000")
    result = run(args.db, args.registrations)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    count = result["registrations"]
    print(f"one kiosk, one request at a time — {result['db']}, {count} registrations")
    print(f"{'step':<10}{'p50 ms':>9}{'p95 ms':>9}{'app CPU ms':>12}")
    for name, figures in result["steps"].items():  # type: ignore[union-attr]
        print(
            f"{name:<10}{figures['p50_ms']:>9}{figures['p95_ms']:>9}"
            f"{figures['app_cpu_ms_per_request']:>12}"
        )
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
