"""Kiosk registration latency and call-to-board latency, against real server processes.

    .venv/bin/python -m bench.queue_bench [--db postgres|sqlite] [--kiosks 50]
        [--registrations 500] [--boards 100] [--calls 200] [--workers N]

Everything runs on 127.0.0.1: the app under uvicorn, the BHXH portal simulator, the
database and this load generator (its kiosks in a child process, the boards and the caller
in this one) share the machine. Every loop has a count and a deadline,
and a watchdog ends the run (and the servers it started) before 10 minutes. Figures go to
bench/results/queue-latest.json; bench/README.md explains them and the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx

from bench.cpu import CpuSnapshot, self_cpu_s
from bench.fixtures import (
    KIOSK_AREA,
    Hospital,
    ScannedCard,
    load_hospital,
    prepare_postgres,
    prepare_sqlite,
)
from bench.http_client import HttpError, KioskConnection
from bench.servers import Server, kill_group, start_app, start_bhxh_simulator
from bench.sse_client import StreamRefused, sse_lines
from bench.stats import summary_ms

RESULTS_DIR = Path(__file__).parent / "results"
HARD_LIMIT_S = 570.0  # the watchdog ends the whole run (servers included) by then
KIOSK_PHASE_S = 240.0
CALL_PHASE_S = 120.0
BOARD_CONNECT_S = 30.0
CEILING_S = 3.0
CALL_DELIVERY_TIMEOUT_S = 5.0  # a board that has not shown a call by then missed it
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
REQUEST_TIMEOUT_S = 30.0
STREAM_READ_TIMEOUT_S = 60.0  # the server sends a keepalive every 15 s
GOAL_REGISTRATION_P95_MS = 50.0
GOAL_CALL_TO_BOARD_P99_MS = 250.0
MAX_ERROR_SAMPLES = 10
KEEPALIVE_EXPIRY_S = 2.0
EMPTY_ROOM_PAUSE_S = 0.2  # --calls-during-kiosk: a caller whose room is empty looks again
DOCTOR_LOGIN = "bs.nam"
RECEPTION_LOGIN = "letan.hoa"
WARM_UP_REGISTRATIONS = 6

_started: list[Server] = []  # what the watchdog must end if the run overstays
# The kiosks' own connections (bench/http_client.py) or, for the warm-up, an httpx client.
Client = KioskConnection | httpx.AsyncClient


# -- measuring -----------------------------------------------------------------------------


@dataclass
class Recorder:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[dict[str, str]] = field(default_factory=list)
    requests: int = 0

    def error(self, step: str, detail: str) -> None:
        self.errors[step] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append({"step": step, "detail": detail[:400]})

    async def timed(
        self, client: Client, method: str, url: str, step: str, **kwargs: Any
    ) -> tuple[Any, float] | None:
        """The response and its latency in seconds, or None (counted as an error) for a
        transport error or any answer outside 2xx."""
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except (httpx.HTTPError, HttpError) as exc:
            self.requests += 1
            self.error(step, f"{type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        self.requests += 1
        if not 200 <= response.status_code < 300:
            self.error(step, f"HTTP {response.status_code}: {response.text}")
            return None
        self.samples[step].append(elapsed)
        return response, elapsed


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _pool(size: int) -> httpx.Limits:
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends them: reusing one the
    # server is closing at that instant fails with ReadError (a client-side race).
    return httpx.Limits(
        max_connections=size, max_keepalive_connections=size, keepalive_expiry=KEEPALIVE_EXPIRY_S
    )


# -- kiosks --------------------------------------------------------------------------------


@dataclass
class KioskOutcome:
    completed: int = 0
    duration_s: float = 0.0
    unfinished: int = 0
    insurance: Counter[str] = field(default_factory=Counter)
    tickets: list[str] = field(default_factory=list)


async def _register_one(
    client: Client,
    rec: Recorder,
    headers: dict[str, str],
    card: ScannedCard,
    key: str,
    rng: random.Random,
    outcome: KioskOutcome,
    think_s: float = 0.0,
) -> None:
    """identify -> choices -> register, as the kiosk page does; with `think_s` the patient
    reads the insurance answer before choosing, and the next one steps up after the ticket."""
    found = await rec.timed(
        client,
        "POST",
        "/api/kiosk/identify",
        "identify",
        json={"qr_text": card.qr_text},
        headers=headers,
    )
    if found is None:
        return
    identified, identify_s = found
    rec.samples["identify_existing_insured" if card.existing else "identify_new"].append(identify_s)
    body = identified.json()
    outcome.insurance[body["insurance"]["status"]] += 1
    if think_s:
        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
    listed = await rec.timed(client, "GET", "/api/kiosk/choices", "choices", headers=headers)
    if listed is None:
        return
    specialties = [c["specialty"] for c in listed[0].json()["specialties"] if c["specialty"]]
    if not specialties:
        rec.error("choices", "no examination specialty offered")
        return
    registered = await rec.timed(
        client,
        "POST",
        "/api/kiosk/register",
        "register",
        json={
            "patient_id": body["patient"]["id"],
            "specialty": rng.choice(specialties),
            "idempotency_key": key,
        },
        headers=headers,
    )
    if registered is None:
        return
    response, register_s = registered
    rec.samples["registration_total"].append(identify_s + register_s)
    outcome.tickets.append(response.json()["ticket"]["display_number"])
    outcome.completed += 1
    if think_s:
        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))


async def run_kiosks(
    base_url: str,
    kiosk_tokens: list[str],
    cards: list[ScannedCard],
    kiosks: int,
    rec: Recorder,
    run_id: str,
    deadline: float,
    think_s: float = 0.0,
) -> KioskOutcome:
    """`kiosks` tasks pull registrations from one work queue until it is empty or the
    deadline passes."""
    work: asyncio.Queue[tuple[int, ScannedCard]] = asyncio.Queue()
    for index, card in enumerate(cards):
        work.put_nowait((index, card))
    outcome = KioskOutcome()

    async def kiosk(number: int) -> None:
        headers = _bearer(kiosk_tokens[number % len(kiosk_tokens)])
        rng = random.Random(number)
        client = KioskConnection(base_url, KEEPALIVE_EXPIRY_S, REQUEST_TIMEOUT_S)
        if think_s:
            # Patients do not all scan in the same millisecond: kiosks start spread out
            # over one registration cycle (two pauses).
            await asyncio.sleep(rng.uniform(0, 2 * think_s))
        try:
            while time.monotonic() < deadline:
                try:
                    index, card = work.get_nowait()
                except asyncio.QueueEmpty:
                    return
                key = f"bench-{run_id}-{index:05d}"
                await _register_one(client, rec, headers, card, key, rng, outcome, think_s)
        finally:
            client.close()

    started = time.perf_counter()
    tasks = [asyncio.create_task(kiosk(k)) for k in range(kiosks)]
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    outcome.duration_s = time.perf_counter() - started
    outcome.unfinished = work.qsize() + len(pending)
    return outcome


def _kiosks_in_own_process(
    base_url: str,
    kiosk_tokens: list[str],
    cards: list[ScannedCard],
    kiosks: int,
    run_id: str,
    deadline: float,
    think_s: float,
) -> dict[str, Any]:
    """run_kiosks in a process of its own (the kiosks are devices of their own: their
    answers must not wait behind the boards' streams in one event loop). `deadline` is a
    time.monotonic() value, the same clock in every process on Linux."""
    rec = Recorder()
    cpu_before = self_cpu_s()
    outcome = asyncio.run(
        run_kiosks(base_url, kiosk_tokens, cards, kiosks, rec, run_id, deadline, think_s)
    )
    return {
        "outcome": outcome,
        "samples": dict(rec.samples),
        "errors": dict(rec.errors),
        "error_samples": rec.error_samples,
        "requests": rec.requests,
        "cpu_s": self_cpu_s() - cpu_before,
    }


def _merge(rec: Recorder, child: dict[str, Any]) -> None:
    for step, values in child["samples"].items():
        rec.samples[step].extend(values)
    rec.errors.update(child["errors"])
    room = MAX_ERROR_SAMPLES - len(rec.error_samples)
    rec.error_samples.extend(child["error_samples"][: max(0, room)])
    rec.requests += child["requests"]


async def warm_up(base_url: str, hospital: Hospital, run_id: str) -> None:
    """A few of each request, on several connections so every worker sees some; not measured."""
    rec = Recorder()
    async with httpx.AsyncClient(
        base_url=base_url, limits=_pool(8), timeout=REQUEST_TIMEOUT
    ) as client:
        await asyncio.gather(*(client.get("/health") for _ in range(32)))
        cards = hospital.warm_up[:WARM_UP_REGISTRATIONS]
        outcome = KioskOutcome()
        await asyncio.gather(
            *(
                _register_one(
                    client,
                    rec,
                    _bearer(hospital.kiosk_tokens[i % len(hospital.kiosk_tokens)]),
                    card,
                    f"warm-{run_id}-{i:03d}",
                    random.Random(i),
                    outcome,
                )
                for i, card in enumerate(cards)
            )
        )
    if rec.errors:
        raise RuntimeError(f"warm-up failed: {rec.error_samples}")


async def measure_ceiling(base_url: str, concurrency: int, seconds: float) -> float:
    """GET /health (one SELECT 1) as fast as `concurrency` clients can: what this machine
    serves when the route does next to nothing."""
    done = 0
    failed = 0

    async def client_loop(client: httpx.AsyncClient, until: float) -> None:
        nonlocal done, failed
        while time.monotonic() < until:
            try:
                response = await client.get("/health")
            except httpx.HTTPError:
                failed += 1
                continue
            if response.status_code == 200:
                done += 1
            else:
                failed += 1

    async with httpx.AsyncClient(
        base_url=base_url, limits=_pool(concurrency), timeout=REQUEST_TIMEOUT
    ) as client:
        started = time.monotonic()
        until = started + seconds
        await asyncio.wait_for(
            asyncio.gather(*(client_loop(client, until) for _ in range(concurrency))),
            timeout=seconds + 35,
        )
        elapsed = time.monotonic() - started
    return done / elapsed if elapsed > 0 else 0.0


# -- display boards and the caller ----------------------------------------------------------


class Boards:
    """Board clients on the area's SSE stream; each notes when it sees every `called` event."""

    def __init__(self) -> None:
        self.live: set[int] = set()
        self.arrivals: dict[str, list[float]] = {}
        self.complete: dict[str, asyncio.Event] = {}
        self.errors: Counter[str] = Counter()
        self.error_samples: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []

    def all_arrived(self, display_number: str) -> asyncio.Event:
        return self.complete.setdefault(display_number, asyncio.Event())

    def _error(self, detail: str) -> None:
        self.errors["board"] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(detail[:400])

    async def board(self, number: int, base_url: str, token: str) -> None:
        path = f"/api/display/{KIOSK_AREA}/events"
        try:
            async for line in sse_lines(base_url, path, token, STREAM_READ_TIMEOUT_S):
                if line.startswith("retry:"):
                    # Sent once the stream has subscribed: from now on no call is missed.
                    self.live.add(number)
                    continue
                if not line.startswith("data: ") or '"called"' not in line:
                    continue
                seen = time.perf_counter()
                event = json.loads(line[6:])
                if event.get("kind") != "called":
                    continue
                display_number = event.get("display_number")
                arrived = self.arrivals.setdefault(display_number, [])
                arrived.append(seen)
                if len(arrived) >= len(self.live):
                    self.all_arrived(display_number).set()
        except asyncio.CancelledError:
            raise
        except (OSError, ValueError, asyncio.IncompleteReadError, StreamRefused) as exc:
            self._error(f"{type(exc).__name__}: {exc}")
        finally:
            self.live.discard(number)

    async def connect(self, base_url: str, tokens: list[str], count: int, timeout: float) -> None:
        for number in range(count):
            self.tasks.append(
                asyncio.create_task(self.board(number, base_url, tokens[number % len(tokens)]))
            )
            if number % 10 == 9:
                await asyncio.sleep(0.05)  # boards come on in small waves, as they power up
        until = time.monotonic() + timeout
        while len(self.live) < count and time.monotonic() < until:
            if all(t.done() for t in self.tasks):
                break
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


@dataclass
class CallOutcome:
    latencies: list[float] = field(default_factory=list)
    calls: int = 0
    missed_deliveries: int = 0
    rooms: list[str] = field(default_factory=list)
    # (display number, boards expected, boards that had shown it within the timeout)
    incomplete: list[tuple[str, int, int]] = field(default_factory=list)


async def run_calls(
    client: httpx.AsyncClient,
    boards: Boards,
    doctor_token: str,
    rooms: list[str],
    calls: int,
    rec: Recorder,
    deadline: float,
    more_patients_coming: Callable[[], bool] = lambda: False,
) -> CallOutcome:
    """One caller calls next round the rooms; each call waits until every board has shown
    it (or CALL_DELIVERY_TIMEOUT_S) before the next, so calls do not queue behind each other.
    While `more_patients_coming()`, an empty room is tried again later instead of closed."""
    outcome = CallOutcome(rooms=list(rooms))
    open_rooms = list(rooms)
    headers = _bearer(doctor_token)
    for attempt in range(calls * 50):
        if outcome.calls >= calls or not open_rooms or time.monotonic() > deadline:
            break
        room = open_rooms[attempt % len(open_rooms)]
        expected = len(boards.live)
        sent = time.perf_counter()
        answered = await rec.timed(
            client, "POST", f"/api/queue/points/{room}/call-next", "call_next", headers=headers
        )
        if answered is None:
            continue
        ticket = answered[0].json()
        if ticket is None:  # nobody waits for this room (yet)
            if more_patients_coming():
                await asyncio.sleep(EMPTY_ROOM_PAUSE_S)
            else:
                open_rooms.remove(room)
            continue
        display_number = ticket["display_number"]
        if len(boards.arrivals.get(display_number, [])) < expected:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    boards.all_arrived(display_number).wait(), CALL_DELIVERY_TIMEOUT_S
                )
        arrived = boards.arrivals.get(display_number, [])
        outcome.latencies.extend(seen - sent for seen in arrived)
        outcome.missed_deliveries += max(0, expected - len(arrived))
        if len(arrived) < expected:
            outcome.incomplete.append((display_number, expected, len(arrived)))
        outcome.calls += 1
    return outcome


async def _token(client: httpx.AsyncClient, login: str, password: str) -> str:
    response = await client.post("/api/auth/token", json={"login": login, "password": password})
    response.raise_for_status()
    return response.json()["token"]


async def _examination_rooms(client: httpx.AsyncClient, token: str) -> list[str]:
    response = await client.get("/api/queue/points", headers=_bearer(token))
    response.raise_for_status()
    return [
        p["code"] for p in response.json() if p["area"] == KIOSK_AREA and p["kind"] == "examination"
    ]


async def _top_up_tickets(
    client: httpx.AsyncClient, token: str, rooms: list[str], count: int, run_id: str
) -> None:
    """When fewer patients registered than calls are wanted, reception hands out numbers."""
    for i in range(count):
        response = await client.post(
            "/api/queue/tickets",
            json={"point_code": rooms[i % len(rooms)], "idempotency_key": f"top-{run_id}-{i:05d}"},
            headers=_bearer(token),
        )
        response.raise_for_status()


# -- the run -------------------------------------------------------------------------------


@dataclass
class Profiler:
    """py-spy recording the app's workers during one phase (--profile)."""

    directory: Path
    pid: int
    cpu_only: bool = False  # --gil: only the thread holding the GIL (where CPU goes)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, phase: str, seconds: float) -> None:
        exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if not Path(exe).exists():
            print("py-spy is not installed (.venv/bin/pip install py-spy): no profile")
            return
        out = self.directory / f"{phase}.txt"
        argv = [exe, "record", "--pid", str(self.pid), "--subprocesses", "--format", "raw"]
        argv += ["--rate", "100", "--duration", str(int(seconds)), "-o", str(out)]
        if self.cpu_only:
            argv.append("--gil")
        log = (self.directory / f"{phase}.py-spy.log").open("wb")
        self.processes.append(
            subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # py-spy writes what it has, then exits
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(process.pid)
        self.processes.clear()


async def run(
    args: argparse.Namespace, app: Server, simulator: Server, hospital: Hospital, deadline: float
) -> dict:
    run_id = datetime.now(UTC).strftime("%H%M%S")
    base = app.base_url
    await warm_up(base, hospital, run_id)
    ceiling_rps = await measure_ceiling(base, args.kiosks, CEILING_S)
    profiler = (
        Profiler(Path(args.profile), app.pid, cpu_only=args.profile_mode == "cpu")
        if args.profile
        else None
    )

    boards = Boards()
    # Started before the boards connect, so the spawned process starts on a quiet machine.
    kiosk_process = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    kiosk_process.submit(int).result()
    rec = Recorder()
    clients: list[httpx.AsyncClient] = []
    try:
        if not args.boards_after_kiosk:
            await boards.connect(base, hospital.board_tokens, args.boards, BOARD_CONNECT_S)
        boards_during_kiosk = len(boards.live)
        client = httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT)
        clients.append(client)
        doctor = await _token(client, DOCTOR_LOGIN, hospital.staff_password)
        rooms = await _examination_rooms(client, doctor)
        if profiler:
            profiler.start("kiosk", KIOSK_PHASE_S)
        app_pids = app.worker_pids()
        cpu_before = CpuSnapshot.take(app_pids, simulator.pid)
        kiosk_deadline = min(deadline, time.monotonic() + KIOSK_PHASE_S)
        kiosk_task = asyncio.get_running_loop().run_in_executor(
            kiosk_process,
            _kiosks_in_own_process,
            base,
            hospital.kiosk_tokens,
            hospital.registrations,
            args.kiosks,
            run_id,
            kiosk_deadline,
            args.think_s,
        )
        calls: CallOutcome | None = None
        if args.calls_during_kiosk:
            calls = await run_calls(
                client,
                boards,
                doctor,
                rooms,
                args.calls,
                rec,
                kiosk_deadline,
                more_patients_coming=lambda: not kiosk_task.done(),
            )
        child = await kiosk_task
        kiosks = child["outcome"]
        _merge(rec, child)
        kiosk_cpu = CpuSnapshot.take(app_pids, simulator.pid).since(
            cpu_before, kiosks.duration_s, generator_children_s=child["cpu_s"]
        )
        if profiler:
            profiler.stop()
        calls_cpu: dict[str, float] = {}
        boards_during_calls = boards_during_kiosk
        if calls is None:
            if args.boards_after_kiosk:
                await boards.connect(base, hospital.board_tokens, args.boards, BOARD_CONNECT_S)
            if kiosks.completed < args.calls:
                reception = await _token(client, RECEPTION_LOGIN, hospital.staff_password)
                await _top_up_tickets(
                    client, reception, rooms, args.calls - kiosks.completed, run_id
                )
            boards_during_calls = len(boards.live)
            if profiler:
                profiler.start("calls", CALL_PHASE_S)
            cpu_before = CpuSnapshot.take(app_pids, simulator.pid)
            calls_started = time.perf_counter()
            calls = await run_calls(
                client,
                boards,
                doctor,
                rooms,
                args.calls,
                rec,
                min(deadline, time.monotonic() + CALL_PHASE_S),
            )
            calls_cpu = CpuSnapshot.take(app_pids, simulator.pid).since(
                cpu_before, time.perf_counter() - calls_started
            )
            if profiler:
                profiler.stop()
        # A delivery later than the timeout is late, not lost: look once more before closing.
        if calls.incomplete:
            await asyncio.sleep(1.0)
        incomplete_calls = [
            {
                "display_number": number,
                "boards": expected,
                "shown_in_time": shown,
                "shown_by_end": len(boards.arrivals.get(number, [])),
            }
            for number, expected, shown in calls.incomplete
        ]
    finally:
        if profiler:
            profiler.stop()
        kiosk_process.shutdown(wait=False, cancel_futures=True)
        await boards.close()
        for client in clients:
            await client.aclose()

    kiosk_requests = sum(
        len(rec.samples[s]) + rec.errors[s] for s in ("identify", "choices", "register")
    )
    existing = sum(1 for c in hospital.registrations if c.existing)
    return {
        "kiosk_requests": kiosk_requests,
        "kiosks_outcome": kiosks,
        "calls_outcome": calls,
        "boards_during_kiosk": boards_during_kiosk,
        "boards_during_calls": boards_during_calls,
        "recorder": rec,
        "board_errors": boards.errors["board"],
        "board_error_samples": boards.error_samples,
        "ceiling_rps": ceiling_rps,
        "existing_insured": existing,
        "cpu": {"kiosk_phase": kiosk_cpu, "call_phase": calls_cpu},
        "incomplete_calls": incomplete_calls[:MAX_ERROR_SAMPLES],
    }


def _results(args: argparse.Namespace, workers: int, measured: dict, sim_stats: dict) -> dict:
    rec: Recorder = measured["recorder"]
    kiosks: KioskOutcome = measured["kiosks_outcome"]
    calls: CallOutcome = measured["calls_outcome"]
    duration = kiosks.duration_s
    kiosk_errors = sum(rec.errors[s] for s in ("identify", "choices", "register"))
    errors = sum(rec.errors.values()) + measured["board_errors"]
    call_ms = summary_ms(calls.latencies, key_suffix="")
    steps = {
        step: summary_ms(rec.samples[step])
        for step in ("identify", "choices", "register", "registration_total")
    }
    identify_by_patient = {
        kind: summary_ms(rec.samples[f"identify_{kind}"]) for kind in ("existing_insured", "new")
    }
    for step in steps.values():
        step.pop("max_ms", None)
    return {
        "database": args.db,
        "workers": workers,
        "kiosks": args.kiosks,
        "think_s": args.think_s,
        "registrations": kiosks.completed,
        "registrations_requested": args.registrations,
        "registrations_unfinished": kiosks.unfinished,
        "existing_insured_patients": measured["existing_insured"],
        "insurance_statuses": dict(kiosks.insurance),
        "portal_lookups": sim_stats.get("lookups"),
        "errors": errors,
        "errors_by_step": dict(rec.errors)
        | ({"board_stream": measured["board_errors"]} if measured["board_errors"] else {}),
        "error_samples": rec.error_samples
        + [{"step": "board_stream", "detail": d} for d in measured["board_error_samples"]],
        "kiosk_errors": kiosk_errors,
        "duration_s": round(duration, 2),
        "rps": round(measured["kiosk_requests"] / duration, 1) if duration else 0.0,
        "registrations_per_s": round(kiosks.completed / duration, 1) if duration else 0.0,
        "steps": steps,
        "identify_by_patient": identify_by_patient,
        "boards": measured["boards_during_calls"],
        "boards_during_kiosk": measured["boards_during_kiosk"],
        "calls": calls.calls,
        "call_rooms": calls.rooms,
        "calls_during_kiosk": args.calls_during_kiosk,
        "call_next_ms": summary_ms(rec.samples["call_next"]),
        "call_to_board_ms": call_ms,
        "missed_deliveries": calls.missed_deliveries,
        "incomplete_calls": measured["incomplete_calls"],
        "ceiling_rps": round(measured["ceiling_rps"], 1),
        "cpu_seconds": measured["cpu"],
        "load_average_before": measured["load_before"],
        "goals": {
            "registration_p95_ms": GOAL_REGISTRATION_P95_MS,
            "call_to_board_p99_ms": GOAL_CALL_TO_BOARD_P99_MS,
            "registration_p95_met": _at_most(
                steps["registration_total"]["p95_ms"], GOAL_REGISTRATION_P95_MS
            ),
            "call_to_board_p99_met": _at_most(call_ms["p99"], GOAL_CALL_TO_BOARD_P99_MS),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _at_most(value: float | None, goal: float) -> bool | None:
    return None if value is None else value <= goal


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def summary_table(r: dict) -> str:
    goals = r["goals"]
    lines = [
        f"SmartHIS queue bench — {r['database']}, {r['workers']} worker(s), "
        f"{r['machine']['cpus']} CPUs, load generator on the same machine",
        f"kiosks {r['kiosks']} (think {r['think_s']} s)  registrations "
        f"{r['registrations']}/{r['registrations_requested']}"
        f" ({r['existing_insured_patients']} existing insured)  in {r['duration_s']} s  "
        f"-> {r['registrations_per_s']} reg/s, {r['rps']} req/s  (ceiling GET /health "
        f"{r['ceiling_rps']} req/s)  errors {r['errors']}",
        f"{'step':<22}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}",
    ]
    rows = list(r["steps"].items())
    labels = {"existing_insured": "  identify: on file", "new": "  identify: new"}
    rows += [(labels[kind], s) for kind, s in r["identify_by_patient"].items()]
    for step, s in rows:
        lines.append(
            f"{step:<22}{s['count']:>7}{_fmt(s['p50_ms']):>10}{_fmt(s['p95_ms']):>10}"
            f"{_fmt(s['p99_ms']):>10}"
        )
    c = r["call_next_ms"]
    lines.append(
        f"{'call-next (caller)':<22}{c['count']:>7}{_fmt(c['p50_ms']):>10}"
        f"{_fmt(c['p95_ms']):>10}{_fmt(c['p99_ms']):>10}"
    )
    b = r["call_to_board_ms"]
    lines.append(
        f"{'call -> board':<22}{b['count']:>7}{_fmt(b['p50']):>10}{_fmt(b['p95']):>10}"
        f"{_fmt(b['p99']):>10}   max {_fmt(b['max'])}  ({r['calls']} calls x {r['boards']} "
        f"boards, {r['missed_deliveries']} missed"
        f"{', during the kiosk phase' if r['calls_during_kiosk'] else ''})"
    )
    k = r["cpu_seconds"]["kiosk_phase"]
    lines.append(
        f"CPU s in the kiosk phase ({k['wall_s']} s x {k['cores_available']} cores): app "
        f"{k['app_workers_s']}, load generator {k['load_generator_s']}, simulator "
        f"{k['bhxh_simulator_s']}, PostgreSQL {k['postgres_cluster_s']}, other "
        f"{k['other_s']}; "
        f"load average before {r['load_average_before'][0]}"
    )
    lines.append(
        f"goals: registration p95 <= {GOAL_REGISTRATION_P95_MS:.0f} ms: "
        f"{_verdict(goals['registration_p95_met'])};  call->board p99 <= "
        f"{GOAL_CALL_TO_BOARD_P99_MS:.0f} ms: {_verdict(goals['call_to_board_p99_met'])}"
    )
    for call in r["incomplete_calls"][:5]:
        lines.append(
            f"  call {call['display_number']}: shown by {call['shown_in_time']}/{call['boards']} "
            f"boards within {CALL_DELIVERY_TIMEOUT_S:.0f} s, {call['shown_by_end']} by the end"
        )
    if r["error_samples"]:
        lines.append("error samples:")
        lines += [f"  [{e['step']}] {e['detail'][:200]}" for e in r["error_samples"][:5]]
    return "\n".join(lines)


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "no data"}[met]


def _watchdog() -> threading.Timer:
    def overstayed() -> None:
        print(f"queue bench: still running after {HARD_LIMIT_S:.0f} s, stopping", flush=True)
        for server in _started:
            kill_group(server.pid)
        os._exit(3)

    timer = threading.Timer(HARD_LIMIT_S, overstayed)
    timer.daemon = True
    timer.start()
    return timer


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queue_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--boards", type=int, default=100)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--workers", type=int, default=None, help="uvicorn workers (PostgreSQL 2; SQLite 1 only)"
    )
    parser.add_argument(
        "--boards-after-kiosk",
        action="store_true",
        help="connect the boards only for the call phase (default: on during both phases)",
    )
    parser.add_argument(
        "--calls-during-kiosk",
        action="store_true",
        help="the caller calls while the kiosks register (default: after them)",
    )
    parser.add_argument("--profile", metavar="DIR", help="record py-spy stacks of the workers")
    parser.add_argument(
        "--profile-mode",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: every thread, waits included; cpu: the GIL holder only",
    )
    parser.add_argument(
        "--think-s",
        type=float,
        default=0.0,
        help="a patient's pause after identify and after register (jittered ±50%%); "
        "0 = every kiosk sends its next request at once (saturation)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite)")
    args = parser.parse_args(argv)
    for name in ("kiosks", "registrations", "boards", "calls"):
        if not 1 <= getattr(args, name) <= 5000:
            parser.error(f"--{name} must be between 1 and 5000")
    if args.workers is None:
        args.workers = 2 if args.db == "postgres" else 1
    if args.db == "sqlite" and args.workers != 1:
        parser.error("SQLite runs one process: --workers 1")
    if args.calls_during_kiosk and args.boards_after_kiosk:
        parser.error("--calls-during-kiosk needs the boards connected during the kiosk phase")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be between 1 and 16")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    deadline = started + HARD_LIMIT_S - 45  # room to stop the servers and write the results
    watchdog = _watchdog()
    temp = Path(tempfile.mkdtemp(prefix="smarthis-bench-"))
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    try:
        load_before = os.getloadavg()
        print(f"preparing {args.db} ...", flush=True)
        url = prepare_postgres() if args.db == "postgres" else prepare_sqlite(temp)
        hospital = load_hospital(
            url,
            temp,
            kiosks=args.kiosks,
            boards=args.boards,
            registrations=args.registrations,
            warm_up=WARM_UP_REGISTRATIONS,
        )
        print(f"demo hospital loaded in {time.monotonic() - started:.0f} s", flush=True)
        simulator = start_bhxh_simulator(hospital.cards_file, temp)
        _started.append(simulator)
        app = start_app(
            url,
            temp,
            workers=args.workers,
            env={
                "SMARTHIS_DATA_DIR": str(temp),
                "SMARTHIS_BHXH_PORTAL_URL": simulator.base_url,
                "SMARTHIS_BHXH_SIM_CARDS_FILE": str(hospital.cards_file),
            },
        )
        _started.append(app)
        print(
            f"app on {app.base_url} (pids {app.worker_pids()}), simulator on "
            f"{simulator.base_url}; measuring ...",
            flush=True,
        )
        measured = asyncio.run(
            asyncio.wait_for(
                run(args, app, simulator, hospital, deadline),
                timeout=max(1.0, deadline - time.monotonic()),
            )
        )
        sim_stats = httpx.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()
        measured["load_before"] = [round(v, 2) for v in load_before]
        results = _results(args, args.workers, measured, sim_stats)
        RESULTS_DIR.mkdir(exist_ok=True)
        text = json.dumps(results, ensure_ascii=False, indent=2)
        (RESULTS_DIR / "queue-latest.json").write_text(text + "\n", encoding="utf-8")
        (RESULTS_DIR / f"queue-{args.db}-latest.json").write_text(text + "\n", encoding="utf-8")
        print(summary_table(results))
        elapsed = time.monotonic() - started
        print(f"results: {RESULTS_DIR / 'queue-latest.json'}  (run took {elapsed:.0f} s)")
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
