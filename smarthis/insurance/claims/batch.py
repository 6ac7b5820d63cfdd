"""A month of finished visits and discharged inpatient stays, from the database to files
or to the portal's queue.

`export_month_from_db` writes the files a hospital keeps or uploads by hand;
`queue_month` records every valid claim as "pending" for the delivery worker
(`submissions.deliver_due`, run by the app's background worker or `smarthis claims send`).
Visits and stays that are not ready (unpaid charges, no weight, no practising certificate,
not discharged ...) are held back with their reasons, never sent half-made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.sql.functions import coalesce

from smarthis.clinical.examination_models import Examination
from smarthis.db import Database
from smarthis.inpatient.models import Stay
from smarthis.insurance.claims import stay_loader, visit_loader
from smarthis.insurance.claims.claim import ClaimInvalid, build_claim
from smarthis.insurance.claims.export import ExportSummary, export_month
from smarthis.insurance.claims.inputs import ClaimVisit
from smarthis.insurance.claims.loader_chunk import month_window
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.insurance.claims.submissions import record_claim

# What the finance office reads for MA_LOAI_KCB 01 / 03 / 04.
KIND_VI = {"outpatient": "Khám bệnh", "inpatient": "Nội trú", "day_care": "Nội trú ban ngày"}


def month_claims(
    db: Database, facility_code: str, month: str, held_back: list[dict[str, object]] | None = None
) -> Iterator[ClaimVisit]:
    """The month's claims: outpatient visits concluded in it, then inpatient stays
    discharged in it (a visit with a stay is claimed once, with the stay)."""
    return chain(
        visit_loader.month_claims(db, facility_code, month, held_back),
        stay_loader.month_stay_claims(db, facility_code, month, held_back),
    )


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


def _month_submissions(facility_code: str, month: str, *columns: Any) -> Select[Any]:
    """Submissions of the month's claims with the stay's kind (None: outpatient), by the
    day the episode ended: the examination's conclusion, or the stay's discharge."""
    start, end = month_window(month)
    ended = coalesce(Stay.discharged_at, Examination.concluded_at)
    return (
        select(*columns)
        .select_from(ClaimSubmission)
        .outerjoin(Examination, Examination.visit_id == ClaimSubmission.visit_id)
        .outerjoin(Stay, Stay.visit_id == ClaimSubmission.visit_id)
        .where(ClaimSubmission.facility_code == facility_code, ended >= start, ended < end)
    )


def kind_counts(db: Database, facility_code: str, month: str) -> dict[str, dict[str, int]]:
    """The month's claims and check-ins by kind (Khám bệnh, Nội trú, Nội trú ban ngày) and
    status."""
    query = _month_submissions(
        facility_code, month, Stay.kind, ClaimSubmission.status, func.count()
    ).group_by(Stay.kind, ClaimSubmission.status)
    found: dict[str, dict[str, int]] = {}
    with db.session() as session:
        for stay_kind, status, count in session.execute(query):
            kind = KIND_VI.get(stay_kind or "outpatient", stay_kind or "")
            found.setdefault(kind, {})[status] = count
    return found


@dataclass
class SubmissionRow:
    claim_code: str  # MA_LK
    visit_id: int
    kind: str  # outpatient | inpatient | day_care
    kind_vi: str
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
    """The month's claims as the portal last answered them, by the day the episode ended:
    the examination's conclusion, or the stay's discharge for a visit with a stay."""
    query = _month_submissions(facility_code, month, ClaimSubmission, Stay.kind)
    with db.session() as session:
        rows = session.execute(query.order_by(ClaimSubmission.id).limit(limit))
        return [
            SubmissionRow(
                claim_code=r.ma_lk,
                visit_id=r.visit_id,
                kind=stay_kind or "outpatient",
                kind_vi=KIND_VI.get(stay_kind or "outpatient", stay_kind or ""),
                document=r.document,
                status=r.status,
                transaction_code=r.transaction_code,
                reason=r.reason,
                attempts=r.attempts,
                last_error=r.last_error,
                sent_at=r.sent_at,
                answered_at=r.answered_at,
            )
            for r, stay_kind in rows
        ]
