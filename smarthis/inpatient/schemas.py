"""Request shapes of the inpatient routes (answers are built in presenters.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from smarthis.db import MAX_ID

Text = Field(default=None, max_length=8000)
Id = Field(default=None, ge=1, le=MAX_ID)


class AdmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ward: str = Field(min_length=1, max_length=32)
    admitted_from: Literal["outpatient", "emergency", "referral"] = "outpatient"
    visit_id: int | None = Id
    patient_id: int | None = Id
    bed: str | None = Field(default=None, max_length=32)
    kind: Literal["inpatient", "day_care"] = "inpatient"
    attending_doctor: str | None = Field(default=None, max_length=64)
    icd_code: str | None = Field(default=None, max_length=12)
    reason: str | None = Text


class BedMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bed: str = Field(min_length=1, max_length=32)
    reason: str | None = Field(default=None, max_length=1000)


class BedStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["available", "cleaning", "out_of_service"]


class ProgressNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjective: str | None = Text
    objective: str | None = Text
    assessment: str | None = Text
    plan: str | None = Text


class NursingNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(max_length=8000)


class StayVitalsIn(BaseModel):
    """Plausible ranges are checked by the service, which names the value and the range."""

    model_config = ConfigDict(extra="forbid")
    pulse: int | None = None
    temperature_c: float | None = Field(default=None, allow_inf_nan=False)
    systolic: int | None = None
    diastolic: int | None = None
    respiratory_rate: int | None = None
    spo2: int | None = None
    weight_kg: float | None = Field(default=None, allow_inf_nan=False)


class AdministrationIn(BaseModel):
    """A catalogue drug by `drug_code` + `quantity` (charged when given), or free text."""

    model_config = ConfigDict(extra="forbid")
    drug: str | None = Field(default=None, max_length=300)
    dose: str | None = Field(default=None, max_length=100)
    route: str | None = Field(default=None, max_length=60)
    status: Literal["given", "held", "refused"] = "given"
    reason: str | None = Field(default=None, max_length=1000)
    scheduled_at: datetime | None = None
    drug_code: str | None = Field(default=None, max_length=32)
    quantity: int | None = Field(default=None, ge=1, le=1000)


class DischargeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["recovered_or_improved", "against_advice", "transferred", "absconded", "deceased"]
    summary: str = Field(max_length=8000)
    advice: str | None = Text
    icd_code: str | None = Field(default=None, max_length=12)
