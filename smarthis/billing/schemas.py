"""Request shapes of the billing routes (responses are built by presenters.py)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CollectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["cash", "card"]
    amount_vnd: int = Field(ge=0, lt=10**13)
    card_reference: str | None = Field(default=None, max_length=64)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_vnd: int = Field(gt=0, lt=10**13)
    reason: str = Field(min_length=1, max_length=500)
    method: Literal["cash", "card", "transfer"] = "cash"


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)


class KioskBillIn(BaseModel):
    """The ticket's QR, or the CCCD's QR with the date of birth (as for results)."""

    model_config = ConfigDict(extra="forbid")
    ticket_qr: str | None = Field(default=None, max_length=300)
    qr_text: str | None = Field(default=None, max_length=1000)
    date_of_birth: date | None = None
