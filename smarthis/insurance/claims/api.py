"""JSON routes of the XML 130 claims: the month's status per visit, and queueing the
month's valid claims for the delivery worker."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.insurance.claims import batch
from smarthis.insurance.claims.export import MONTH_RE
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/claims", tags=["claims"])
STATUS_VI = {
    "pending": "Chờ gửi",
    "sent": "Đang gửi",
    "accepted": "Cổng đã tiếp nhận",
    "rejected": "Bị từ chối",
}
MONTH_PATTERN = MONTH_RE.pattern


class SubmissionOut(BaseModel):
    claim_code: str
    visit_id: int
    kind: str  # outpatient | inpatient | day_care
    kind_vi: str  # Khám bệnh | Nội trú | Nội trú ban ngày
    document: str
    status: str
    status_vi: str
    transaction_code: str | None
    reason: str | None
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    answered_at: datetime | None


class MonthStatusOut(BaseModel):
    month: str
    counts: dict[str, int]
    submissions: list[SubmissionOut]


class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=MONTH_PATTERN, description="YYYY-MM")


class QueueOut(BaseModel):
    month: str
    queued: int
    invalid: list[dict[str, object]]
    held_back: list[dict[str, object]]


def _month(month: str) -> str:
    if not MONTH_RE.match(month):
        raise DomainError(
            "claims_month", "Tháng phải có dạng YYYY-MM", "month must be YYYY-MM", field="month"
        )
    return month


@router.get("")
def month_status(
    month: str = Query(..., description="YYYY-MM, by the day the visits ended"),
    principal: Principal = Depends(require(Permission.CLAIMS_VIEW)),
    db: Database = Depends(database),
) -> MonthStatusOut:
    rows = batch.submissions_of_month(db, principal.facility_code, _month(month))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return MonthStatusOut(
        month=month,
        counts=counts,
        submissions=[
            SubmissionOut(**row.__dict__, status_vi=STATUS_VI.get(row.status, row.status))
            for row in rows
        ],
    )


@router.post("/queue")
def queue(
    body: QueueIn,
    principal: Principal = Depends(require(Permission.CLAIMS_SUBMIT)),
    db: Database = Depends(database),
) -> QueueOut:
    """Record the month's valid claims for sending; the worker delivers them."""
    result = batch.queue_month(db, principal.facility_code, body.month)
    with db.session() as session:
        audit.record(
            session,
            principal,
            "claims.queue",
            detail={
                "month": body.month,
                "queued": result.queued,
                "held_back": len(result.held_back),
            },
        )
    return QueueOut(**result.as_dict())
