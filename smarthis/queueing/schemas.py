"""Shapes of the queue routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from smarthis.queueing.priority import PRIORITY_NAMES_VI


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    display_number: str
    number: int
    service_point_code: str
    service_point_name: str = ""
    room_label: str = ""
    floor: str | None = None
    status: str
    masked_name: str | None
    priority_group: str | None
    priority_name_vi: str | None = None
    issued_at: datetime
    called_at: datetime | None
    expected_wait_minutes: int | None
    insurance_status_vi: str | None
    lookup_token: str
    visit_id: int | None
    call_count: int
    skip_count: int


class TicketIssue(BaseModel):
    """Reception gives a number: to a room, or to the shortest-wait room of a kind."""

    model_config = ConfigDict(extra="forbid")
    point_code: str | None = Field(default=None, max_length=32)
    kind: str | None = Field(default=None, max_length=24)
    specialty: str | None = Field(default=None, max_length=100)
    visit_id: int | None = Field(default=None, ge=1)
    priority: str | None = Field(default=None, max_length=24)
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$"
    )


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_point_code: str = Field(min_length=1, max_length=32)
    return_after: bool = True


class PointLists(BaseModel):
    code: str
    name: str
    room_label: str
    waiting: list[TicketOut]
    called: list[TicketOut]
    served: list[TicketOut]


class ChoiceOut(BaseModel):
    kind: str
    specialty: str | None
    name_vi: str
    name_en: str
    rooms: int
    waiting: int
    expected_wait_minutes: int


class ChoicesOut(BaseModel):
    specialties: list[ChoiceOut]
    services: list[ChoiceOut]


class ClaimOut(BaseModel):
    announce: bool


def priority_name(group: str | None) -> str | None:
    return PRIORITY_NAMES_VI.get(group) if group else None
