"""The insurance split as billing uses it (integer-VND charges, the visit's basis, the self-pay
category and unverified cards included): every invoice line adds up, fund + co-payment +
self-payment = the hospital amount, the totals are the sums of the lines, and nothing is
negative. tests/insurance/copay/test_copay_properties.py covers the engine's own inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from smarthis.billing.invoices import SELF_PAY_CATEGORY, SplitBasis, engine_visit
from smarthis.errors import DomainError
from smarthis.insurance.copay import VisitSplit, load_rules, split_visit
from smarthis.insurance.copay.money import allocate
from tests.badinput.profile import properties

RULES = load_rules()
INSURED = sorted(c.code for c in RULES.categories if c.kind == "insured")


@dataclass
class BilledCharge:
    """The columns of billing's Charge that the split reads."""

    quantity: int
    hospital_price_vnd: int
    insurance_price_vnd: int
    ratio_service: int
    ratio_insurance: int
    in_benefit_list: bool


prices = st.integers(0, 50_000_000) | st.sampled_from([0, 1, 3, 37_800, 150_000])
ratios = st.sampled_from([100, 50, 30]) | st.integers(0, 100)
charges = st.builds(
    BilledCharge,
    quantity=st.integers(1, 120),
    hospital_price_vnd=prices,
    insurance_price_vnd=prices,
    ratio_service=ratios,
    ratio_insurance=ratios,
    in_benefit_list=st.booleans(),
)
insured_basis = st.builds(
    SplitBasis,
    category=st.sampled_from(INSURED),
    benefit_level=st.integers(1, 5),
    visit_date=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    copay_paid_before=st.integers(0, 30_000_000),
    warnings_vi=st.just(()),
)
# No verified card: billing sends the self-pay category with no level.
self_pay_basis = st.builds(
    SplitBasis,
    category=st.just(SELF_PAY_CATEGORY),
    benefit_level=st.none(),
    visit_date=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    copay_paid_before=st.just(0),
    warnings_vi=st.just(()),
)


def split(basis: SplitBasis, lines: list[BilledCharge]) -> VisitSplit:
    try:
        return split_visit(engine_visit(basis, lines), RULES)  # type: ignore[arg-type]
    except DomainError as refused:
        # Only an inpatient-only category on an outpatient visit may refuse a visit.
        assert refused.code == "copay_category_setting"
        assume(False)
        raise


@properties(200)
@given(basis=insured_basis | self_pay_basis, lines=st.lists(charges, min_size=1, max_size=8))
def test_every_line_and_the_totals_add_up_and_nothing_is_negative(
    basis: SplitBasis, lines: list[BilledCharge]
) -> None:
    result = split(basis, lines)
    assert len(result.lines) == len(lines)
    for line in result.lines:
        parts = (line.fund_pays, line.patient_copay, line.patient_self_pay)
        assert min(parts) >= 0 and line.insurance_scope >= 0
        assert sum(parts) == line.hospital_amount
        assert line.fund_pays + line.patient_copay <= line.insurance_scope
    totals = result.totals
    assert totals.hospital_total == sum(line.hospital_amount for line in result.lines)
    assert totals.fund_pays == sum(line.fund_pays for line in result.lines)
    assert totals.patient_copay == sum(line.patient_copay for line in result.lines)
    assert totals.patient_self_pay == sum(line.patient_self_pay for line in result.lines)
    # What the invoice asks the patient for plus what the fund pays is the whole bill.
    amount_due = totals.patient_copay + totals.patient_self_pay
    assert totals.fund_pays + amount_due == totals.hospital_total


@properties(100)
@given(basis=self_pay_basis, lines=st.lists(charges, min_size=1, max_size=8))
def test_without_a_verified_card_the_fund_pays_nothing(
    basis: SplitBasis, lines: list[BilledCharge]
) -> None:
    totals = split(basis, lines).totals
    assert totals.fund_pays == 0 and totals.patient_copay == 0
    assert totals.patient_self_pay == totals.hospital_total


@properties(300)
@given(
    total=st.integers(0, 10**9),
    weights=st.lists(st.integers(0, 10**8), min_size=1, max_size=12),
)
def test_allocation_never_loses_or_invents_a_dong(total: int, weights: list[int]) -> None:
    shares = allocate(total, weights)
    assert len(shares) == len(weights)
    if sum(weights) == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == total
    assert min(shares) >= 0
    if total <= sum(weights):
        assert all(share <= weight for share, weight in zip(shares, weights, strict=True))
