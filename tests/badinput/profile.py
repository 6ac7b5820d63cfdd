"""Hypothesis settings for the property tests of the bad-input suite: the same examples on
every run (CI stays deterministic), no example database in the working tree, modest counts."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def properties(max_examples: int = 150) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
