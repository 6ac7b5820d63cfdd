"""Visits as the cashier's JSON (the `smarthis insurance split` input), for the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The `split` fixture: visit fields to override -> the split as the CLI prints it.
Split = Callable[..., dict[str, Any]]


def visit_json(**overrides: Any) -> dict[str, Any]:
    """An outpatient at the card's registered facility, level 4 (80%), one 1,000,000 line."""
    visit: dict[str, Any] = {
        "visit_date": "2025-03-10",
        "benefit_level": 4,
        "category": "1.1",
        "inpatient": False,
        "five_years_reached_on": None,
        "copay_paid_this_year": 0,
        "lines": [{"quantity": 1, "hospital_price": 1_000_000, "insurance_price": 1_000_000}],
    }
    visit.update(overrides)
    return visit


def line(price: int, quantity: int = 1, **overrides: Any) -> dict[str, Any]:
    return {"quantity": quantity, "hospital_price": price, "insurance_price": price, **overrides}
