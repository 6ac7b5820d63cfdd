"""The M/M/c queue simulated with SimPy, to check the simulator against Erlang C.

Arrivals that come during the warm-up (the queue starting empty is not the steady state
Erlang C describes) are served but not counted; arrivals stop at the end of the run and the
line is drained, so every counted patient has a finished wait. The c servers each take the
next patient from one first-come-first-served line (a Store), which is the M/M/c
discipline and needs c processes instead of one per patient."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from statistics import fmean, stdev

import simpy

# Batches for the confidence interval of the mean wait: successive waits are correlated,
# batch means of long stretches much less so.
BATCHES = 20
T_975_19_DF = 2.093  # Student t, 97.5th percentile, 19 degrees of freedom


@dataclass(frozen=True)
class SimulatedQueue:
    customers: int
    p_wait: float
    wq_min: float
    # Half-width of the 95% confidence interval of wq_min (batch means).
    wq_ci95_min: float


def simulate_mmc(
    arrival_rate_per_min: float,
    service_mean_min: float,
    servers: int,
    minutes: float,
    warmup_min: float,
    seed: int,
) -> SimulatedQueue:
    rng = random.Random(seed)
    env = simpy.Environment()
    line = simpy.Store(env)  # holds each waiting patient's arrival time, first in first out
    waits: list[float] = []

    def arrivals() -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(rng.expovariate(arrival_rate_per_min))
            if env.now >= minutes:
                return
            line.put(env.now)

    def server() -> simpy.events.ProcessGenerator:
        while True:
            arrived = yield line.get()
            if arrived >= warmup_min:
                waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1 / service_mean_min))

    env.process(arrivals())
    for _ in range(servers):
        env.process(server())
    env.run()
    if len(waits) < BATCHES * 10:
        raise ValueError("the run is too short: too few arrivals after the warm-up")
    waited = sum(1 for wait in waits if wait > 0)
    return SimulatedQueue(len(waits), waited / len(waits), fmean(waits), _ci95(waits))


def _ci95(waits: list[float]) -> float:
    size = len(waits) // BATCHES
    means = [fmean(waits[i * size : (i + 1) * size]) for i in range(BATCHES)]
    return T_975_19_DF * stdev(means) / math.sqrt(BATCHES)
