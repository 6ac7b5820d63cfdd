"""Visits (lượt khám): one patient's episode at the hospital."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("facility_code", "visit_number"),
        Index("ix_visits_card_check_status", "facility_code", "card_check_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_number: Mapped[str] = mapped_column(String(20))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(100))
    # kiosk | reception: the hospital reports the share of visits registered at a kiosk.
    registered_via: Mapped[str] = mapped_column(
        String(16), default="reception", server_default="reception"
    )
    # self_referred | referral | appointment | emergency
    arrival_mode: Mapped[str] = mapped_column(String(20))
    # MA_DOITUONG_KCB proposed at reception, confirmed when the visit ends.
    proposed_category: Mapped[str | None] = mapped_column(String(8))
    # The category the doctor confirmed (or corrected) when concluding: what the bill and
    # the claim use from then on.
    confirmed_category: Mapped[str | None] = mapped_column(String(8))
    category_confirmed_by: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="registered")
    uses_insurance: Mapped[bool] = mapped_column(default=False)
    bhyt_code: Mapped[str | None] = mapped_column(String(15))
    # not_requested | verified | rejected | not_verified (portal down or slow: re-checked)
    card_check_status: Mapped[str] = mapped_column(String(20), default="not_requested")
    card_check_code: Mapped[str | None] = mapped_column(String(8))
    card_check_message: Mapped[str | None] = mapped_column(Text)
    # The portal's answer exactly as received: the claim and any dispute rely on it.
    card_check_raw: Mapped[str | None] = mapped_column(Text)
    card_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    card_check_attempts: Mapped[int] = mapped_column(default=0)
    # Set while a worker re-checks the card, so two workers never check the same visit.
    card_check_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The staff member in whose name the portal is asked (it requires name and CCCD).
    card_check_staff_name: Mapped[str | None] = mapped_column(String(200))
    card_check_staff_cccd: Mapped[str | None] = mapped_column(String(12))
    # An idempotency key from the client (kiosk retries) makes registration safe to repeat.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
