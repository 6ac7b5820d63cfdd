"""Request and response shapes of the visit routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from smarthis.clinical.categories import ArrivalMode


class VisitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patient_id: int = Field(ge=1)
    arrival_mode: ArrivalMode = "self_referred"
    use_insurance: bool = True
    bhyt_code: str | None = Field(default=None, max_length=30)
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$"
    )


CardStatus = Literal[
    "not_requested",
    "pending",
    "verified",
    "verified_check_id",
    "rejected",
    "not_verified",
    "needs_correction",
]


class VisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    visit_number: str
    patient_id: int
    registered_at: datetime
    registered_by: str
    arrival_mode: str
    proposed_category: str | None
    status: str
    uses_insurance: bool
    bhyt_code: str | None
    card_check_status: CardStatus
    card_check_status_vi: str = ""
    card_check_code: str | None
    card_check_message: str | None
    card_checked_at: datetime | None
    card_check_attempts: int
