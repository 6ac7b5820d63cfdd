"""The day replay's figures: the results document (bench/results/latest.json) and the
summary table printed at the end. bench/README.md explains every key."""

from __future__ import annotations

import argparse
import os
import platform
from datetime import UTC, datetime
from typing import Any

from bench.day_journey import Day
from bench.queue_bench import Boards
from bench.stats import summary_ms

# Steps in the order of the day; any other step the recorder saw is appended.
STEP_ORDER = (
    "identify",
    "choices",
    "register",
    "registration_total",
    "call_next",
    "exam_start",
    "vitals",
    "diagnoses",
    "order",
    "specimen",
    "results",
    "report",
    "verify",
    "prescription",
    "conclude",
    "complete",
    "invoice",
    "pay",
)
NOT_REQUESTS = ("kiosk_wait",)  # timed, but not a request (waiting for a free kiosk)
KIOSK_STEPS = ("identify", "choices", "register")
PEAK_WINDOW_S = 10.0
GOAL_REGISTRATION_P95_MS = 50.0
GOAL_CALL_TO_BOARD_P99_MS = 250.0
GOAL_DAY_S = 300.0
GOAL_VISITS = 8000


def _steps(day: Day) -> dict[str, dict[str, Any]]:
    names = [s for s in STEP_ORDER if day.rec.samples.get(s) or day.rec.errors.get(s)]
    names += sorted(set(day.rec.samples) - set(STEP_ORDER) - set(NOT_REQUESTS))
    out = {}
    for name in names:
        figures = summary_ms(day.rec.samples.get(name, []))
        figures.pop("max_ms", None)
        figures["errors"] = day.rec.errors.get(name, 0)
        out[name] = figures
    return out


def _call_to_board(day: Day, boards: Boards) -> tuple[dict[str, Any], int]:
    """Every board x exam-room call: when the board read the `called` event, minus when the
    call-next request was sent; and the deliveries missing at the end of the run."""
    latencies: list[float] = []
    missed = 0
    for number, sent, expected in day.calls:
        arrived = boards.arrivals.get(number, [])
        latencies += [seen - sent for seen in arrived]
        missed += max(0, expected - len(arrived))
    return summary_ms(latencies, key_suffix=""), missed


def _peak_registrations(times: list[float]) -> float:
    """The most registrations finished within any PEAK_WINDOW_S, per second (a sliding
    window; a run shorter than the window gives its own rate)."""
    if len(times) < 2:
        return 0.0
    ordered = sorted(times)
    span = ordered[-1] - ordered[0]
    if span < PEAK_WINDOW_S:
        return len(ordered) / span if span > 0 else 0.0
    most, first = 0, 0
    for last, t in enumerate(ordered):
        while t - ordered[first] > PEAK_WINDOW_S:
            first += 1
        most = max(most, last - first + 1)
    return most / PEAK_WINDOW_S


def results(
    args: argparse.Namespace,
    measured: dict[str, Any],
    sim_stats: dict[str, Any],
    setup: dict[str, float],
    load_before: list[float],
) -> dict[str, Any]:
    day: Day = measured["day"]
    boards: Boards = measured["boards"]
    duration = measured["duration_s"]
    steps = _steps(day)
    call_to_board, missed = _call_to_board(day, boards)
    board_errors = boards.errors["board"]
    errors = sum(day.rec.errors.values()) + board_errors
    registration_span = (
        max(day.registration_times) - measured["replay_started"] if day.registration_times else 0
    )
    registration_rate = day.registered / registration_span if registration_span else 0.0
    peak_rate = _peak_registrations(day.registration_times)
    ceiling = measured["ceiling_rps"]
    kiosk_requests = sum(len(day.rec.samples[s]) + day.rec.errors[s] for s in KIOSK_STEPS)
    registration_p95 = steps.get("registration_total", {}).get("p95_ms")
    unfinished = day.visits_total - day.finished - day.failed
    return {
        "visits": day.finished,
        "visits_requested": args.visits,
        "visits_failed": day.failed,
        "visits_unfinished": unfinished,
        "registrations": day.registered,
        "database": args.db,
        "workers": args.workers,
        "kiosks": args.kiosks,
        "boards": measured["boards_connected"],
        "span_s": args.span_s,
        "peak_share": args.peak_share,
        "seed": args.seed,
        "duration_s": round(duration, 1),
        "requests": day.rec.requests,
        "errors": errors,
        "errors_by_step": dict(day.rec.errors)
        | ({"board_stream": board_errors} if board_errors else {}),
        "errors_by_kind": dict(day.rec.by_kind),
        "error_samples": day.rec.error_samples
        + [{"step": "board_stream", "detail": d} for d in boards.error_samples],
        "error_samples_by_step": day.rec.samples_by_step,
        "rps": round(day.rec.requests / duration, 1) if duration else 0.0,
        "steps": steps,
        "kiosk_wait_ms": summary_ms(day.rec.samples.get("kiosk_wait", [])),
        "journey_ms": summary_ms(day.journeys),
        "call_to_board_ms": call_to_board,
        "calls_to_boards": len(day.calls),
        "missed_deliveries": missed,
        "kiosk_rps": round(kiosk_requests / registration_span, 1) if registration_span else 0.0,
        "registrations_per_s": round(registration_rate, 1),
        "peak_registrations_per_s": round(peak_rate, 1),
        "ceiling_rps": round(ceiling, 1),
        "ceiling_ratio": round(peak_rate / ceiling, 3) if ceiling else None,
        "payment": _payment(day),
        "insurance_statuses": {
            k[10:]: v for k, v in day.counts.items() if k.startswith("insurance_")
        },
        "portal_lookups": sim_stats.get("lookups"),
        "rooms": measured["rooms"],
        "setup_s": setup,
        "cpu_seconds": measured["cpu"],
        "load_average_before": load_before,
        "goals": {
            "errors_zero": errors == 0,
            "registration_p95_ms": GOAL_REGISTRATION_P95_MS,
            "registration_p95_met": None
            if registration_p95 is None
            else registration_p95 <= GOAL_REGISTRATION_P95_MS,
            "call_to_board_p99_ms": GOAL_CALL_TO_BOARD_P99_MS,
            "call_to_board_p99_met": None
            if call_to_board["p99"] is None
            else call_to_board["p99"] <= GOAL_CALL_TO_BOARD_P99_MS,
            "day_s": GOAL_DAY_S,
            "day_met": (duration <= GOAL_DAY_S and unfinished == 0 and day.failed == 0)
            if args.visits >= GOAL_VISITS
            else None,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _payment(day: Day) -> Any:
    if not day.billing:
        return "not available in this build"
    return {
        "paid": len(day.rec.samples.get("pay", [])),
        "nothing_due": day.counts.get("pay_nothing_due", 0),
        "cash_vnd": day.counts.get("pay_vnd", 0),
    }


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "n/a"}[met]


def summary_table(r: dict[str, Any]) -> str:
    g = r["goals"]
    lines = [
        f"SmartHIS day replay — {r['database']}, {r['workers']} worker(s), "
        f"{r['machine']['cpus']} CPUs, load generator on the same machine "
        f"(load average before {r['load_average_before'][0]})",
        f"visits {r['visits']}/{r['visits_requested']} finished ({r['visits_failed']} failed, "
        f"{r['visits_unfinished']} unfinished) in {r['duration_s']} s; arrivals over "
        f"{r['span_s']} s, {r['kiosks']} kiosks, {r['boards']} boards",
        f"requests {r['requests']} -> {r['rps']} req/s; errors {r['errors']}; registrations "
        f"{r['registrations_per_s']}/s (peak {r['peak_registrations_per_s']}/s); "
        f"ceiling GET /health {r['ceiling_rps']} req/s (ratio {r['ceiling_ratio']})",
        f"{'step':<20}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}",
    ]
    for name, s in r["steps"].items():
        lines.append(
            f"{name:<20}{s['count']:>7}{_fmt(s['p50_ms']):>10}{_fmt(s['p95_ms']):>10}"
            f"{_fmt(s['p99_ms']):>10}{s['errors']:>8}"
        )
    for label, key in (("kiosk wait", "kiosk_wait_ms"), ("journey", "journey_ms")):
        s = r[key]
        lines.append(
            f"{label:<20}{s['count']:>7}{_fmt(s['p50_ms']):>10}{_fmt(s['p95_ms']):>10}{_fmt(s['p99_ms']):>10}"
        )
    b = r["call_to_board_ms"]
    lines.append(
        f"{'call -> board':<20}{b['count']:>7}{_fmt(b['p50']):>10}{_fmt(b['p95']):>10}"
        f"{_fmt(b['p99']):>10}"
        f"   ({r['calls_to_boards']} calls, {r['missed_deliveries']} missed deliveries)"
    )
    lines.append(f"payment: {r['payment']}")
    cpu = r["cpu_seconds"]
    if cpu:
        lines.append(
            f"CPU s ({cpu['wall_s']} s x {cpu['cores_available']} cores): "
            f"app {cpu['app_workers_s']}, load generator {cpu['load_generator_s']}, "
            f"simulator {cpu['bhxh_simulator_s']}, "
            f"PostgreSQL {cpu['postgres_cluster_s']}, other {cpu['other_s']}"
        )
    lines.append(
        f"goals: 0 errors {_verdict(g['errors_zero'])}; registration p95 <= "
        f"{GOAL_REGISTRATION_P95_MS:.0f} ms {_verdict(g['registration_p95_met'])}; "
        f"call->board p99 <= {GOAL_CALL_TO_BOARD_P99_MS:.0f} ms "
        f"{_verdict(g['call_to_board_p99_met'])}; {GOAL_VISITS} visits <= {GOAL_DAY_S:.0f} s "
        f"{_verdict(g['day_met'])}"
    )
    if r["errors_by_kind"]:
        kinds = sorted(r["errors_by_kind"].items(), key=lambda kv: -kv[1])
        lines.append("errors by kind: " + ", ".join(f"{k} x{n}" for k, n in kinds[:8]))
    if r["error_samples"]:
        lines.append("error samples:")
        lines += [f"  [{e['step']}] {e['detail'][:200]}" for e in r["error_samples"][:5]]
    return "\n".join(lines)
