"""Request and response shapes of the examination routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Conclusion = Literal["home", "follow_up", "admit", "referral"]
ShortText = Field(default=None, max_length=4000)


class ExaminationStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = ShortText
    history: str | None = ShortText


class ExaminationNotes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = ShortText
    history: str | None = ShortText
    examination_notes: str | None = ShortText
    advice: str | None = ShortText


class VitalsIn(BaseModel):
    """Plausible ranges are checked by the service, which names the value and the range."""

    model_config = ConfigDict(extra="forbid")
    pulse: int | None = None
    temperature_c: float | None = Field(default=None, allow_inf_nan=False)
    systolic: int | None = None
    diastolic: int | None = None
    respiratory_rate: int | None = None
    spo2: int | None = None
    height_cm: float | None = Field(default=None, allow_inf_nan=False)
    weight_kg: float | None = Field(default=None, allow_inf_nan=False)


class DiagnosesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    main: str | None = Field(default=None, max_length=12)
    secondary: list[Annotated[str, Field(max_length=12)]] = Field(
        default_factory=list, max_length=20
    )
    confirm_warnings: bool = False


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conclusion: Conclusion
    category: str | None = Field(default=None, max_length=8)  # MA_DOITUONG_KCB confirmed
    follow_up_date: date | None = None
    referral_to: str | None = Field(default=None, max_length=300)
    referral_reason: str | None = ShortText
    advice: str | None = ShortText


class VitalsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    measured_at: datetime
    measured_by: str
    pulse: int | None
    temperature_c: float | None
    systolic: int | None
    diastolic: int | None
    respiratory_rate: int | None
    spo2: int | None
    height_cm: float | None
    weight_kg: float | None
    bmi: float | None


class DiagnosisOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    icd_code: str
    is_main: bool
    name_vi: str
    added_by: str
    added_at: datetime


class DiagnosisProblemOut(BaseModel):
    code: str
    icd: str | None
    role: str | None
    severity: str
    message: str
    message_en: str


class DiagnosesOut(BaseModel):
    diagnoses: list[DiagnosisOut]
    confirmed_warnings: list[DiagnosisProblemOut]


class ExaminationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    reason: str | None
    history: str | None
    examination_notes: str | None
    started_at: datetime
    started_by: str
    concluded_at: datetime | None
    concluded_by: str | None
    conclusion: str | None
    follow_up_date: date | None
    referral_to: str | None
    referral_reason: str | None
    advice: str | None


class StepOut(BaseModel):
    step: str
    name_vi: str
    at: datetime
    by: str


class PatientSummary(BaseModel):
    id: int
    mrn: str
    full_name: str
    sex: str | None
    date_of_birth: date | None
    birth_year: int | None


class VisitRecordOut(BaseModel):
    visit_id: int
    visit_number: str
    status: str
    uses_insurance: bool
    proposed_category: str | None
    confirmed_category: str | None
    patient: PatientSummary
    examination: ExaminationOut | None
    conclusion_vi: str | None
    vitals: list[VitalsOut]
    diagnoses: list[DiagnosisOut]
    steps: list[StepOut]


class Icd10HitOut(BaseModel):
    code: str
    code_plain: str
    name_vi: str
    name_en: str | None
    not_main: bool
    sex_only: str | None
    dagger_asterisk: str | None
    matched_by: str
