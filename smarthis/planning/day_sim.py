"""One outpatient day, patient by patient, in SimPy.

Each patient: kiosk -> (reception counter) -> examination room of a specialty -> when tests
are ordered: (cashier) -> each test -> back to the examination room for the conclusion ->
(cashier) -> (pharmacy) -> home. Every room kind is one first-come-first-served line in
front of its servers.

Each patient draws needs and service times from a generator seeded by (seed, patient):
two runs that differ only in room counts see the same patients with the same needs
(common random numbers), so their difference is the rooms' doing, not chance's."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

import simpy

from smarthis.planning.day_config import DayConfig, ServiceTime


@dataclass(frozen=True)
class Wait:
    step: str
    # Minutes since midnight when the patient joined the line.
    joined_min: float
    wait_min: float


@dataclass
class DayRun:
    opening_min: float
    # When the last patient went home (minutes since midnight).
    closing_min: float = 0.0
    waits: list[Wait] = field(default_factory=list)
    stays_min: list[float] = field(default_factory=list)
    busy_min: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def service_minutes(rng: random.Random, service: ServiceTime) -> float:
    if service.dist == "fixed":
        return service.mean_min
    if service.dist == "exponential":
        return rng.expovariate(1 / service.mean_min)
    if service.dist == "triangular":
        assert service.min_min is not None and service.max_min is not None
        return rng.triangular(service.min_min, service.max_min, service.mean_min)
    # Lognormal with the given mean and coefficient of variation.
    sigma2 = math.log1p(service.cv**2)
    return rng.lognormvariate(math.log(service.mean_min) - sigma2 / 2, math.sqrt(sigma2))


def arrival_minutes(config: DayConfig, rng: random.Random) -> list[float]:
    """Exactly `visits` arrivals: an hour drawn by its weight, a minute uniform in it (given
    the count, the points of a Poisson process with that hourly rate are just that)."""
    hours = list(config.arrivals_by_hour)
    weights = list(config.arrivals_by_hour.values())
    chosen = rng.choices(hours, weights=weights, k=config.visits)
    return sorted(hour * 60 + rng.random() * 60 for hour in chosen)


def room_servers(config: DayConfig) -> dict[str, int]:
    rooms = {key: station.servers for key, station in config.stations.items()}
    rooms |= {f"exam:{code}": s.rooms for code, s in config.specialties.items()}
    return rooms


def simulate_day(config: DayConfig, seed: int) -> DayRun:
    arrivals = arrival_minutes(config, random.Random(seed))
    run = DayRun(opening_min=config.opening_hour * 60)
    env = simpy.Environment(initial_time=run.opening_min)
    rooms = {key: simpy.Resource(env, capacity=n) for key, n in room_servers(config).items()}
    codes = list(config.specialties)
    shares = [config.specialties[code].share for code in codes]
    routing = config.routing

    def visit(
        rng: random.Random, step: str, room: str, service: ServiceTime
    ) -> simpy.events.ProcessGenerator:
        joined = env.now
        with rooms[room].request() as turn:
            yield turn
            run.waits.append(Wait(step, joined, env.now - joined))
            minutes = service_minutes(rng, service)
            run.busy_min[room] += minutes
            yield env.timeout(minutes)

    def station(rng: random.Random, key: str) -> simpy.events.ProcessGenerator:
        return visit(rng, key, key, config.stations[key].service)

    def patient(index: int, arrived: float) -> simpy.events.ProcessGenerator:
        rng = random.Random(f"{seed}:{index}")
        yield from station(rng, "kiosk")
        if rng.random() < routing.reception:
            yield from station(rng, "reception")
        code = rng.choices(codes, weights=shares)[0]
        yield from visit(rng, f"exam:{code}", f"exam:{code}", config.examination)
        tests = [t.station for t in routing.tests if rng.random() < t.probability]
        if tests:
            if rng.random() < routing.pay_before_tests:
                yield from station(rng, "cashier")
            for test in tests:
                yield from station(rng, test)
            yield from visit(rng, f"conclusion:{code}", f"exam:{code}", config.conclusion)
        if rng.random() < routing.pay_after:
            yield from station(rng, "cashier")
        if rng.random() < routing.pharmacy:
            yield from station(rng, "pharmacy")
        run.stays_min.append(env.now - arrived)
        run.closing_min = max(run.closing_min, env.now)

    def doors() -> simpy.events.ProcessGenerator:
        for index, at in enumerate(arrivals):
            yield env.timeout(at - env.now)
            env.process(patient(index, at))

    env.process(doors())
    env.run()
    return run
