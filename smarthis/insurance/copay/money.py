"""Whole-VND rounding that never loses or invents a đồng.

Exact amounts are `Fraction`s (prices × ratios × shares produce thirds and fifths that
floats would blur). Each line is rounded once, half up, and the totals are sums of the
rounded lines, so a receipt always adds up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction


def exact(value: Decimal | int) -> Fraction:
    return Fraction(value)


def round_half_up(amount: Fraction) -> int:
    """Nearest whole VND, halves up (amounts here are never negative)."""
    return math.floor(amount + Fraction(1, 2))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), summing to `total` exactly.

    No share exceeds its weight when `total` <= sum(weights), so a capped co-payment never
    grows on any line.
    """
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0 for _ in weights]
    exact_shares = [Fraction(total * weight, weight_sum) for weight in weights]
    shares = [math.floor(share) for share in exact_shares]
    leftover = total - sum(shares)
    # Hand the leftover đồng to the largest fractional parts; ties go to the earlier line.
    order = sorted(range(len(weights)), key=lambda i: (-(exact_shares[i] - shares[i]), i))
    for index in order[:leftover]:
        shares[index] += 1
    return shares
