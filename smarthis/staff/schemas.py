"""Request and response shapes of the staff-profile and duty-plan routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=16)
    department_code: str | None = Field(default=None, max_length=32)
    specialty: str | None = Field(default=None, max_length=100)
    certificate_number: str | None = Field(default=None, max_length=40)


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    login: str
    full_name: str
    role: str
    active: bool
    title: str | None
    department_code: str | None
    specialty: str | None
    certificate_number: str | None


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=64)
    room_code: str = Field(min_length=1, max_length=32)
    work_date: date
    shift: Literal["morning", "afternoon", "night"]


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    login: str
    full_name: str
    room_code: str
    work_date: date
    shift: str
    shift_name_vi: str
    starts_at: datetime
    ends_at: datetime
