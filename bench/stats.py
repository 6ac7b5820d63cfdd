"""Percentiles of latency samples (nearest rank: every figure is a latency that happened)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary_ms(seconds: Sequence[float], *, key_suffix: str = "_ms") -> dict[str, float | int]:
    """count, p50, p95, p99 (and max) of samples given in seconds, reported in milliseconds."""
    values = sorted(s * 1000 for s in seconds)
    out: dict[str, float | int] = {"count": len(values)}
    for p in (50, 95, 99):
        value = percentile(values, p)
        out[f"p{p}{key_suffix}"] = round(value, 2) if values else None  # type: ignore[assignment]
    out[f"max{key_suffix}"] = round(values[-1], 2) if values else None  # type: ignore[assignment]
    return out
