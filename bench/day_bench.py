"""A hospital's outpatient day replayed through the public HTTP API, against real servers.

    .venv/bin/python -m bench.day_bench [--db postgres|sqlite] [--visits 8000] [--kiosks 100]
        [--boards 100] [--workers N] [--span-s S] [--seed N] [--keep]

N visits arrive over a compressed opening day (a morning peak), each walks its whole
journey (kiosk registration with the card check at the portal simulator, the doctor's call
and examination, lab and imaging orders with results entered and verified by two people,
conclusion and prescription, payment at the cashier when the build has billing) while
display boards watch the examination area. Figures go to bench/results/latest.json;
bench/README.md explains them. Everything runs on 127.0.0.1; every loop has a deadline and a
watchdog ends the run (and the servers it started) 15 minutes after they start (the set-up
before them, which starts no server, has its own 15 minutes: 8,000 people take a few).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import day_journey as journey
from bench.cpu import CpuSnapshot
from bench.day_plan import Mix, plan_visits
from bench.day_report import results, summary_table
from bench.fixtures import KIOSK_AREA, Hospital, load_hospital, prepare_postgres, prepare_sqlite
from bench.queue_bench import Boards, measure_ceiling
from bench.servers import Server, kill_group, start_app, start_bhxh_simulator

RESULTS_DIR = Path(__file__).parent / "results"
PG_DATABASE = "smarthis_bench_day"  # its own: other benches beside it keep theirs
SETUP_LIMIT_S = 900.0  # the database and the hospital (no server runs yet)
HARD_LIMIT_S = 900.0  # from the servers' start: the watchdog ends everything by then
REPLAY_LIMIT_S = 600.0  # journeys not finished by then are reported unfinished
CEILING_S = 3.0
BOARD_CONNECT_S = 30.0
SECONDS_PER_VISIT = 0.026  # default --span-s: 8,000 arrivals over 208 s, room to finish in 5 min
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
KEEPALIVE_EXPIRY_S = 2.0  # below uvicorn's 5 s: see bench/README.md (ReadError race)
DESKS_PER_KIND = 2  # result entry and verification workstations of each kind
CASHIER_DESKS = 2
DOCTORS = ("bs.nam", "bs.lan", "bs.tuan")  # the demo's doctors share the examination rooms
# The demo has one lab technician and one radiologist; verification needs a second person.
SECOND_STAFF = (
    ("ktv.xn2", "Lý Thị Hằng", "lab_technician", "KXN"),
    ("bs.cdha2", "Trịnh Văn Quang", "radiologist", "KCDHA"),
)
LAB_SAMPLER, LAB_VERIFIER = "ktv.xn", "ktv.xn2"
IMAGING_TECHNICIAN, RADIOLOGIST, RADIOLOGY_VERIFIER = "ktv.cdha", "bs.cdha", "bs.cdha2"
CASHIER = "thungan"
ROOM_KINDS = ("examination", "lab", "xray", "ultrasound")

_started: list[Server] = []  # what the watchdog must end if the run overstays


def pool(size: int) -> httpx.Limits:
    return httpx.Limits(
        max_connections=size, max_keepalive_connections=size, keepalive_expiry=KEEPALIVE_EXPIRY_S
    )


# -- set-up (not measured) -----------------------------------------------------------------


def add_second_staff(url: str, password: str) -> None:
    """The second lab technician and radiologist who verify what the first entered (the
    demo hospital has them now; added only where it does not)."""
    from sqlalchemy import select

    from smarthis.db import Database
    from smarthis.security.models import Staff
    from smarthis.security.service import create_staff

    db = Database(url)
    try:
        with db.session() as session:
            present = set(session.scalars(select(Staff.login)))
            for login, name, role, department in SECOND_STAFF:
                if login in present:
                    continue
                create_staff(
                    session,
                    facility_code="48001",
                    login=login,
                    full_name=name,
                    role=role,
                    password=password,
                    department_code=department,
                )
    finally:
        db.dispose()


async def sign_in(client: httpx.AsyncClient, login: str, password: str) -> journey.Staff:
    response = await client.post("/api/auth/token", json={"login": login, "password": password})
    response.raise_for_status()
    return journey.Staff(login, response.json()["token"])


async def rooms_by_kind(client: httpx.AsyncClient, staff: journey.Staff) -> dict[str, list[str]]:
    """The rooms the day uses: the examination rooms of the kiosk's area (the emergency
    room takes no kiosk patients), the lab sampling room, the X-ray and ultrasound rooms."""
    response = await client.get("/api/queue/points", headers=staff.headers)
    response.raise_for_status()
    found: dict[str, list[str]] = {kind: [] for kind in ROOM_KINDS}
    for point in response.json():
        if point["kind"] == "examination" and point["area"] != KIOSK_AREA:
            continue
        if point["kind"] in found:
            found[point["kind"]].append(point["code"])
    return found


async def billing_routes(client: httpx.AsyncClient) -> bool:
    """Whether this build serves the cashier's invoice and cash payment routes."""
    paths = (await client.get("/openapi.json")).json().get("paths", {})
    wanted = (
        "/api/billing/visits/{visit_id}/invoice",
        "/api/billing/invoices/{invoice_id}/payments",
    )
    return all(path in paths for path in wanted)


# -- the replay ----------------------------------------------------------------------------


async def arrivals(day: journey.Day, visits: list[journey.Visit], kiosk_tokens: list[str]) -> None:
    """Each patient arrives at the planned moment and waits for a free kiosk."""
    free: asyncio.Queue[str] = asyncio.Queue()
    for token in kiosk_tokens:
        free.put_nowait(token)
    started = time.perf_counter()

    async def arrive(visit: journey.Visit) -> None:
        visit.arrived_at = time.perf_counter()
        token = await free.get()
        day.rec.samples["kiosk_wait"].append(time.perf_counter() - visit.arrived_at)
        try:
            ok = await journey.register(day, token, visit)
        finally:
            free.put_nowait(token)
        if not ok:
            day.finish(visit, ok=False)

    tasks: list[asyncio.Task[None]] = []
    for visit in visits:
        if time.monotonic() > day.deadline:
            break
        delay = visit.plan.arrival_s - (time.perf_counter() - started)
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(arrive(visit)))
    await asyncio.gather(*tasks, return_exceptions=True)


def workstations(
    day: journey.Day, staff: dict[str, journey.Staff], rooms: dict[str, list[str]]
) -> list[Any]:
    """The coroutines of every workstation of the day."""
    doctors = [staff[login] for login in DOCTORS]
    work: list[Any] = [
        journey.doctor_room(day, doctors[i % len(doctors)], room)
        for i, room in enumerate(rooms.get("examination", []))
    ]
    for room in rooms.get("lab", []):
        work.append(
            journey.paraclinical_room(day, staff[LAB_SAMPLER], room, journey.take_specimens)
        )
    for room in rooms.get("xray", []) + rooms.get("ultrasound", []):
        work.append(
            journey.paraclinical_room(day, staff[IMAGING_TECHNICIAN], room, journey.no_request)
        )
    for _ in range(DESKS_PER_KIND):
        work += [
            journey.item_desk(
                day, staff[LAB_SAMPLER], day.lab_bench, journey.enter_lab, day.lab_verify
            ),
            journey.item_desk(day, staff[LAB_VERIFIER], day.lab_verify, journey.verify, None),
            journey.item_desk(
                day, staff[RADIOLOGIST], day.reading, journey.enter_report, day.report_verify
            ),
            journey.item_desk(
                day, staff[RADIOLOGY_VERIFIER], day.report_verify, journey.verify, None
            ),
        ]
    if day.billing:
        work += [journey.cashier_desk(day, staff[CASHIER]) for _ in range(CASHIER_DESKS)]
    return work


async def replay(
    args: argparse.Namespace, app: Server, simulator: Server, hospital: Hospital, deadline: float
) -> dict[str, Any]:
    base = app.base_url
    run_id = datetime.now(UTC).strftime("%H%M%S")
    async with httpx.AsyncClient(base_url=base, limits=pool(32), timeout=REQUEST_TIMEOUT) as setup:
        await asyncio.gather(*(setup.get("/health") for _ in range(32)))  # warm every worker
        billing = await billing_routes(setup)
        logins = {
            *DOCTORS,
            LAB_SAMPLER,
            LAB_VERIFIER,
            IMAGING_TECHNICIAN,
            RADIOLOGIST,
            RADIOLOGY_VERIFIER,
            CASHIER,
        }
        staff = {
            s.login: s
            for s in [
                await sign_in(setup, login, hospital.staff_password) for login in sorted(logins)
            ]
        }
        rooms = await rooms_by_kind(setup, staff[DOCTORS[0]])
    ceiling_rps = await measure_ceiling(base, args.kiosks, CEILING_S)

    plans = plan_visits(args.visits, args.span_s, args.peak_share, Mix(), args.seed, date.today())
    visits = [
        journey.Visit(i, card, plan)
        for i, (card, plan) in enumerate(zip(hospital.registrations, plans, strict=True))
    ]
    boards = Boards()
    # One connection per workstation at most: kiosks, rooms, desks, cashiers (+ spare).
    size = args.kiosks + sum(len(r) for r in rooms.values()) + 4 * DESKS_PER_KIND + 10
    client = httpx.AsyncClient(base_url=base, limits=pool(size), timeout=REQUEST_TIMEOUT)
    day = journey.Day(
        client=client,
        rec=journey.DayRecorder(),
        deadline=deadline,
        run_id=run_id,
        billing=billing,
        visits_total=len(visits),
    )
    day.boards_live = lambda: len(boards.live)
    tasks: list[asyncio.Task[Any]] = []
    try:
        await boards.connect(base, hospital.board_tokens, args.boards, BOARD_CONNECT_S)
        boards_connected = len(boards.live)
        app_pids = app.worker_pids()
        cpu_before = CpuSnapshot.take(app_pids, simulator.pid)
        started = time.perf_counter()
        tasks = [asyncio.create_task(w) for w in workstations(day, staff, rooms)]
        arriving = asyncio.create_task(arrivals(day, visits, hospital.kiosk_tokens))
        tasks.append(arriving)
        await asyncio.wait_for(day.all_done.wait(), timeout=max(1.0, deadline - time.monotonic()))
    except TimeoutError:
        pass  # unfinished journeys are reported as such
    finally:
        duration = time.perf_counter() - started if tasks else 0.0
        cpu = (
            CpuSnapshot.take(app.worker_pids(), simulator.pid).since(cpu_before, duration)
            if tasks
            else {}
        )
        await asyncio.sleep(0.5)  # a board event in flight at the end is still counted
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await boards.close()
        await client.aclose()
    return {
        "day": day,
        "boards": boards,
        "boards_connected": boards_connected,
        "duration_s": duration,
        "ceiling_rps": ceiling_rps,
        "cpu": cpu,
        "rooms": rooms,
        "replay_started": started,
    }


# -- the command ---------------------------------------------------------------------------


def _watchdog(limit_s: float, phase: str) -> threading.Timer:
    def overstayed() -> None:
        print(f"day bench: {phase} still running after {limit_s:.0f} s, stopping", flush=True)
        for server in _started:
            kill_group(server.pid)
        os._exit(3)

    timer = threading.Timer(limit_s, overstayed)
    timer.daemon = True
    timer.start()
    return timer


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.day_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--visits", type=int, default=8000)
    parser.add_argument("--kiosks", type=int, default=100)
    parser.add_argument("--boards", type=int, default=100)
    parser.add_argument(
        "--workers", type=int, default=None, help="uvicorn workers (PostgreSQL 2; SQLite 1 only)"
    )
    parser.add_argument(
        "--span-s",
        type=float,
        default=None,
        help=f"seconds the arrivals span (default {SECONDS_PER_VISIT} x visits)",
    )
    parser.add_argument(
        "--peak-share", type=float, default=0.4, help="share arriving in the first two hours"
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite)")
    args = parser.parse_args(argv)
    if not 1 <= args.visits <= 20_000:
        parser.error("--visits must be between 1 and 20000")
    for name in ("kiosks", "boards"):
        if not 1 <= getattr(args, name) <= 1000:
            parser.error(f"--{name} must be between 1 and 1000")
    if not 0.0 <= args.peak_share <= 1.0:
        parser.error("--peak-share must be between 0 and 1")
    if args.span_s is None:
        args.span_s = max(10.0, round(args.visits * SECONDS_PER_VISIT, 1))
    if not 1.0 <= args.span_s <= REPLAY_LIMIT_S:
        parser.error(f"--span-s must be between 1 and {REPLAY_LIMIT_S:.0f}")
    if args.workers is None:
        args.workers = 2 if args.db == "postgres" else 1
    if args.db == "sqlite" and args.workers != 1:
        parser.error("SQLite runs one process: --workers 1")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be between 1 and 16")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    watchdog = _watchdog(SETUP_LIMIT_S, "the set-up")
    temp = Path(tempfile.mkdtemp(prefix="smarthis-day-bench-"))
    try:
        load_before = [round(v, 2) for v in os.getloadavg()]
        print(f"preparing {args.db} (load average {load_before[0]}) ...", flush=True)
        url = prepare_postgres(name=PG_DATABASE) if args.db == "postgres" else prepare_sqlite(temp)
        migrated = time.monotonic()
        hospital = load_hospital(
            url, temp, kiosks=args.kiosks, boards=args.boards, registrations=args.visits, warm_up=0
        )
        add_second_staff(url, hospital.staff_password)
        setup = {
            "migrate_s": round(migrated - started, 1),
            "hospital_s": round(time.monotonic() - migrated, 1),
        }
        print(
            f"set-up: {setup} ({hospital.extra_insured_added} insured patients added)", flush=True
        )
        watchdog.cancel()
        watchdog = _watchdog(HARD_LIMIT_S, "the run")
        servers_started = time.monotonic()
        simulator = start_bhxh_simulator(hospital.cards_file, temp)
        _started.append(simulator)
        env = {
            "SMARTHIS_DATA_DIR": str(temp),
            "SMARTHIS_BHXH_PORTAL_URL": simulator.base_url,
            "SMARTHIS_BHXH_SIM_CARDS_FILE": str(hospital.cards_file),
        }
        app = start_app(url, temp, workers=args.workers, env=env)
        _started.append(app)
        print(
            f"app on {app.base_url} (pids {app.worker_pids()}); replaying {args.visits} "
            f"visits over {args.span_s} s ...",
            flush=True,
        )
        deadline = min(time.monotonic() + REPLAY_LIMIT_S, servers_started + HARD_LIMIT_S - 90)
        measured = asyncio.run(replay(args, app, simulator, hospital, deadline))
        sim_stats = httpx.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()
        out = results(args, measured, sim_stats, setup, load_before)
        RESULTS_DIR.mkdir(exist_ok=True)
        text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
        (RESULTS_DIR / "latest.json").write_text(text, encoding="utf-8")
        (RESULTS_DIR / f"day-{args.db}-latest.json").write_text(text, encoding="utf-8")
        print(summary_table(out))
        print(
            f"results: {RESULTS_DIR / 'latest.json'}  (run took {time.monotonic() - started:.0f} s)"
        )
        for server in _started:
            if "Traceback" in server.log_tail(100_000):
                print(f"note: {server.name} logged a traceback:\n{server.log_tail(30)}")
        return 0
    except BaseException:
        for server in _started:
            print(f"--- {server.name} log (last lines) ---\n{server.log_tail(30)}", file=sys.stderr)
        raise
    finally:
        for server in reversed(_started):
            server.stop()
        _started.clear()
        watchdog.cancel()
        if args.keep:
            print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
