"""Request and response shapes of the security routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    login: str
    role: str


class Me(BaseModel):
    kind: str
    name: str
    display_name: str
    role: str
    facility_code: str
    permissions: list[str]


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    role: str
    password: str = Field(min_length=1, max_length=200)
    cccd: str | None = Field(default=None, max_length=12)
    department_code: str | None = Field(default=None, max_length=32)


class StaffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    login: str
    full_name: str
    role: str
    department_code: str | None
    active: bool


class DeviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: str
    location: str | None = Field(default=None, max_length=200)


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    kind: str
    location: str | None
    active: bool


class DeviceCreated(DeviceOut):
    token: str


class DutyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    staff_login: str = Field(min_length=1, max_length=64)


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: str
    actor_kind: str
    actor: str
    patient_id: int | None
    action: str
    detail: str
    source: str
    outcome: str


class AuditVerifyOut(BaseModel):
    intact: bool
    problems: list[dict[str, object]]
