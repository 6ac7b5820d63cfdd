"""JSON routes of the interface monitor (HL7 traffic with the LIS)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from smarthis.db import MAX_ID, Database
from smarthis.integrations.hl7 import monitor
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/interfaces/hl7", tags=["interfaces"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class SummaryOut(BaseModel):
    outbound: dict[str, int]
    retried: int
    inbound: dict[str, int]
    repeats: int


class TrafficRowOut(BaseModel):
    direction: str
    id: int
    message_type: str
    control_id: str
    status: str
    status_vi: str
    attempts: int
    at: datetime
    last_error: str | None
    reference: str | None


class TrafficOut(BaseModel):
    summary: SummaryOut
    messages: list[TrafficRowOut]


class MessageOut(BaseModel):
    direction: str
    id: int
    control_id: str
    message_type: str
    status: str
    payload: str
    answer: str | None  # the LIS's ACK (out) or our error (in)


@router.get("")
def hl7_traffic(
    status: Annotated[
        str | None, Query(pattern="^(pending|sent|acked|failed|accepted|error|rejected)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    principal: Principal = Depends(require(Permission.INTERFACES_VIEW)),
    db: Database = Depends(database),
) -> TrafficOut:
    with db.session() as session:
        summary = monitor.summary(session, principal)
        rows = monitor.traffic(session, principal, status=status, limit=limit)
    return TrafficOut(
        summary=SummaryOut(**summary.__dict__),
        messages=[TrafficRowOut(**row.__dict__) for row in rows],
    )


@router.get("/outbound/{message_id}")
def hl7_outbound_message(
    message_id: Id,
    principal: Principal = Depends(require(Permission.INTERFACES_VIEW)),
    db: Database = Depends(database),
) -> MessageOut:
    with db.session() as session:
        row = monitor.read_outbound(session, principal, message_id)
        return MessageOut(
            direction="out",
            id=row.id,
            control_id=row.message_control_id,
            message_type=row.message_type,
            status=row.status,
            payload=row.payload,
            answer=row.response,
        )


@router.get("/inbound/{message_id}")
def hl7_inbound_message(
    message_id: Id,
    principal: Principal = Depends(require(Permission.INTERFACES_VIEW)),
    db: Database = Depends(database),
) -> MessageOut:
    with db.session() as session:
        row = monitor.read_inbound(session, principal, message_id)
        return MessageOut(
            direction="in",
            id=row.id,
            control_id=row.message_control_id,
            message_type=row.message_type,
            status=row.status,
            payload=row.payload,
            answer=row.error,
        )


@router.post("/outbound/{message_id}/resend")
def hl7_resend(
    message_id: Id,
    principal: Principal = Depends(require(Permission.INTERFACES_RESEND)),
    db: Database = Depends(database),
) -> TrafficRowOut:
    with db.session() as session:
        row = monitor.resend(session, principal, message_id)
        return TrafficRowOut(
            direction="out",
            id=row.id,
            message_type=row.message_type,
            control_id=row.message_control_id,
            status=row.status,
            status_vi=monitor.STATUS_NAMES_VI[row.status],
            attempts=row.attempts,
            at=row.updated_at,
            last_error=row.last_error,
            reference=row.reference,
        )
