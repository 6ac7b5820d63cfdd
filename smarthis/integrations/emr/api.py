"""JSON routes of the EMR portal link: delivery status per visit, and resending by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from smarthis.db import MAX_ID, Database
from smarthis.integrations.emr import monitor
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/interfaces/emr", tags=["interfaces"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class DeliveryOut(BaseModel):
    id: int
    message_id: str
    visit_id: int | None
    status: str
    status_vi: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    acked_at: datetime | None
    receipt: str | None  # the portal's receipt code (mã tiếp nhận)
    last_error: str | None


class DeliveriesOut(BaseModel):
    summary: dict[str, int]
    deliveries: list[DeliveryOut]


@router.get("")
def emr_deliveries(
    status: Annotated[str | None, Query(pattern="^(pending|sent|acked|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    principal: Principal = Depends(require(Permission.INTERFACES_VIEW)),
    db: Database = Depends(database),
) -> DeliveriesOut:
    with db.session() as session:
        return DeliveriesOut(
            summary=monitor.summary(session, principal),
            deliveries=[
                DeliveryOut(**d.__dict__)
                for d in monitor.deliveries(session, principal, status=status, limit=limit)
            ],
        )


@router.post("/{message_id}/resend")
def emr_resend(
    message_id: Id,
    principal: Principal = Depends(require(Permission.INTERFACES_RESEND)),
    db: Database = Depends(database),
) -> DeliveryOut:
    with db.session() as session:
        return DeliveryOut(**monitor.resend(session, principal, message_id).__dict__)
