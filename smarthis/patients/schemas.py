"""Request and response shapes of the patient routes."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["male", "female"]


class IdentifyRequest(BaseModel):
    """Exactly one document. A bare number (VNeID, BHYT) also needs name and birth date the
    first time the patient comes."""

    model_config = ConfigDict(extra="forbid")
    qr_text: str | None = Field(default=None, max_length=1000)
    chip: dict[str, Any] | None = None
    vneid_number: str | None = Field(default=None, max_length=20)
    vneid_level2: bool = False
    bhyt_code: str | None = Field(default=None, max_length=30)
    mrn: str | None = Field(default=None, max_length=20)
    full_name: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=500)


class PatientCreate(BaseModel):
    """Registration without a chip card: children, foreigners, typed-in details."""

    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None
    birth_year: int | None = Field(default=None, ge=1880, le=2200)
    sex: Sex | None = None
    nationality: str = Field(default="VN", min_length=2, max_length=3)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=20)
    cccd: str | None = Field(default=None, max_length=12)
    bhyt_code: str | None = Field(default=None, max_length=30)
    birth_certificate: str | None = Field(default=None, max_length=40)
    passport_number: str | None = Field(default=None, max_length=20)
    guardian_cccd: str | None = Field(default=None, max_length=12)
    guardian_name: str | None = Field(default=None, max_length=200)


class TemporaryPatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(default="", max_length=200)
    sex: Sex | None = None
    approx_age: int | None = Field(default=None, ge=0, le=120)


class PatientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    date_of_birth: date | None = None
    sex: Sex | None = None
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=20)
    ward_code: str | None = Field(default=None, max_length=10)
    province_code: str | None = Field(default=None, max_length=3)
    guardian_name: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=200)


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duplicate_id: int = Field(ge=1)
    keep_id: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=200)


class IdentifierOut(BaseModel):
    kind: str
    value: str


class PatientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    mrn: str
    full_name: str
    date_of_birth: date | None
    birth_year: int | None
    sex: str | None
    nationality: str
    address: str | None
    phone: str | None
    bhyt_code: str | None
    vneid_level2: bool
    is_temporary: bool
    merged_into_id: int | None
    guardian_cccd: str | None = None
    guardian_name: str | None = None
    identifiers: list[IdentifierOut] = []


class IdentifyResponse(BaseModel):
    created: bool
    patient: PatientOut


class HistoryEntry(BaseModel):
    version: int
    changed_by: str
    changed_at: str
    reason: str
    before: dict[str, Any]
