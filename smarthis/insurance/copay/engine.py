"""Splitting a visit's charges between the insurance fund and the patient.

Per line (names of the XML 130 fields in brackets):
  hospital amount    = quantity × hospital price                                [THANH_TIEN_BV]
  insurance scope    = quantity × min(insurance, hospital price)
                       × ratio_service% × ratio_insurance%, 0 outside the benefit list
                       (unless the card's level covers it)                      [THANH_TIEN_BH]
  fund pays          = insurance scope × MUC_HUONG%                             [T_BHTT]
  patient co-payment = insurance scope − fund pays                              [T_BNCCT]
  patient self-pay   = hospital amount − insurance scope                        [T_BNTT]

Rounding: hospital amount, insurance scope and fund pays are each rounded half up to whole
VND on the line; co-payment and self-pay are differences of rounded numbers, so each line
adds up exactly and the totals, being sums of the lines, do too. The fund's total can thus
differ by a few đồng from rounding the visit's total scope × MUC_HUONG once; the line
figures are the ones printed and claimed.

The price the fund recognises is capped by the hospital's own price: the fund pays the
actual price up to the insurance price, so the scope never exceeds what was charged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from smarthis.insurance.copay.explanation import (
    capped_line_vi,
    number_vi,
    outside_scope_vi,
    priced_line_vi,
    shared_line_vi,
)
from smarthis.insurance.copay.loader import load_rules
from smarthis.insurance.copay.money import allocate, exact, round_half_up
from smarthis.insurance.copay.rules import CopayRules
from smarthis.insurance.copay.share import ShareDecision, VisitRules, decide_share, resolve
from smarthis.insurance.copay.visit import ChargeLine, LineSplit, SplitTotals, Visit, VisitSplit


@dataclass(frozen=True, slots=True)
class _PricedLine:
    line: ChargeLine
    hospital_amount: int
    scope: int
    priced_vi: str | None  # None: the line is outside the insurance scope
    outside_vi: str = ""


def split_visit(visit: Visit, rules: CopayRules | None = None) -> VisitSplit:
    rules = rules if rules is not None else load_rules()
    applied = resolve(rules, visit)
    priced = [_price(line, applied) for line in visit.lines]
    decision = decide_share(rules, visit, applied, sum(p.scope for p in priced))
    share = Fraction(decision.muc_huong) / 100
    funds = [round_half_up(p.scope * share) for p in priced]
    copays = [p.scope - fund for p, fund in zip(priced, funds, strict=True)]
    capped = _cap_copays(copays, decision)
    lines = tuple(
        _line_split(p, decision, uncapped, copay)
        for p, uncapped, copay in zip(priced, copays, capped, strict=True)
    )
    warnings = list(decision.warnings_vi)
    if not applied.category.verified:
        warnings.append(
            f"Tỷ lệ theo tuyến của mã {applied.category.code} là cách hiểu của chúng tôi, "
            "chưa được kiểm chứng với văn bản"
        )
    return VisitSplit(
        muc_huong=decision.muc_huong,
        totals=SplitTotals(
            hospital_total=sum(line.hospital_amount for line in lines),
            insurance_scope_total=sum(line.insurance_scope for line in lines),
            fund_pays=sum(line.fund_pays for line in lines),
            patient_copay=sum(line.patient_copay for line in lines),
            patient_self_pay=sum(line.patient_self_pay for line in lines),
        ),
        lines=lines,
        explanation_vi=decision.reason_vi,
        warnings_vi=tuple(warnings),
    )


def _price(line: ChargeLine, applied: VisitRules) -> _PricedLine:
    hospital_amount = round_half_up(exact(line.quantity) * exact(line.hospital_price))
    if applied.category.kind == "self_pay":
        why = f"Mã {applied.category.code} (không KCB BHYT)"
        return _PricedLine(line, hospital_amount, 0, None, why)
    if not line.in_benefit_list and not applied.level.covers_out_of_list:
        return _PricedLine(line, hospital_amount, 0, None, "Ngoài danh mục BHYT")
    unit = min(line.insurance_price, line.hospital_price)
    note = ""
    if line.hospital_price < line.insurance_price:
        note = f" (tính theo giá bệnh viện {number_vi(line.hospital_price)}, thấp hơn giá BHYT)"
    if not line.in_benefit_list:
        note += f" (ngoài danh mục, quyền lợi mức {applied.level.level} vẫn được hưởng)"
    scope = round_half_up(
        exact(line.quantity)
        * exact(unit)
        * exact(line.ratio_service)
        / 100
        * exact(line.ratio_insurance)
        / 100
    )
    priced_vi = priced_line_vi(
        quantity=line.quantity,
        unit_price=unit,
        price_note=note,
        ratio_service=line.ratio_service,
        ratio_insurance=line.ratio_insurance,
        scope=scope,
    )
    return _PricedLine(line, hospital_amount, scope, priced_vi)


def _cap_copays(copays: list[int], decision: ShareDecision) -> list[int]:
    """Five-year rule crossing the cap in this visit: the patient co-pays only what is left of
    the yearly allowance (rounded down: never a đồng above the cap), spread over the lines
    in proportion to their co-payment; the fund pays the rest."""
    allowance = decision.copay_allowance
    if allowance is None or sum(copays) <= allowance:
        return copays
    return allocate(max(0, math.floor(allowance)), copays)


def _line_split(p: _PricedLine, decision: ShareDecision, uncapped: int, copay: int) -> LineSplit:
    self_pay = p.hospital_amount - p.scope
    fund = p.scope - copay
    if p.priced_vi is None:
        text = outside_scope_vi(
            p.line.quantity, p.line.hospital_price, p.hospital_amount, p.outside_vi
        )
    else:
        text = shared_line_vi(
            priced=p.priced_vi,
            muc_huong=decision.muc_huong,
            label=decision.label_vi,
            fund=fund,
            copay=copay,
            self_pay=self_pay,
        )
        if copay != uncapped:
            text = capped_line_vi(text, uncapped, copay)
    return LineSplit(
        hospital_amount=p.hospital_amount,
        insurance_scope=p.scope,
        fund_pays=fund,
        patient_copay=copay,
        patient_self_pay=self_pay,
        explanation_vi=text,
    )
