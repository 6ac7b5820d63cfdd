"""Waits per step (overall and by clock hour), room utilisation and time in hospital, over
one or more simulated days: the JSON a planner reads, and a few lines for a person."""

from __future__ import annotations

import math
from collections import defaultdict
from statistics import fmean
from typing import Any

from smarthis.planning.day_config import DayConfig
from smarthis.planning.day_sim import DayRun, Wait, room_servers


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile: a wait some patient really had."""
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _stats(values: list[float], days: int) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "patients_per_day": round(len(values) / days, 1),
        "mean": round(fmean(ordered), 2),
        "p50": round(percentile(ordered, 50), 2),
        "p95": round(percentile(ordered, 95), 2),
    }


def _clock(minutes: float) -> str:
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def step_order(config: DayConfig) -> list[str]:
    tests = [t.station for t in config.routing.tests]
    exams = [f"exam:{code}" for code in config.specialties]
    conclusions = [f"conclusion:{code}" for code in config.specialties]
    return ["kiosk", "reception", *exams, *tests, *conclusions, "cashier", "pharmacy"]


def step_name(config: DayConfig, step: str) -> str:
    kind, _, code = step.partition(":")
    if kind == "exam":
        return f"Khám {config.specialties[code].name}"
    if kind == "conclusion":
        return f"Kết luận {config.specialties[code].name}"
    return config.stations[step].name


def summarise(config: DayConfig, runs: list[DayRun], seed: int) -> dict[str, Any]:
    days = len(runs)
    by_step: dict[str, list[Wait]] = defaultdict(list)
    for run in runs:
        for wait in run.waits:
            by_step[wait.step].append(wait)
    steps: dict[str, Any] = {}
    for step in step_order(config):
        waits = by_step.get(step)
        if not waits:
            continue
        hours: dict[int, list[float]] = defaultdict(list)
        for wait in waits:
            hours[int(wait.joined_min // 60)].append(wait.wait_min)
        steps[step] = {
            "name": step_name(config, step),
            "wait_min": _stats([w.wait_min for w in waits], days),
            "by_hour": {f"{h:02d}:00": _stats(hours[h], days) for h in sorted(hours)},
        }
    rooms = {}
    for room, servers in room_servers(config).items():
        # Busy minutes over what the servers could give from opening to the last departure.
        capacity = sum(servers * (run.closing_min - run.opening_min) for run in runs)
        busy = sum(run.busy_min.get(room, 0.0) for run in runs)
        name = step_name(config, room)
        rooms[room] = {"name": name, "servers": servers, "utilisation": round(busy / capacity, 3)}
    return {
        "visits": config.visits,
        "days_simulated": days,
        "seed": seed,
        "opening": _clock(runs[0].opening_min),
        "last_patient_leaves": _clock(fmean(run.closing_min for run in runs)),
        "steps": steps,
        "rooms": rooms,
        "time_in_hospital_min": _stats([s for run in runs for s in run.stays_min], days),
    }


def human_summary(report: dict[str, Any]) -> str:
    lines = [
        f"{report['visits']} visits a day, {report['days_simulated']} simulated days"
        f" (seed {report['seed']}); doors open {report['opening']},"
        f" last patient leaves ~{report['last_patient_leaves']}",
        f"time in hospital: mean {report['time_in_hospital_min']['mean']:.0f} min,"
        f" p95 {report['time_in_hospital_min']['p95']:.0f} min",
        "",
        f"{'step':<40} {'pts/day':>8} {'mean':>7} {'p50':>7} {'p95':>7}   wait (min)",
    ]
    for step in report["steps"].values():
        wait = step["wait_min"]
        lines.append(
            f"{step['name'][:40]:<40} {wait['patients_per_day']:>8.0f}"
            f" {wait['mean']:>7.1f} {wait['p50']:>7.1f} {wait['p95']:>7.1f}"
        )
    lines += ["", f"{'room':<40} {'servers':>8} {'busy':>7}"]
    for room in report["rooms"].values():
        lines.append(f"{room['name'][:40]:<40} {room['servers']:>8} {room['utilisation']:>7.0%}")
    worst_key, worst = max(report["steps"].items(), key=lambda item: item[1]["wait_min"]["p95"])
    peak_hour, peak = max(worst["by_hour"].items(), key=lambda item: item[1]["mean"])
    lines += [
        "",
        f"longest waits: {worst['name']} ({worst_key}), p95 {worst['wait_min']['p95']:.0f} min;"
        f" worst hour {peak_hour} (mean {peak['mean']:.0f} min)",
    ]
    return "\n".join(lines)
