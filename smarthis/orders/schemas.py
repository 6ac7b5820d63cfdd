"""Request and response shapes of the orders and results API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from smarthis.db import MAX_ID

ServiceCode = Field(min_length=1, max_length=32, pattern=r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visit_id: int = Field(ge=1, le=MAX_ID)
    services: list[str] = Field(min_length=1, max_length=40)


class RouteStopOut(BaseModel):
    point_code: str
    point_name: str
    room_label: str
    floor: str | None
    point_kind: str
    ticket_id: int
    display_number: str
    expected_wait_minutes: int
    services: list[str]


class ItemOut(BaseModel):
    id: int
    service_code: str
    service_name: str
    kind: str
    point_kind: str
    status: str
    ticket_id: int | None
    accession_number: str | None
    hospital_price_vnd: int
    insurance_price_vnd: int | None


class OrderOut(BaseModel):
    id: int
    visit_id: int
    patient_id: int
    ordered_by: str
    ordered_at: datetime
    items: list[ItemOut]
    route: list[RouteStopOut]
    slip_url: str


class SpecimenOut(BaseModel):
    accession_number: str
    specimen_type: str
    collected_at: datetime
    collected_by: str
    item_ids: list[int]
    label_url: str


class AnalyteValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    analyte_code: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=100)


class ResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: list[AnalyteValueIn] = Field(min_length=1, max_length=60)


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=1000)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    technique: str = Field(default="", max_length=2000)
    findings: str = Field(min_length=1, max_length=20000)
    conclusion: str = Field(min_length=1, max_length=5000)
    correction_reason: str | None = Field(default=None, max_length=1000)


class LabResultOut(BaseModel):
    id: int
    analyte_code: str
    analyte_name_vi: str
    value: str
    value_numeric: float | None
    unit: str
    range_text: str | None
    flag: str
    version: int
    entered_by: str | None
    entered_at: datetime
    verified_by: str | None
    verified_at: datetime | None
    superseded_by_id: int | None
    correction_reason: str | None


class ReportOut(BaseModel):
    id: int
    technique: str
    findings: str
    conclusion: str
    version: int
    entered_by: str | None
    entered_at: datetime
    verified_by: str | None
    verified_at: datetime | None
    superseded_by_id: int | None
    correction_reason: str | None


class ItemResultsOut(BaseModel):
    order_id: int
    visit_id: int
    ordered_by: str
    item_id: int
    service_code: str
    service_name: str
    kind: str
    status: str
    lab_results: list[LabResultOut]
    report: ReportOut | None
    history: list[LabResultOut | ReportOut]


class PatientResultsOut(BaseModel):
    patient_id: int
    verified_only: bool
    items: list[ItemResultsOut]


class KioskResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    qr_text: str | None = Field(default=None, max_length=1000)
    date_of_birth: date | None = None
    ticket_token: str | None = Field(default=None, max_length=300)


class KioskResultsOut(BaseModel):
    masked_name: str
    items: list[ItemResultsOut]
