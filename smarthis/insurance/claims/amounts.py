"""The standard's line formulas (Decision 130 tables 2 and 3) and the visit totals of table 1.

The co-payment engine is the source of a visit's split; these functions state the same
formulas for callers that price a line directly (tests, the benchmark, imports):
THANH_TIEN_BV = SO_LUONG x DON_GIA_BV x TYLE_TT_DV/100, THANH_TIEN_BH = SO_LUONG x
DON_GIA_BH x TYLE_TT_DV/100 x TYLE_TT_BH/100, T_BHTT = THANH_TIEN_BH x MUC_HUONG/100,
T_BNCCT = THANH_TIEN_BH - T_BHTT, T_BNTT = THANH_TIEN_BV - THANH_TIEN_BH, each to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from smarthis.insurance.claims.formats import rounded
from smarthis.insurance.claims.inputs import ClaimTotals, DrugLine, LineAmounts, ServiceLine
from smarthis.insurance.copay import LineSplit

HUNDRED = Decimal(100)
MONEY_DECIMALS = 2


def line_amounts(
    *,
    quantity: Decimal,
    hospital_price: Decimal,
    insurance_price: Decimal,
    share_percent: Decimal,
    ratio_service: Decimal = HUNDRED,
    ratio_insurance: Decimal = HUNDRED,
    in_scope: bool = True,
) -> LineAmounts:
    hospital = rounded(quantity * hospital_price * ratio_service / HUNDRED, MONEY_DECIMALS)
    insurance = Decimal(0)
    if in_scope:
        insurance = rounded(
            quantity * insurance_price * ratio_service / HUNDRED * ratio_insurance / HUNDRED,
            MONEY_DECIMALS,
        )
    fund = rounded(insurance * share_percent / HUNDRED, MONEY_DECIMALS)
    return LineAmounts(
        hospital_amount=hospital,
        insurance_amount=insurance,
        share_percent=share_percent,
        fund_pays=fund,
        patient_copay=insurance - fund,
        patient_self_pay=hospital - insurance,
    )


def amounts_from_copay(split: LineSplit, share_percent: Decimal) -> LineAmounts:
    """A line of the co-payment engine's VisitSplit (whole VND) as the claim writes it;
    `share_percent` is the split's `muc_huong`."""
    return LineAmounts(
        hospital_amount=Decimal(split.hospital_amount),
        insurance_amount=Decimal(split.insurance_scope),
        share_percent=share_percent,
        fund_pays=Decimal(split.fund_pays),
        patient_copay=Decimal(split.patient_copay),
        patient_self_pay=Decimal(split.patient_self_pay),
    )


def totals_from_lines(drugs: Iterable[DrugLine], services: Iterable[ServiceLine]) -> ClaimTotals:
    """Table 1's totals as the sums of the lines (what the validator checks them against)."""
    drug_lines, service_lines = tuple(drugs), tuple(services)
    lines = [d.amounts for d in drug_lines] + [s.amounts for s in service_lines]

    def total(values: Iterable[Decimal]) -> Decimal:
        return sum(values, Decimal(0))

    fee_for_service = [d.amounts for d in drug_lines if d.payment_method == 1] + [
        s.amounts for s in service_lines if s.payment_method == 1
    ]
    return ClaimTotals(
        drugs=total(d.amounts.hospital_amount for d in drug_lines),
        supplies=total(s.amounts.hospital_amount for s in service_lines if s.is_supply),
        hospital_total=total(a.hospital_amount for a in lines),
        insurance_total=total(a.insurance_amount for a in lines),
        patient_self_pay=total(a.patient_self_pay for a in lines),
        patient_copay=total(a.patient_copay for a in lines),
        fund_pays=total(a.fund_pays for a in lines),
        other_sources=total(a.other_sources for a in lines),
        fund_pays_fee_for_service=total(a.fund_pays for a in fee_for_service),
    )
