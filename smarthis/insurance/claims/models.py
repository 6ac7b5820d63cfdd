"""Where each visit's check-in and claim stand with the BHXH portal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow

DOCUMENTS = ("checkin", "claim")
# pending: written, waiting to be (re)sent; sent: a worker holds it until next_attempt_at
# (its lease) and is talking to the portal; accepted / rejected: the portal's answer.
STATUSES = ("pending", "sent", "accepted", "rejected")


class ClaimSubmission(Base):
    """One file per visit and kind: the check-in table, or the claim (GIAMDINHHS envelope).
    The file is kept as sent, so a retry sends the very same bytes (same digest)."""

    __tablename__ = "claim_submissions"
    __table_args__ = (
        # One current submission per claim: a corrected claim replaces the previous one,
        # as the portal itself keeps one record per MA_LK.
        UniqueConstraint("facility_code", "ma_lk", "document"),
        CheckConstraint("status IN ('pending', 'sent', 'accepted', 'rejected')", name="status"),
        CheckConstraint("document IN ('checkin', 'claim')", name="document"),
        Index("ix_claim_submissions_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))  # MA_CSKCB
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    document: Mapped[str] = mapped_column(String(8))
    ma_lk: Mapped[str] = mapped_column(String(100))  # MA_LK of the claim
    status: Mapped[str] = mapped_column(String(16), default="pending")
    xml_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the table files
    payload: Mapped[str] = mapped_column(Text)  # the XML file as sent (UTF-8 text)
    transaction_code: Mapped[str | None] = mapped_column(String(64))  # maGiaoDich
    reason: Mapped[str | None] = mapped_column(Text)  # thongDiep of a rejection
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # why the portal gave no answer
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last attempt
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # accepted / rejected
