"""MUC_HUONG: the share of the insurance scope the fund pays for one visit.

Order, as the rules file gives it: benefit share (card level) × route share (category, by
date and setting); then a small correct-route visit is paid in full; then a patient past
five consecutive years of cover is exempt once the year's co-payments pass the cap (in
full if already past, partly if this visit crosses it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from smarthis.errors import DomainError
from smarthis.insurance.copay.categories import VisitCategory
from smarthis.insurance.copay.explanation import day_vi, percent_vi, vnd
from smarthis.insurance.copay.rules import BaseSalary, BenefitLevel, CopayRules
from smarthis.insurance.copay.visit import Visit


@dataclass(frozen=True, slots=True)
class VisitRules:
    """The rule objects that apply to one visit."""

    category: VisitCategory
    level: BenefitLevel
    base_salary: BaseSalary


@dataclass(frozen=True, slots=True)
class ShareDecision:
    muc_huong: Decimal
    label_vi: str  # why, in a few words, repeated on every line
    reason_vi: str  # the whole reasoning, shown once for the visit
    # Five-year rule crossing the cap in this visit: the most the patient may still co-pay.
    copay_allowance: Fraction | None = None
    # Facts the decision leaned on that nobody has checked yet: shown, never hidden.
    warnings_vi: tuple[str, ...] = ()


def resolve(rules: CopayRules, visit: Visit) -> VisitRules:
    category = rules.category(visit.category)
    if category is None:
        raise DomainError(
            "copay_category_unknown",
            f"Mã đối tượng KCB '{visit.category}' không có trong danh mục",
            f"visit category '{visit.category}' is not a MA_DOITUONG_KCB code",
            field="category",
        )
    if category.kind == "claim_withdrawal":
        raise DomainError(
            "copay_category_not_a_visit",
            f"Mã {category.code} ({category.name_vi}) không phải một lượt khám để tính chi phí",
            f"category {category.code} withdraws a claim; it is not a visit to split",
            field="category",
        )
    salary = rules.base_salary_on(visit.visit_date)
    if salary is None:
        first = rules.base_salaries[0].effective_from
        raise DomainError(
            "copay_no_base_salary",
            f"Chưa có lương cơ sở cho ngày {day_vi(visit.visit_date)} (dữ liệu từ {day_vi(first)})",
            f"no base salary is known for {visit.visit_date} (data starts {first})",
            field="visit_date",
        )
    try:
        level = rules.benefit_level(visit.benefit_level)
    except KeyError:
        raise DomainError(
            "copay_benefit_level",
            "Mức hưởng trên thẻ phải từ 1 đến 5",
            "benefit_level must be 1 to 5",
            field="benefit_level",
        ) from None
    return VisitRules(category=category, level=level, base_salary=salary)


def decide_share(
    rules: CopayRules, visit: Visit, applied: VisitRules, scope_total: int
) -> ShareDecision:
    category, level = applied.category, applied.level
    if category.kind == "self_pay":
        reason = f"Mã {category.code} ({category.name_vi}): người bệnh tự trả toàn bộ"
        return ShareDecision(Decimal(0), f"mã {category.code}, không dùng thẻ BHYT", reason)
    route = category.route_share(visit.visit_date, visit.inpatient)
    if route is None:
        setting = "nội trú" if visit.inpatient else "ngoại trú"
        raise DomainError(
            "copay_category_setting",
            f"Mã {category.code} ({category.name_vi}) không áp dụng cho điều trị {setting}",
            f"category {category.code} does not apply to "
            f"{'inpatient' if visit.inpatient else 'outpatient'} care",
            field="category",
        )
    share = level.share_percent * route / 100
    label = (
        f"quyền lợi mức {level.level}: {percent_vi(level.share_percent)} × tuyến "
        f"{percent_vi(route)}, mã {category.code}"
    )
    reason = (
        f"Mức hưởng {percent_vi(share)} = quyền lợi mức {level.level} "
        f"({percent_vi(level.share_percent)}) × tỷ lệ theo tuyến {percent_vi(route)} "
        f"(mã {category.code}: {category.name_vi}, ngày {day_vi(visit.visit_date)})"
    )
    if share == 100:
        return ShareDecision(share, label, reason)

    # Both rules below measure money in base salaries: only then is an unchecked salary
    # worth a warning.
    small_visit_rule = category.correct_route and route == 100
    five_years = _five_years_apply(visit, category)
    warnings = _unverified_salary(applied.base_salary) if small_visit_rule or five_years else ()
    salary = applied.base_salary.amount_vnd
    threshold = (
        Fraction(salary) * Fraction(rules.small_visit.threshold_percent_of_base_salary) / 100
    )
    if small_visit_rule and scope_total < threshold:
        return ShareDecision(
            Decimal(100),
            f"chi phí dưới {percent_vi(rules.small_visit.threshold_percent_of_base_salary)} "
            "lương cơ sở",
            f"{reason}; tổng chi phí trong phạm vi BHYT {vnd(scope_total)} thấp hơn "
            f"{percent_vi(rules.small_visit.threshold_percent_of_base_salary)} lương cơ sở "
            f"({vnd(threshold)}) nên quỹ BHYT trả 100%",
            warnings_vi=warnings,
        )

    if not five_years:
        return ShareDecision(share, label, reason, warnings_vi=warnings)
    allowance, cap_text, cap_warnings = _five_year_allowance(rules, visit, applied.base_salary)
    warnings += cap_warnings
    if allowance <= 0:
        return ShareDecision(
            Decimal(100),
            "miễn cùng chi trả (đủ 5 năm liên tục, vượt trần trong năm)",
            f"{reason}; {cap_text}: đã vượt trần nên quỹ BHYT trả 100% đến hết năm",
            warnings_vi=warnings,
        )
    return ShareDecision(
        share,
        label,
        f"{reason}; {cap_text}: người bệnh cùng chi trả tối đa {vnd(math.floor(allowance))} nữa",
        copay_allowance=allowance,
        warnings_vi=warnings,
    )


def _unverified_salary(salary: BaseSalary) -> tuple[str, ...]:
    if salary.verified:
        return ()
    return (salary.note_vi or f"Lương cơ sở {vnd(salary.amount_vnd)} chưa được kiểm chứng",)


def _five_years_apply(visit: Visit, category: VisitCategory) -> bool:
    reached = visit.five_years_reached_on
    return reached is not None and reached <= visit.visit_date and category.correct_route


def _five_year_allowance(
    rules: CopayRules, visit: Visit, salary: BaseSalary
) -> tuple[Fraction, str, tuple[str, ...]]:
    """What the patient may still co-pay this year before the fund takes over, and why.

    After a mid-year base-salary change the rules re-scale what is left:
    R = (6 − A / L_old) × L_new, A = co-payment paid before the change.
    """
    months = Fraction(rules.five_year_exemption.cap_months_of_base_salary)
    paid = visit.copay_paid_this_year
    year_start = date(visit.visit_date.year, 1, 1)
    changes = rules.base_salary_changes(after=year_start, up_to=visit.visit_date)
    before_change = visit.copay_paid_before_salary_change
    if changes and before_change is not None:
        change = changes[-1]
        old = rules.base_salary_on(date.fromordinal(change.effective_from.toordinal() - 1))
        assert old is not None  # a change always follows a known salary
        rescaled = (months - Fraction(before_change, old.amount_vnd)) * change.amount_vnd
        allowance = rescaled - (paid - before_change)
        text = (
            f"đủ 5 năm liên tục từ {day_vi(visit.five_years_reached_on)}; lương cơ sở đổi "
            f"từ {vnd(old.amount_vnd)} lên {vnd(change.amount_vnd)} ngày "
            f"{day_vi(change.effective_from)}, trần còn lại R = ({_num(months)} − "
            f"{vnd(before_change)} / {vnd(old.amount_vnd)}) × {vnd(change.amount_vnd)} = "
            f"{vnd(rescaled)}, đã cùng chi trả sau ngày đổi {vnd(paid - before_change)}"
        )
        return allowance, text, ()
    warnings: tuple[str, ...] = ()
    if changes:
        warnings = (
            f"Lương cơ sở đổi ngày {day_vi(changes[-1].effective_from)} trong năm nhưng chưa "
            "có số tiền cùng chi trả trước ngày đổi: trần tính theo lương cơ sở hiện hành",
        )
    cap = months * salary.amount_vnd
    text = (
        f"đủ 5 năm liên tục từ {day_vi(visit.five_years_reached_on)}; trần cùng chi trả trong "
        f"năm {_num(months)} tháng lương cơ sở = {vnd(cap)}, đã cùng chi trả {vnd(paid)}"
    )
    return cap - paid, text, warnings


def _num(value: Fraction) -> str:
    return percent_vi(Decimal(value.numerator) / value.denominator).rstrip("%")
