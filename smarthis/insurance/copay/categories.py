"""Visit categories (MA_DOITUONG_KCB, list of 2025) and their effective-dated route shares.

The category says how the patient came (registered facility, referral, self-referred,
emergency...) and so what share of the benefit the fund pays. Some shares change on a date
(self-referred outpatients at a former provincial hospital: 0% before 2026-07-01, 50% after).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Percent = Annotated[Decimal, Field(ge=0, le=100)]
# insured: the fund pays a share; self_pay: code 9, the patient does not use the card;
# claim_withdrawal: code 8 withdraws a claim, it is not a visit anyone pays for.
CategoryKind = Literal["insured", "self_pay", "claim_withdrawal"]


class RouteSharePeriod(BaseModel):
    """Route share from `effective_from` (None: since the list began) until the next period.

    None as a share means the category does not exist for that setting (3.2 is inpatient
    only), which the engine refuses rather than guessing a share.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    effective_from: date | None
    outpatient: Percent | None
    inpatient: Percent | None


class VisitCategory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^\d{1,2}(\.\d{1,2})?$")
    name_vi: str = Field(min_length=1)
    kind: CategoryKind
    # Self-referred visits keep their reduced share even when small, and are not "correct
    # route" for the five-year exemption.
    self_referred: bool
    # False: the route share is our reading of the law, not a fact from the reference file.
    verified: bool
    route_shares: tuple[RouteSharePeriod, ...]
    # An outpatient-only category (self-referred) whose patient is admitted: the episode is
    # billed and claimed under this inpatient category of the same route.
    inpatient_counterpart: str | None = None

    @model_validator(mode="after")
    def _periods_in_order(self) -> VisitCategory:
        if self.kind != "insured":
            if self.route_shares:
                raise ValueError(f"category {self.code}: only insured categories have shares")
            return self
        if not self.route_shares:
            raise ValueError(f"category {self.code}: an insured category needs a route share")
        if self.route_shares[0].effective_from is not None:
            raise ValueError(f"category {self.code}: the first period must start open (null)")
        starts = [p.effective_from for p in self.route_shares[1:]]
        if None in starts or starts != sorted(set(starts)):  # type: ignore[type-var]
            raise ValueError(f"category {self.code}: later periods need increasing dates")
        return self

    @property
    def correct_route(self) -> bool:
        return self.kind == "insured" and not self.self_referred

    def route_share(self, on: date, inpatient: bool) -> Decimal | None:
        """The route share in force on `on` for the setting; None if the category has none."""
        period = self.route_shares[0]
        for candidate in self.route_shares[1:]:
            assert candidate.effective_from is not None  # checked by the validator
            if candidate.effective_from <= on:
                period = candidate
        return period.inpatient if inpatient else period.outpatient
