"""Recording claims and check-ins for the portal, and delivering them with retries.

Write first, send after: `record_claim` / `record_checkin` validate and store the file as
"pending" (nothing invalid is ever stored for sending); `deliver_due` sends what is due.
A delivery is claimed in one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL,
BEGIN IMMEDIATE on SQLite) that marks rows "sent" with a lease, so two workers never send
the same file and a worker that dies mid-send gives its rows back when the lease ends. The
portal is asked with no transaction open. Its answer settles the row only if the row still
holds the bytes that were sent (a corrected claim recorded meanwhile is sent next).
No answer (portal down, time-out) puts the row back to "pending" with a back-off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.config import Settings, get_settings
from smarthis.db import Database, utcnow
from smarthis.insurance.claims.builders import CheckIn
from smarthis.insurance.claims.claim import BuiltClaim, ClaimInvalid, build_checkin
from smarthis.insurance.claims.formats import CLAIMS_TZ
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.insurance.claims.portal import PortalReceipt
from smarthis.insurance.claims.validation import validate_checkin
from smarthis.insurance.portal_client import PortalUnavailable


class ClaimsPortal(Protocol):
    """What delivery needs from the portal; ClaimsPortalClient fits it."""

    facility_code: str

    def check_in(self, checkin_xml: bytes) -> PortalReceipt: ...

    def submit(self, envelope_xml: bytes) -> PortalReceipt: ...


DEFAULT_LEASE_S = 300.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float = 60.0
    max_s: float = 3600.0
    lease_s: float = DEFAULT_LEASE_S  # longer than the portal time-out: a send is not taken over

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> RetryPolicy:
        settings = settings or get_settings()
        return cls(
            base_s=settings.claims_retry_base_s,
            max_s=settings.claims_retry_max_s,
            # A live send may take the whole portal time-out: the lease outlasts it.
            lease_s=max(DEFAULT_LEASE_S, 2 * settings.claims_timeout_s),
        )

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.max_s, self.base_s * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class SubmissionView:
    id: int
    ma_lk: str
    document: str
    status: str
    transaction_code: str | None
    reason: str | None
    attempts: int
    last_error: str | None
    xml_digest: str

    @classmethod
    def of(cls, row: ClaimSubmission) -> SubmissionView:
        return cls(
            row.id,
            row.ma_lk,
            row.document,
            row.status,
            row.transaction_code,
            row.reason,
            row.attempts,
            row.last_error,
            row.xml_digest,
        )


def record_claim(
    db: Database, claim: BuiltClaim, visit_id: int, created_on: date | None = None
) -> SubmissionView:
    """Validate and store the claim for sending. Raises ClaimInvalid (nothing stored)."""
    claim.checked()
    envelope = claim.envelope(created_on or datetime.now(CLAIMS_TZ).date())
    return _record(
        db, claim.facility_code, visit_id, "claim", claim.claim_code, claim.digest(), envelope
    )


def record_checkin(db: Database, checkin: CheckIn, visit_id: int) -> SubmissionView:
    records, content = build_checkin([checkin])
    issues = validate_checkin(records)
    if issues:
        raise ClaimInvalid(checkin.claim_code, issues)
    digest = hashlib.sha256(content).hexdigest()
    return _record(
        db, checkin.facility_code, visit_id, "checkin", checkin.claim_code, digest, content
    )


def _record(
    db: Database,
    facility_code: str,
    visit_id: int,
    document: str,
    ma_lk: str,
    digest: str,
    content: bytes,
) -> SubmissionView:
    for _ in range(2):  # a concurrent first recording of the same claim: update it instead
        try:
            with db.session() as session:
                return SubmissionView.of(
                    _upsert(session, facility_code, visit_id, document, ma_lk, digest, content)
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"could not record {document} {ma_lk}")


def _upsert(
    session: Session,
    facility_code: str,
    visit_id: int,
    document: str,
    ma_lk: str,
    digest: str,
    content: bytes,
) -> ClaimSubmission:
    now = utcnow()
    row = session.scalars(
        select(ClaimSubmission)
        .where(
            ClaimSubmission.facility_code == facility_code,
            ClaimSubmission.ma_lk == ma_lk,
            ClaimSubmission.document == document,
        )
        .with_for_update()
    ).one_or_none()
    if row is not None and row.xml_digest == digest and row.status != "rejected":
        return row  # the same file is already on its way or received: nothing to do
    if row is None:
        row = ClaimSubmission(
            facility_code=facility_code, document=document, ma_lk=ma_lk, created_at=now
        )
        session.add(row)
    row.visit_id = visit_id
    row.status = "pending"
    row.xml_digest = digest
    row.payload = content.decode("utf-8")
    row.transaction_code = None
    row.reason = None
    row.attempts = 0
    row.last_error = None
    row.next_attempt_at = now
    row.updated_at = now
    row.answered_at = None
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    document: str
    ma_lk: str
    digest: str
    payload: bytes
    attempts: int


def has_due(db: Database, facility_code: str, now: datetime | None = None) -> bool:
    """Whether anything waits to be sent: a read-only look before contacting the portal."""
    with db.session() as session:
        found = session.execute(
            select(ClaimSubmission.id)
            .where(
                ClaimSubmission.facility_code == facility_code,
                ClaimSubmission.status.in_(("pending", "sent")),
                ClaimSubmission.next_attempt_at <= (now or utcnow()),
            )
            .limit(1)
        ).first()
        return found is not None


def _claim_due(
    db: Database,
    facility_code: str,
    limit: int,
    policy: RetryPolicy,
    now: datetime,
    only_ids: Sequence[int] | None,
) -> list[_Claimed]:
    with db.session() as session:
        query = (
            select(ClaimSubmission)
            .where(
                ClaimSubmission.facility_code == facility_code,
                ClaimSubmission.status.in_(("pending", "sent")),
                ClaimSubmission.next_attempt_at <= now,
            )
            .order_by(ClaimSubmission.next_attempt_at, ClaimSubmission.id)
            .limit(limit)
        )
        if only_ids is not None:
            query = query.where(ClaimSubmission.id.in_(only_ids))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in session.scalars(query):
            row.status = "sent"
            row.attempts += 1
            row.sent_at = now
            row.updated_at = now
            row.next_attempt_at = now + timedelta(seconds=policy.lease_s)
            claimed.append(
                _Claimed(
                    row.id,
                    row.document,
                    row.ma_lk,
                    row.xml_digest,
                    row.payload.encode("utf-8"),
                    row.attempts,
                )
            )
        return claimed


def _settle(db: Database, claimed: _Claimed, values: dict[str, object]) -> None:
    with db.session() as session:
        session.execute(
            update(ClaimSubmission)
            .where(
                ClaimSubmission.id == claimed.id,
                ClaimSubmission.status == "sent",
                ClaimSubmission.xml_digest == claimed.digest,
            )
            .values(updated_at=utcnow(), **values)
        )


def _send(portal: ClaimsPortal, claimed: _Claimed) -> PortalReceipt:
    if claimed.document == "checkin":
        return portal.check_in(claimed.payload)
    return portal.submit(claimed.payload)


def deliver_due(
    db: Database,
    portal: ClaimsPortal,
    *,
    limit: int = 50,
    policy: RetryPolicy | None = None,
    now: datetime | None = None,
    only_ids: Sequence[int] | None = None,
) -> list[SubmissionView]:
    """Send the due files of the portal's facility; returns their state after the attempt."""
    policy = policy or RetryPolicy()
    now = now or utcnow()
    claimed_rows = _claim_due(db, portal.facility_code, limit, policy, now, only_ids)
    for claimed in claimed_rows:
        _deliver(db, portal, claimed, policy)
    with db.session() as session:
        rows = session.scalars(
            select(ClaimSubmission)
            .where(ClaimSubmission.id.in_([c.id for c in claimed_rows]))
            .order_by(ClaimSubmission.id)
        )
        return [SubmissionView.of(row) for row in rows]


def _deliver(db: Database, portal: ClaimsPortal, claimed: _Claimed, policy: RetryPolicy) -> None:
    try:
        receipt = _send(portal, claimed)
    except PortalUnavailable as exc:
        retry_at = utcnow() + policy.delay(claimed.attempts)
        _settle(
            db, claimed, {"status": "pending", "last_error": str(exc), "next_attempt_at": retry_at}
        )
        return
    answered: dict[str, object] = {
        "answered_at": receipt.received_at or utcnow(),
        "last_error": None,
    }
    if receipt.accepted:
        answered |= {"status": "accepted", "transaction_code": receipt.transaction_code}
    else:
        answered |= {"status": "rejected", "reason": f"[{receipt.result_code}] {receipt.message}"}
    _settle(db, claimed, answered)


def submit_claim(
    db: Database, portal: ClaimsPortal, claim: BuiltClaim, visit_id: int
) -> SubmissionView:
    """Record the claim, then try to send it at once (it stays pending if the portal is down)."""
    recorded = record_claim(db, claim, visit_id)
    sent = deliver_due(db, portal, only_ids=[recorded.id])
    return sent[0] if sent else recorded


def submission(
    db: Database, facility_code: str, ma_lk: str, document: str = "claim"
) -> SubmissionView | None:
    with db.session() as session:
        row = session.scalars(
            select(ClaimSubmission).where(
                ClaimSubmission.facility_code == facility_code,
                ClaimSubmission.ma_lk == ma_lk,
                ClaimSubmission.document == document,
            )
        ).one_or_none()
        return None if row is None else SubmissionView.of(row)
