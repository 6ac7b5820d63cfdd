"""What the engine takes (a visit and its charge lines) and what it gives back (the split).

Amounts in are exact (`Decimal` quantities and prices as typed by the cashier); amounts out
are whole VND.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ChargeLine:
    quantity: Decimal
    hospital_price: Decimal  # the hospital's price (THANH_TIEN_BV is quantity × this)
    insurance_price: Decimal  # the price the fund recognises (giá BHYT)
    ratio_service: Decimal = Decimal(100)  # TYLE_TT_DV: services paid at a ratio
    ratio_insurance: Decimal = Decimal(100)  # TYLE_TT_BH: items the fund pays partly
    in_benefit_list: bool = True


@dataclass(frozen=True, slots=True)
class Visit:
    visit_date: date
    benefit_level: int
    category: str  # MA_DOITUONG_KCB
    inpatient: bool
    lines: tuple[ChargeLine, ...]
    five_years_reached_on: date | None = None  # portal field ngayDu5Nam
    copay_paid_this_year: int = 0  # co-payments of earlier visits this calendar year
    # Of `copay_paid_this_year`, what was paid before a mid-year base-salary change: the
    # remaining allowance is re-scaled from it. None: treat all as paid after the change.
    copay_paid_before_salary_change: int | None = None


@dataclass(frozen=True, slots=True)
class LineSplit:
    hospital_amount: int
    insurance_scope: int
    fund_pays: int
    patient_copay: int
    patient_self_pay: int
    explanation_vi: str


@dataclass(frozen=True, slots=True)
class SplitTotals:
    hospital_total: int
    insurance_scope_total: int
    fund_pays: int
    patient_copay: int
    patient_self_pay: int


@dataclass(frozen=True, slots=True)
class VisitSplit:
    muc_huong: Decimal  # MUC_HUONG as claims write it: 80, 40, 47.5, 100...
    totals: SplitTotals
    lines: tuple[LineSplit, ...]
    explanation_vi: str
    warnings_vi: tuple[str, ...] = field(default=())
