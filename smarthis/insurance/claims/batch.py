"""A month of finished visits, from the database to files or to the portal's queue.

`export_month_from_db` writes the files a hospital keeps or uploads by hand;
`queue_month` records every valid claim as "pending" for the delivery worker
(`submissions.deliver_due`, run by the app's background worker or `smarthis claims send`).
Visits that are not ready (unpaid charges, no weight, no practising certificate ...) are
held back with their reasons, never sent half-made.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from smarthis.clinical.examination_models import Examination
from smarthis.db import Database
from smarthis.insurance.claims.claim import ClaimInvalid, build_claim
from smarthis.insurance.claims.export import ExportSummary, export_month
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.insurance.claims.submissions import record_claim
from smarthis.insurance.claims.visit_loader import month_claims, month_window


def export_month_from_db(
    db: Database, facility_code: str, month: str, out_dir: Path, *, workers: int = 1
) -> ExportSummary:
    held_back: list[dict[str, object]] = []
    summary = export_month(
        month_claims(db, facility_code, month, held_back),
        out_dir,
        month=month,
        workers=workers,
        held_back=held_back,
    )
    return summary


@dataclass
class QueuedMonth:
    month: str
    queued: int = 0
    invalid: list[dict[str, object]] = field(default_factory=list)
    held_back: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "month": self.month,
            "queued": self.queued,
            "invalid": self.invalid,
            "held_back": self.held_back,
        }


def queue_month(db: Database, facility_code: str, month: str) -> QueuedMonth:
    """Record the month's valid claims for sending (a claim recorded again with the same
    content stays as it is; a changed one is sent again)."""
    result = QueuedMonth(month)
    for visit in month_claims(db, facility_code, month, result.held_back):
        claim = build_claim(visit)
        try:
            record_claim(db, claim, visit.visit_id or 0)
        except ClaimInvalid as exc:
            result.invalid.append(
                {"MA_LK": visit.claim_code, "issues": [i.as_dict() for i in exc.issues]}
            )
            continue
        result.queued += 1
    return result


def status_counts(db: Database, facility_code: str) -> dict[str, int]:
    """How many claims and check-ins are pending, sent, accepted, rejected."""
    with db.session() as session:
        rows = session.execute(
            select(ClaimSubmission.status, func.count())
            .where(ClaimSubmission.facility_code == facility_code)
            .group_by(ClaimSubmission.status)
        )
        return dict(Counter({status: count for status, count in rows}))


@dataclass
class SubmissionRow:
    claim_code: str  # MA_LK
    visit_id: int
    document: str
    status: str
    transaction_code: str | None
    reason: str | None
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    answered_at: datetime | None


def submissions_of_month(
    db: Database, facility_code: str, month: str, limit: int = 2000
) -> list[SubmissionRow]:
    """The month's claims (by the day the visit ended) as the portal last answered them."""
    start, end = month_window(month)
    with db.session() as session:
        rows = session.scalars(
            select(ClaimSubmission)
            .join(Examination, Examination.visit_id == ClaimSubmission.visit_id)
            .where(
                ClaimSubmission.facility_code == facility_code,
                Examination.concluded_at >= start,
                Examination.concluded_at < end,
            )
            .order_by(ClaimSubmission.id)
            .limit(limit)
        )
        return [
            SubmissionRow(
                claim_code=r.ma_lk,
                visit_id=r.visit_id,
                document=r.document,
                status=r.status,
                transaction_code=r.transaction_code,
                reason=r.reason,
                attempts=r.attempts,
                last_error=r.last_error,
                sent_at=r.sent_at,
                answered_at=r.answered_at,
            )
            for r in rows
        ]
