"""The packaged rule data: every category of the 2025 list, base salary by date, and a
broken rule set refused at load time naming the field (an admin's edit will go through
the same check)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from smarthis.insurance.copay import CopayRulesError, load_rules, rules_from_mapping
from smarthis.insurance.copay.loader import RULES_FILE

ALL_27 = """
1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.11 1.12 1.13 1.14 1.15 1.16 1.17 1.18
2 3.1 3.2 3.3 3.6 7 7.2 7.3 7.4 8 9 10
"""


def test_all_27_visit_categories_are_held_with_their_names() -> None:
    rules = load_rules()
    assert sorted(c.code for c in rules.categories) == sorted(ALL_27.split())
    assert all(c.name_vi for c in rules.categories)
    assert rules.category("2").name_vi == "Cấp cứu"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("day", "salary", "verified"),
    [
        (date(2023, 7, 1), 1_800_000, True),
        (date(2024, 6, 30), 1_800_000, True),
        (date(2024, 7, 1), 2_340_000, True),
        (date(2026, 6, 30), 2_340_000, True),
        (date(2026, 7, 1), 2_530_000, False),  # seen in one hospital's configuration only
    ],
)
def test_base_salary_by_effective_date(day: date, salary: int, verified: bool) -> None:
    in_force = load_rules().base_salary_on(day)
    assert in_force is not None
    assert (in_force.amount_vnd, in_force.verified) == (salary, verified)


def test_no_base_salary_before_the_first_known_one() -> None:
    assert load_rules().base_salary_on(date(2023, 6, 30)) is None


@pytest.mark.parametrize(
    ("code", "day", "inpatient", "share"),
    [
        ("1.18", date(2026, 6, 30), False, Decimal(0)),
        ("1.18", date(2026, 7, 1), False, Decimal(50)),
        ("1.14", date(2026, 6, 30), False, Decimal(0)),
        ("1.14", date(2026, 7, 1), False, Decimal(50)),
        ("3.1", date(2025, 3, 10), False, Decimal(0)),
        ("3.1", date(2025, 3, 10), True, Decimal(40)),
        ("3.2", date(2025, 3, 10), True, Decimal(100)),
        ("3.2", date(2025, 3, 10), False, None),  # inpatient only
        ("1.17", date(2025, 3, 10), False, Decimal(100)),
    ],
)
def test_route_share_by_date_and_setting(
    code: str, day: date, inpatient: bool, share: Decimal | None
) -> None:
    category = load_rules().category(code)
    assert category is not None
    assert category.route_share(day, inpatient) == share


def _data() -> dict:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def test_rules_from_a_mapping_equal_the_packaged_rules() -> None:
    assert rules_from_mapping(_data()) == load_rules()


def test_a_share_above_100_is_refused_naming_the_field() -> None:
    data = _data()
    data["benefit_levels"][3]["share_percent"] = 180
    with pytest.raises(CopayRulesError) as refused:
        rules_from_mapping(data, origin="admin edit")
    assert refused.value.field == "benefit_levels.3.share_percent"
    assert "admin edit" in refused.value.message_vi


def test_base_salaries_out_of_order_are_refused() -> None:
    data = _data()
    data["base_salaries"].reverse()
    with pytest.raises(CopayRulesError, match="sorted"):
        rules_from_mapping(data)


def test_route_share_periods_out_of_order_are_refused() -> None:
    data = _data()
    category = next(c for c in data["categories"] if c["code"] == "1.18")
    category["route_shares"].append(
        {"effective_from": "2025-01-01", "outpatient": 20, "inpatient": None}
    )
    with pytest.raises(CopayRulesError, match=r"1\.18"):
        rules_from_mapping(data)


def test_a_missing_benefit_level_is_refused() -> None:
    data = _data()
    del data["benefit_levels"][4]
    with pytest.raises(CopayRulesError, match="levels 1-5"):
        rules_from_mapping(data)


def test_self_referred_outpatients_have_an_inpatient_counterpart() -> None:
    rules = load_rules()
    assert rules.category("1.18").inpatient_counterpart == "3.2"  # type: ignore[union-attr]
    assert {rules.category(c).inpatient_counterpart for c in ("1.12", "1.13", "1.14")} == {"1.15"}


def test_a_counterpart_without_an_inpatient_share_is_refused() -> None:
    data = _data()
    category = next(c for c in data["categories"] if c["code"] == "1.18")
    category["inpatient_counterpart"] = "1.13"  # outpatient only
    with pytest.raises(CopayRulesError, match=r"1\.18.*inpatient_counterpart 1\.13"):
        rules_from_mapping(data)
