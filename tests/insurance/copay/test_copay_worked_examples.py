"""Worked examples, computed by hand from ../shared/reference/insurance_rules.md.

Unless a test says otherwise: outpatient, category 1.1 (registered facility, route share
100%), visit on 2025-03-10 (base salary 2,340,000, so the small-visit threshold is 15% of
it = 351,000 and the five-year cap 6 × 2,340,000 = 14,040,000), one line of 1,000,000.
"""

from __future__ import annotations

from typing import Any

import pytest

from smarthis.errors import DomainError
from tests.insurance.copay.visits import Split, line


def amounts(result: dict[str, Any]) -> tuple[int, int, int, int]:
    totals = result["totals"]
    return (
        totals["insurance_scope_total"],
        totals["fund_pays"],
        totals["patient_copay"],
        totals["patient_self_pay"],
    )


# --- benefit levels (digit 3 of the card) ---------------------------------------------


@pytest.mark.parametrize(
    ("level", "muc_huong", "fund", "copay"),
    [
        (1, 100, 1_000_000, 0),
        (2, 100, 1_000_000, 0),
        (3, 95, 950_000, 50_000),
        (4, 80, 800_000, 200_000),
        (5, 100, 1_000_000, 0),
    ],
)
def test_benefit_level_sets_the_share_on_correct_route(
    split: Split, level: int, muc_huong: int, fund: int, copay: int
) -> None:
    result = split(benefit_level=level)
    assert result["muc_huong"] == muc_huong
    assert amounts(result) == (1_000_000, fund, copay, 0)


# --- route shares by category, date and setting -----------------------------------------


def test_self_referred_outpatient_at_former_provincial_hospital_before_2026_07_01(
    split: Split,
) -> None:
    result = split(category="1.18", visit_date="2026-06-30")
    assert result["muc_huong"] == 0
    assert amounts(result) == (1_000_000, 0, 1_000_000, 0)


def test_self_referred_outpatient_at_former_provincial_hospital_from_2026_07_01(
    split: Split,
) -> None:
    # 80% × 50% = 40%
    result = split(category="1.18", visit_date="2026-07-01")
    assert result["muc_huong"] == 40
    assert amounts(result) == (1_000_000, 400_000, 600_000, 0)


def test_1_14_changes_on_the_same_date(split: Split) -> None:
    assert split(category="1.14", visit_date="2026-06-30")["muc_huong"] == 0
    assert split(category="1.14", visit_date="2026-07-01")["muc_huong"] == 40


def test_level_3_self_referred_gives_a_fractional_share(split: Split) -> None:
    # 95% × 50% = 47.5%: 1,000,000 × 47.5% = 475,000
    result = split(category="1.18", visit_date="2026-07-01", benefit_level=3)
    assert result["muc_huong"] == 47.5
    assert amounts(result) == (1_000_000, 475_000, 525_000, 0)


@pytest.mark.parametrize("category", ["1.3", "1.5", "1.17", "2"])
def test_referral_follow_up_appendix_i_and_emergency_pay_the_full_route_share(
    split: Split, category: str
) -> None:
    assert split(category=category)["muc_huong"] == 80


def test_former_central_hospital_self_referred_outpatient_gets_nothing(split: Split) -> None:
    result = split(category="3.1", inpatient=False)
    assert result["muc_huong"] == 0
    assert amounts(result) == (1_000_000, 0, 1_000_000, 0)


def test_former_central_hospital_self_referred_inpatient_gets_40_percent(split: Split) -> None:
    # 80% × 40% = 32%
    result = split(category="3.1", inpatient=True)
    assert result["muc_huong"] == 32
    assert amounts(result) == (1_000_000, 320_000, 680_000, 0)


def test_self_referred_inpatient_at_former_provincial_hospital_is_paid_in_full(
    split: Split,
) -> None:
    assert split(category="3.2", inpatient=True)["muc_huong"] == 80


def test_an_inpatient_only_category_is_refused_for_an_outpatient(split: Split) -> None:
    with pytest.raises(DomainError) as refused:
        split(category="3.2", inpatient=False)
    assert refused.value.field == "category"


def test_an_outpatient_only_category_is_refused_for_an_inpatient(split: Split) -> None:
    with pytest.raises(DomainError) as refused:
        split(category="1.18", inpatient=True)
    assert refused.value.field == "category"


# --- small visit: under 15% of the base salary ------------------------------------------


def test_small_correct_route_visit_is_paid_in_full(split: Split) -> None:
    result = split(lines=[line(39_000)])
    assert result["muc_huong"] == 100
    assert amounts(result) == (39_000, 39_000, 0, 0)
    assert "thấp hơn 15% lương cơ sở" in result["explanation_vi"]


@pytest.mark.parametrize(
    ("visit_date", "scope", "muc_huong"),
    [
        ("2025-03-10", 350_999, 100),  # under 351,000
        ("2025-03-10", 351_000, 80),  # not under: the threshold itself is not small
        ("2024-06-30", 269_999, 100),  # base 1,800,000: threshold 270,000
        ("2024-06-30", 300_000, 80),
        ("2024-07-01", 300_000, 100),  # base 2,340,000 from this day
        ("2026-07-01", 379_499, 100),  # base 2,530,000: threshold 379,500
        ("2026-07-01", 379_500, 80),
    ],
)
def test_small_visit_threshold_follows_the_base_salary_of_the_visit_date(
    split: Split, visit_date: str, scope: int, muc_huong: int
) -> None:
    assert split(visit_date=visit_date, lines=[line(scope)])["muc_huong"] == muc_huong


def test_small_visit_threshold_counts_the_whole_visit_in_scope(split: Split) -> None:
    # 200,000 + 200,000 = 400,000 in scope: not small, although each line is.
    result = split(lines=[line(200_000), line(200_000)])
    assert result["muc_huong"] == 80
    # An out-of-list line does not count towards the scope.
    result = split(lines=[line(200_000), line(200_000, in_benefit_list=False)])
    assert result["muc_huong"] == 100


def test_small_self_referred_visit_keeps_its_reduced_share(split: Split) -> None:
    # 39,000 × 40% = 15,600
    result = split(category="1.18", visit_date="2026-07-01", lines=[line(39_000)])
    assert result["muc_huong"] == 40
    assert amounts(result) == (39_000, 15_600, 23_400, 0)


def test_small_visit_rule_skips_self_referred_appendix_i_visits(split: Split) -> None:
    # 1.17 pays a 100% route share but is self-referred: the rule names "not self-referred".
    result = split(category="1.17", lines=[line(39_000)])
    assert result["muc_huong"] == 80
    assert amounts(result) == (39_000, 31_200, 7_800, 0)


def test_unverified_base_salary_is_said_on_screen(split: Split) -> None:
    result = split(visit_date="2026-07-01", lines=[line(39_000)])
    assert any("chưa được kiểm chứng" in warning for warning in result["warnings_vi"])


# --- five consecutive years: co-payment above 6 × base salary in the year ---------------


def test_five_years_and_cap_already_passed_means_no_co_payment(split: Split) -> None:
    result = split(five_years_reached_on="2020-01-01", copay_paid_this_year=14_040_000)
    assert result["muc_huong"] == 100
    assert amounts(result) == (1_000_000, 1_000_000, 0, 0)


def test_crossing_the_cap_in_this_visit_caps_the_co_payment(split: Split) -> None:
    # Allowance left: 14,040,000 − 13,900,000 = 140,000 < 200,000 the patient would pay.
    result = split(five_years_reached_on="2020-01-01", copay_paid_this_year=13_900_000)
    assert result["muc_huong"] == 80
    assert amounts(result) == (1_000_000, 860_000, 140_000, 0)
    assert "chạm trần" in result["lines"][0]["explanation_vi"]


def test_crossing_the_cap_spreads_the_co_payment_over_the_lines(split: Split) -> None:
    # Co-payments 120,000 and 80,000 (200,000) cut to 140,000 in proportion: 84,000 + 56,000.
    result = split(
        five_years_reached_on="2020-01-01",
        copay_paid_this_year=13_900_000,
        lines=[line(600_000), line(400_000)],
    )
    assert [ln["patient_copay"] for ln in result["lines"]] == [84_000, 56_000]
    assert [ln["fund_pays"] for ln in result["lines"]] == [516_000, 344_000]


def test_under_the_cap_the_patient_co_pays_as_usual(split: Split) -> None:
    result = split(five_years_reached_on="2020-01-01", copay_paid_this_year=1_000_000)
    assert amounts(result) == (1_000_000, 800_000, 200_000, 0)


def test_five_years_not_yet_reached_on_the_visit_date(split: Split) -> None:
    result = split(five_years_reached_on="2025-03-11", copay_paid_this_year=20_000_000)
    assert amounts(result) == (1_000_000, 800_000, 200_000, 0)


def test_five_year_exemption_is_for_correct_route_only(split: Split) -> None:
    result = split(
        category="3.1",
        inpatient=True,
        five_years_reached_on="2020-01-01",
        copay_paid_this_year=20_000_000,
    )
    assert result["muc_huong"] == 32


def test_cap_is_rescaled_after_a_mid_year_base_salary_change(split: Split) -> None:
    # Visit 2026-08-01; 10,000,000 paid before the change on 2026-07-01, 2,000,000 after.
    # R = (6 − 10,000,000 / 2,340,000) × 2,530,000 = 4,368,034.19; left 2,368,034.19,
    # rounded down so the patient never pays above the cap.
    result = split(
        visit_date="2026-08-01",
        inpatient=True,
        five_years_reached_on="2020-01-01",
        copay_paid_this_year=12_000_000,
        copay_paid_before_salary_change=10_000_000,
        lines=[line(20_000_000)],
    )
    assert amounts(result) == (20_000_000, 17_631_966, 2_368_034, 0)
    assert "R = (6 − 10.000.000 / 2.340.000) × 2.530.000" in result["explanation_vi"]


def test_without_the_amount_before_the_change_the_cap_uses_todays_salary(split: Split) -> None:
    # 6 × 2,530,000 − 12,000,000 = 3,180,000, and the screen says what was assumed.
    result = split(
        visit_date="2026-08-01",
        inpatient=True,
        five_years_reached_on="2020-01-01",
        copay_paid_this_year=12_000_000,
        lines=[line(20_000_000)],
    )
    assert amounts(result) == (20_000_000, 16_820_000, 3_180_000, 0)
    assert any("Lương cơ sở đổi" in warning for warning in result["warnings_vi"])


# --- what is inside the insurance scope --------------------------------------------------


def test_out_of_list_line_is_paid_by_the_patient(split: Split) -> None:
    result = split(lines=[line(1_000_000), line(100_000, in_benefit_list=False)])
    assert amounts(result) == (1_000_000, 800_000, 200_000, 100_000)
    assert result["lines"][1]["explanation_vi"].startswith("Ngoài danh mục BHYT")


def test_level_5_covers_lines_outside_the_list(split: Split) -> None:
    result = split(benefit_level=5, lines=[line(1_000_000, in_benefit_list=False)])
    assert amounts(result) == (1_000_000, 1_000_000, 0, 0)


def test_hospital_price_above_insurance_price_is_self_paid(split: Split) -> None:
    lines = [{"quantity": 2, "hospital_price": 500_000, "insurance_price": 450_000}]
    # scope 900,000: fund 720,000, co-payment 180,000; self-pay 1,000,000 − 900,000.
    assert amounts(split(lines=lines)) == (900_000, 720_000, 180_000, 100_000)


def test_insurance_price_above_hospital_price_is_capped_at_the_hospital_price(
    split: Split,
) -> None:
    lines = [{"quantity": 1, "hospital_price": 500_000, "insurance_price": 600_000}]
    assert amounts(split(lines=lines)) == (500_000, 400_000, 100_000, 0)


def test_payment_ratios_multiply_before_the_share(split: Split) -> None:
    # 2 × 400,000 × 100% × 50% = 400,000 in scope; hospital 2 × 500,000 = 1,000,000.
    lines = [
        {
            "quantity": 2,
            "hospital_price": 500_000,
            "insurance_price": 400_000,
            "ratio_insurance": 50,
        }
    ]
    assert amounts(split(lines=lines)) == (400_000, 320_000, 80_000, 600_000)
    # 1 × 1,000,000 × 80% × 50% = 400,000
    lines = [line(1_000_000, ratio_service=80, ratio_insurance=50)]
    assert amounts(split(lines=lines)) == (400_000, 320_000, 80_000, 600_000)


# --- categories that are not an insured visit, and dates without data -------------------


def test_category_9_is_self_pay(split: Split) -> None:
    result = split(category="9")
    assert result["muc_huong"] == 0
    assert amounts(result) == (0, 0, 0, 1_000_000)


def test_category_8_is_not_a_visit(split: Split) -> None:
    with pytest.raises(DomainError) as refused:
        split(category="8")
    assert refused.value.field == "category"


def test_visit_before_the_first_known_base_salary_is_refused(split: Split) -> None:
    with pytest.raises(DomainError) as refused:
        split(visit_date="2023-06-30")
    assert refused.value.field == "visit_date"


# --- rounding and explanation ------------------------------------------------------------


def test_each_line_rounds_half_up_and_the_totals_are_their_sums(split: Split) -> None:
    # 33,333 × 95% = 31,666.35 -> 31,666 per line; three lines 94,998 (not 94,999).
    result = split(benefit_level=3, lines=[line(33_333)] * 3 + [line(400_000)])
    assert [ln["fund_pays"] for ln in result["lines"]] == [31_666, 31_666, 31_666, 380_000]
    assert result["totals"]["fund_pays"] == 474_998
    assert result["totals"]["patient_copay"] == 3 * 1_667 + 20_000


def test_fractional_quantity_rounds_the_amounts(split: Split) -> None:
    # 0.5 × 39,001 = 19,500.5 -> 19,501 in scope; L4 fund 15,600.8 -> 15,601.
    result = split(lines=[line(39_001, quantity=0.5)] + [line(400_000)])
    assert result["lines"][0]["insurance_scope"] == 19_501
    assert result["lines"][0]["fund_pays"] == 15_601


def test_explanation_says_how_the_line_was_split(split: Split) -> None:
    text = split(lines=[line(400_000)])["lines"][0]["explanation_vi"]
    assert text == (
        "Giá BHYT 400.000 × SL 1 × tỷ lệ thanh toán dịch vụ 100% × tỷ lệ thanh toán BHYT "
        "100% = 400.000 trong phạm vi BHYT; × mức hưởng 80% (quyền lợi mức 4: 80% × tuyến "
        "100%, mã 1.1) = quỹ BHYT trả 320.000; người bệnh cùng chi trả 80.000; tự trả 0"
    )


def test_a_route_share_that_is_our_reading_is_said_on_screen(split: Split) -> None:
    # 1.2 (primary-level facility) is not in the reference table: 100% is our reading.
    result = split(category="1.2")
    assert result["muc_huong"] == 80
    assert any("mã 1.2" in warning for warning in result["warnings_vi"])
    assert split(category="1.1")["warnings_vi"] == []
