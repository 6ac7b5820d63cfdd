"""The transactional outbox: outbound messages written in the same transaction as the change
they announce, delivered later by a worker, retried with back-off, delivered once per key.

A row's life: pending -> sent (claimed: being transmitted, awaiting the peer's answer)
-> acked; or back to pending with a back-off after a failure; or failed (rejected by the
peer, or too many application errors) until someone resends it by hand.

Claims are settled by the database, not by a Python lock: a claim is one short transaction
that picks due rows (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE
serialises it) and pushes their `next_attempt_at` one lease ahead. Another process sees the
rows as not due until the lease ends, so two processes never send a message at once, and a
process that dies mid-send gives its rows back when the lease runs out. The key
(`message_control_id`) is unique, so the receiver can drop a repeat after a lost answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from smarthis.db import Base, BigId, Database, UTCDateTime, utcnow

STATUSES = ("pending", "sent", "acked", "failed")


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(32), index=True)  # "lis", later "claims" ...
    message_type: Mapped[str] = mapped_column(String(32))  # e.g. "OML^O21"
    # The message's idempotency key (HL7 MSH-10): the receiver drops a repeat of it.
    message_control_id: Mapped[str] = mapped_column(String(40), unique=True)
    # What the message is about, for the monitor ("order:12").
    reference: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)  # the peer's last answer, as received
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def enqueue(
    session: Session,
    *,
    facility_code: str,
    channel: str,
    message_type: str,
    message_control_id: str,
    payload: str,
    reference: str | None = None,
) -> OutboxMessage:
    """Add a message inside the caller's transaction: it exists only if the change commits."""
    now = utcnow()
    message = OutboxMessage(
        facility_code=facility_code,
        channel=channel,
        message_type=message_type,
        message_control_id=message_control_id,
        reference=reference,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    return message


@dataclass(frozen=True)
class Claimed:
    """A claimed message, detached from any session: the send happens outside a transaction."""

    id: int
    message_control_id: str
    payload: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """The peer's verdict on one message: accepted, retry later, or rejected for good."""

    kind: str  # "acked" | "retry" | "rejected"
    detail: str = ""
    response: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float
    max_s: float
    max_attempts: int
    lease_s: float

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.base_s * 2 ** max(attempts - 1, 0), self.max_s))


def claim_due(db: Database, channel: str, limit: int, lease_s: float) -> list[Claimed]:
    with db.session() as session:
        now = utcnow()
        rows = (
            session.execute(
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == channel,
                    OutboxMessage.status.in_(("pending", "sent")),
                    OutboxMessage.next_attempt_at <= now,
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        for row in rows:
            row.status = "sent"
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=lease_s)
            row.updated_at = now
        return [Claimed(r.id, r.message_control_id, r.payload, r.attempts) for r in rows]


def settle(db: Database, claimed: Claimed, outcome: Outcome, policy: RetryPolicy) -> None:
    """Record the verdict. Transport failures retry without limit (an outage must lose
    nothing); application errors retry up to max_attempts; a rejection fails at once."""
    with db.session() as session:
        row = session.get(OutboxMessage, claimed.id, with_for_update=True)
        if row is None or row.status != "sent" or row.attempts != claimed.attempts:
            return  # resent by hand or re-claimed after our lease ran out: theirs now
        now = utcnow()
        row.updated_at = now
        row.response = outcome.response
        if outcome.kind == "acked":
            row.status, row.acked_at, row.last_error = "acked", now, None
            return
        row.last_error = outcome.detail[:2000]
        gave_up = outcome.kind == "rejected" or (
            outcome.response is not None and row.attempts >= policy.max_attempts
        )
        if gave_up:
            row.status = "failed"
        else:
            row.status = "pending"
            row.next_attempt_at = now + policy.delay(row.attempts)


Sender = Callable[[Sequence[Claimed]], list[Outcome]]


def deliver_due(
    db: Database, channel: str, send: Sender, policy: RetryPolicy, batch_size: int
) -> int:
    """One pass: claim what is due, hand it to `send`, record each verdict. Returns the
    number of messages acknowledged."""
    claimed = claim_due(db, channel, batch_size, policy.lease_s)
    if not claimed:
        return 0
    outcomes = send(claimed)
    for message, outcome in zip(claimed, outcomes, strict=True):
        settle(db, message, outcome, policy)
    return sum(1 for outcome in outcomes if outcome.kind == "acked")


def requeue(session: Session, message: OutboxMessage) -> None:
    """Send again as soon as a worker passes (a person's decision; the caller audits it)."""
    now = utcnow()
    message.status = "pending"
    message.next_attempt_at = now
    message.updated_at = now
    message.last_error = None
