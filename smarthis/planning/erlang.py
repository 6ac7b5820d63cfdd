"""Erlang C: the M/M/c queue in closed form (Poisson arrivals, exponential service, c
servers, one first-come-first-served line). The yardstick the simulator is checked against."""

from __future__ import annotations

from dataclasses import dataclass


class UnstableQueue(ValueError):
    """Arrivals at or above what the servers can handle: the line grows without end."""


@dataclass(frozen=True)
class ErlangC:
    arrival_rate_per_min: float
    service_mean_min: float
    servers: int
    # Offered load in Erlangs (A = λ/μ) and the share of time each server is busy (ρ = A/c).
    offered_load: float
    utilisation: float
    # Probability an arrival finds every server busy, and the mean wait in line (minutes).
    p_wait: float
    wq_min: float


def erlang_c(arrival_rate_per_min: float, service_mean_min: float, servers: int) -> ErlangC:
    if arrival_rate_per_min <= 0 or service_mean_min <= 0:
        raise ValueError("arrival rate and mean service time must be positive")
    if servers < 1:
        raise ValueError("at least one server is needed")
    load = arrival_rate_per_min * service_mean_min
    utilisation = load / servers
    if utilisation >= 1:
        raise UnstableQueue(
            f"unstable queue: load {load:.3g} Erlangs on {servers} servers is"
            f" utilisation {utilisation:.3g} >= 1 — the queue grows without limit"
        )
    # Erlang B by its recurrence (no factorials: stays exact for hundreds of servers),
    # then C(c, A) = c·B / (c − A·(1 − B)).
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    p_wait = servers * blocking / (servers - load * (1 - blocking))
    # Wq = C / (cμ − λ), with μ = 1 / mean service time.
    wq = p_wait / (servers / service_mean_min - arrival_rate_per_min)
    return ErlangC(arrival_rate_per_min, service_mean_min, servers, load, utilisation, p_wait, wq)
