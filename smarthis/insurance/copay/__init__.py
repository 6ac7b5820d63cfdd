"""Health-insurance co-payment engine: who pays what of a visit's charges (pure functions).

`split_visit(visit)` applies the effective-dated rules of `load_rules()` (benefit level,
visit category and route share, base salary, small-visit rule, five-year exemption) and
explains each line in Vietnamese.
"""

from __future__ import annotations

from smarthis.insurance.copay.engine import split_visit
from smarthis.insurance.copay.loader import (
    CopayRulesError,
    load_rules,
    load_rules_file,
    rules_from_mapping,
)
from smarthis.insurance.copay.rules import CopayRules
from smarthis.insurance.copay.visit import ChargeLine, LineSplit, SplitTotals, Visit, VisitSplit
from smarthis.insurance.copay.visit_input import parse_visit, split_to_json

__all__ = [
    "ChargeLine",
    "CopayRules",
    "CopayRulesError",
    "LineSplit",
    "SplitTotals",
    "Visit",
    "VisitSplit",
    "load_rules",
    "load_rules_file",
    "parse_visit",
    "rules_from_mapping",
    "split_to_json",
    "split_visit",
]
