"""The co-payment rules as typed, validated data (benefit levels, base salary, thresholds).

The rules change by decree and by date, so they live in a data file (later a table an
admin edits), never in `if`s: the engine only asks these objects questions by date.
Categories (MA_DOITUONG_KCB) and their route shares are in `categories.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smarthis.insurance.copay.categories import Percent, VisitCategory


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BenefitLevel(_Frozen):
    """Digit 3 of the card code: the share the fund pays on correct route."""

    level: int = Field(ge=1, le=5)
    share_percent: Percent
    # Level 5 (army, police, cipher staff): the fund also pays services outside the list.
    covers_out_of_list: bool = False
    # Level 2 pays high-tech services up to a ceiling; the engine has no high-tech input yet.
    high_tech_ceiling: bool = False
    typical_groups: tuple[str, ...] = ()


class BaseSalary(_Frozen):
    """Lương cơ sở (base salary): the unit of the small-visit threshold and the yearly cap."""

    effective_from: date
    amount_vnd: int = Field(gt=0)
    verified: bool = True
    note_vi: str | None = None


class SmallVisitRule(_Frozen):
    threshold_percent_of_base_salary: Percent


class FiveYearRule(_Frozen):
    cap_months_of_base_salary: Decimal = Field(gt=0)


class CopayRules(_Frozen):
    """Everything the split needs, answerable by date."""

    source: str
    benefit_levels: tuple[BenefitLevel, ...]
    base_salaries: tuple[BaseSalary, ...]
    small_visit: SmallVisitRule
    five_year_exemption: FiveYearRule
    categories: tuple[VisitCategory, ...]

    @model_validator(mode="after")
    def _consistent(self) -> CopayRules:
        levels = sorted(level.level for level in self.benefit_levels)
        if levels != [1, 2, 3, 4, 5]:
            raise ValueError(f"benefit_levels must hold levels 1-5 once each, found {levels}")
        starts = [salary.effective_from for salary in self.base_salaries]
        if not starts or starts != sorted(set(starts)):
            raise ValueError("base_salaries must be non-empty, sorted by date, dates unique")
        codes = [category.code for category in self.categories]
        if len(codes) != len(set(codes)):
            raise ValueError("categories: a code appears twice")
        for category in self.categories:
            counterpart = category.inpatient_counterpart
            target = self.category(counterpart) if counterpart else None
            if counterpart and (
                target is None or all(p.inpatient is None for p in target.route_shares)
            ):
                raise ValueError(
                    f"category {category.code}: inpatient_counterpart {counterpart} must be a "
                    "category with an inpatient share"
                )
        return self

    def benefit_level(self, level: int) -> BenefitLevel:
        for candidate in self.benefit_levels:
            if candidate.level == level:
                return candidate
        raise KeyError(level)

    def category(self, code: str) -> VisitCategory | None:
        return next((c for c in self.categories if c.code == code), None)

    def base_salary_on(self, day: date) -> BaseSalary | None:
        """The base salary in force on `day`; None before the first known one."""
        in_force = [salary for salary in self.base_salaries if salary.effective_from <= day]
        return in_force[-1] if in_force else None

    def base_salary_changes(self, after: date, up_to: date) -> list[BaseSalary]:
        """Changes taking effect in (after, up_to]: the ones that re-scale a yearly cap."""
        return [s for s in self.base_salaries if after < s.effective_from <= up_to]
