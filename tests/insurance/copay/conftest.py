"""Visits as the cashier's JSON, split through the same parser the CLI uses."""

from __future__ import annotations

from typing import Any

import pytest

from smarthis.insurance.copay import parse_visit, split_to_json, split_visit
from tests.insurance.copay.visits import Split, visit_json


@pytest.fixture
def split() -> Split:
    def run(**overrides: Any) -> dict[str, Any]:
        return split_to_json(split_visit(parse_visit(visit_json(**overrides))))

    return run
