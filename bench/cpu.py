"""CPU seconds used during a phase: by the app's workers, the simulator, this load generator,
the PostgreSQL cluster and the whole machine (the rest is whatever else runs here)."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> tuple[str, list[str]] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    return name, text.rsplit(")", 1)[1].split()


def process_cpu_s(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    found = _stat(pid)
    if found is None:
        return 0.0
    fields = found[1]
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_cpu_s() -> float:
    """Every `postgres` process's CPU seconds, plus what the ones already ended used (the
    postmaster's reaped children): the whole cluster, other databases included."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat(entry.name)
        if found is None or found[0] != "postgres":
            continue
        fields = found[1]
        total += int(fields[11]) + int(fields[12])
        parent = _stat(fields[1])
        if parent is None or parent[0] != "postgres":  # the postmaster: add reaped backends
            total += int(fields[13]) + int(fields[14])
    return total / TICKS


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent not idle since boot (all cores)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in first]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuSnapshot:
    app: float
    simulator: float
    load_generator: float
    postgres: float
    machine: float

    @classmethod
    def take(cls, app_pids: list[int], simulator_pid: int) -> CpuSnapshot:
        return cls(
            app=sum(process_cpu_s(p) for p in app_pids),
            simulator=process_cpu_s(simulator_pid),
            load_generator=self_cpu_s(),
            postgres=postgres_cpu_s(),
            machine=machine_busy_s(),
        )

    def since(
        self, before: CpuSnapshot, wall_s: float, generator_children_s: float = 0.0
    ) -> dict[str, float]:
        """`generator_children_s`: CPU the load generator's own child processes reported."""
        used = {
            "app_workers": self.app - before.app,
            "bhxh_simulator": self.simulator - before.simulator,
            "load_generator": self.load_generator - before.load_generator + generator_children_s,
            "postgres_cluster": self.postgres - before.postgres,
            "machine": self.machine - before.machine,
        }
        ours = sum(v for k, v in used.items() if k != "machine")
        # Clock ticks of processes and of the machine are sampled apart: never below zero.
        used["other"] = max(0.0, used["machine"] - ours)
        out = {f"{k}_s": round(v, 2) for k, v in used.items()}
        out["wall_s"] = round(wall_s, 2)
        out["cores_available"] = os.cpu_count() or 0
        return out
