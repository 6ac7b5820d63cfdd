"""Request and response shapes of the consultation API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hospital_code: str = Field(min_length=1, max_length=10)
    hospital_name: str = Field(min_length=1, max_length=300)
    doctor_name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="member", max_length=12)
    title: str | None = Field(default=None, max_length=100)
    staff_login: str | None = Field(default=None, max_length=100)


class ConsultationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_id: int = Field(ge=1)
    visit_id: int | None = Field(default=None, ge=1)
    question: str = Field(max_length=8000)
    case_summary: str = Field(max_length=8000)
    scheduled_at: datetime
    video_link: str = Field(max_length=500)
    participants: list[ParticipantIn] = Field(min_length=2, max_length=30)


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_item_ids: list[int] = Field(min_length=1, max_length=100)


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conclusion: str = Field(max_length=8000)
    treatment_plan: str | None = Field(default=None, max_length=8000)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=2000)


class ParticipantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    hospital_code: str
    hospital_name: str
    doctor_name: str
    title: str | None
    role: str
    role_vi: str
    staff_login: str | None


class SharedOut(BaseModel):
    order_item_id: int
    service_name: str
    kind: str
    verified_at: datetime | None
    values: list[list[str]]
    conclusion: str | None
    study_instance_uid: str | None
    images: int


class ConsultationSummaryOut(BaseModel):
    id: int
    patient_id: int
    patient_name: str
    patient_mrn: str
    question: str
    scheduled_at: datetime
    status: str
    status_vi: str
    video_link: str


class ConsultationOut(ConsultationSummaryOut):
    visit_id: int | None
    case_summary: str
    created_by: str
    held_at: datetime | None
    conclusion: str | None
    treatment_plan: str | None
    cancel_reason: str | None
    minutes_document_id: int | None
    minutes_signed: bool  # the minutes in the registry carry at least one signature
    participants: list[ParticipantOut]
    shared: list[SharedOut]


class ConsultationCountsOut(BaseModel):
    start: date
    end: date  # exclusive
    scheduled: int
    held: int
    cancelled: int
