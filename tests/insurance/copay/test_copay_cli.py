"""`smarthis insurance split < VISIT.json`, as a cashier's tool or a script calls it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from smarthis.cli import app
from tests.insurance.copay.visits import line, visit_json


def run(stdin: str) -> Any:
    return CliRunner().invoke(app, ["insurance", "split"], input=stdin)


def test_prints_the_split_as_json() -> None:
    visit = visit_json(lines=[line(1_000_000), line(100_000, in_benefit_list=False)])
    result = run(json.dumps(visit))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["muc_huong"] == 80
    assert shown["totals"] == {
        "hospital_total": 1_100_000,
        "insurance_scope_total": 1_000_000,
        "fund_pays": 800_000,
        "patient_copay": 200_000,
        "patient_self_pay": 100_000,
    }
    assert {
        key: shown["lines"][0][key]
        for key in ("insurance_scope", "fund_pays", "patient_copay", "patient_self_pay")
    } == {
        "insurance_scope": 1_000_000,
        "fund_pays": 800_000,
        "patient_copay": 200_000,
        "patient_self_pay": 0,
    }
    assert "mức hưởng 80%" in shown["lines"][0]["explanation_vi"]


def test_decimal_quantities_stay_exact() -> None:
    # 0.1 × 30 + 0.2 × 30 would be 8.999... in binary floats.
    visit = visit_json(lines=[line(30, quantity=0.1), line(30, quantity=0.2)])
    result = run(json.dumps(visit))
    assert result.exit_code == 0, result.stderr
    assert [ln["insurance_scope"] for ln in json.loads(result.stdout)["lines"]] == [3, 6]


def _with_line(**fields: Any) -> dict[str, Any]:
    return visit_json(lines=[{**line(100_000), **fields}])


BAD_VISITS: list[tuple[dict[str, Any], str, str]] = [
    (visit_json(visit_date="10/03/2025"), "visit_date", "YYYY-MM-DD"),
    (visit_json(visit_date=None), "visit_date", "required"),
    (visit_json(benefit_level=6), "benefit_level", "1 to 5"),
    (visit_json(benefit_level="4"), "benefit_level", "1 to 5"),
    (visit_json(category="4.4"), "category", "MA_DOITUONG_KCB"),
    (visit_json(category=True), "category", "MA_DOITUONG_KCB"),
    (visit_json(category="8"), "category", "withdraws a claim"),
    (visit_json(category="3.2", inpatient=False), "category", "outpatient"),
    (visit_json(inpatient="no"), "inpatient", "true or false"),
    (visit_json(five_years_reached_on="2020-13-01"), "five_years_reached_on", "YYYY-MM-DD"),
    (visit_json(copay_paid_this_year=-1), "copay_paid_this_year", "not below 0"),
    (visit_json(copay_paid_this_year=10.5), "copay_paid_this_year", "whole number"),
    (
        visit_json(copay_paid_this_year=5, copay_paid_before_salary_change=6),
        "copay_paid_before_salary_change",
        "must not exceed",
    ),
    (visit_json(lines=[]), "lines", "non-empty list"),
    (visit_json(lines={"quantity": 1}), "lines", "non-empty list"),
    (visit_json(lines=[7]), "lines[0]", "JSON object"),
    (_with_line(quantity=0), "lines[0].quantity", "must be a positive number"),
    (_with_line(quantity=-2), "lines[0].quantity", "must be a positive number"),
    (_with_line(quantity="1"), "lines[0].quantity", "must be a positive number"),
    (_with_line(hospital_price=-1), "lines[0].hospital_price", "not below 0"),
    (_with_line(insurance_price=None), "lines[0].insurance_price", "required"),
    (_with_line(ratio_service=101), "lines[0].ratio_service", "from 0 to 100"),
    (_with_line(ratio_insurance=-5), "lines[0].ratio_insurance", "from 0 to 100"),
    (_with_line(in_benefit_list="yes"), "lines[0].in_benefit_list", "true or false"),
    (_with_line(ratio_servce=50), "lines[0].ratio_servce", "unknown field"),
    (visit_json(visit_date="2023-01-01"), "visit_date", "no base salary"),
]


@pytest.mark.parametrize(
    ("visit", "field", "reason"), BAD_VISITS, ids=[f"{f}:{r}" for _, f, r in BAD_VISITS]
)
def test_a_bad_field_exits_2_naming_it(visit: dict[str, Any], field: str, reason: str) -> None:
    result = run(json.dumps(visit))
    assert result.exit_code == 2
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith(f"bad field {field}: ")
    assert reason in first_line
    assert result.stdout == ""


def test_the_second_bad_line_is_named_by_its_index() -> None:
    visit = visit_json(lines=[line(100_000), {**line(100_000), "quantity": 0}])
    assert run(json.dumps(visit)).stderr.startswith("bad field lines[1].quantity: ")


@pytest.mark.parametrize("stdin", ["", "{", "[1, 2]", '{"visit_date": NaN}'])
def test_input_that_is_not_a_visit_object_exits_2(stdin: str) -> None:
    result = run(stdin)
    assert result.exit_code == 2
    assert result.stderr.startswith("bad field ")
