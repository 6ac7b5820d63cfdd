"""Service points, tickets and the queue's event log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Area(Base):
    """A waiting area with its display boards (e.g. the examination hall, imaging floor)."""

    __tablename__ = "queue_areas"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))


class ServicePoint(Base):
    """Where patients queue: a reception counter, an examination or imaging room, a cashier.

    Points sharing a `queue_group` share one number sequence (one prefix, one series)."""

    __tablename__ = "service_points"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    # reception | examination | lab | ultrasound | xray | ct | mri | endoscopy | ecg |
    # cashier | pharmacy | information
    kind: Mapped[str] = mapped_column(String(24))
    specialty: Mapped[str | None] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(32))
    queue_group: Mapped[str] = mapped_column(String(32))
    prefix: Mapped[str] = mapped_column(String(4))
    room_label: Mapped[str] = mapped_column(String(16))  # what the door says, e.g. "105"
    floor: Mapped[str | None] = mapped_column(String(32))
    # Used for expected waits until the day has real service times.
    default_service_minutes: Mapped[int] = mapped_column(Integer, default=8)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Consecutive priority calls since the last normal one (the anti-starvation policy).
    priority_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Live service time: an exponentially weighted mean of call-to-completion seconds,
    # updated on each completion under the point's row lock, read in O(1) for waits.
    service_seconds_mean: Mapped[float | None] = mapped_column(Float)
    services_measured: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("facility_code", "service_day", "queue_group", "number"),
        Index("ix_tickets_point_status", "facility_code", "service_point_code", "status"),
        Index("ix_tickets_visit", "visit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    service_day: Mapped[date] = mapped_column(Date)
    queue_group: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    display_number: Mapped[str] = mapped_column(String(16))
    service_point_code: Mapped[str] = mapped_column(String(32))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    masked_name: Mapped[str | None] = mapped_column(String(100))  # for the board: NGUYỄN V. A.
    call_name: Mapped[str | None] = mapped_column(String(100))  # spoken: Nguyễn Văn A
    # emergency | child_under_6 | pregnant | disability | elderly_75 | revolutionary_merit |
    # returning (back from a paraclinical room) | None
    priority_group: Mapped[str | None] = mapped_column(String(24))
    priority_rank: Mapped[int] = mapped_column(Integer, default=0)  # lower is served first
    # waiting | called | skipped | completed | transferred | no_show | cancelled
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Queue order: issue time, or the time a skipped ticket came back.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    skip_count: Mapped[int] = mapped_column(Integer, default=0)
    back_in_queue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected_wait_minutes: Mapped[int | None] = mapped_column(Integer)
    # After a paraclinical room, the patient goes back here with a returning priority.
    return_to_point_code: Mapped[str | None] = mapped_column(String(32))
    previous_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    issued_via: Mapped[str] = mapped_column(String(16))  # kiosk | reception | console
    issued_by: Mapped[str] = mapped_column(String(100))
    # Opaque token for the QR on the ticket: looks the ticket up, names nobody.
    lookup_token: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    insurance_status_vi: Mapped[str | None] = mapped_column(String(200))


class QueueEvent(Base):
    """Every change of a queue, in order: boards replay it after a reconnect, statistics
    read it, and on PostgreSQL each row is also NOTIFYed to the other app processes."""

    __tablename__ = "queue_events"
    __table_args__ = (Index("ix_queue_events_area", "facility_code", "area_code", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(32))
    service_point_code: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int] = mapped_column(BigId)
    payload: Mapped[str] = mapped_column(Text)  # JSON sent to boards as is


class Announcement(Base):
    """A call is spoken once per area, however many boards show it: the first board to
    claim the event speaks it."""

    __tablename__ = "queue_announcements"

    event_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    device_code: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueuePolicy(Base):
    """Per facility: how priority and normal calls alternate, how long a skipped patient
    waits before coming back into the queue."""

    __tablename__ = "queue_policies"

    facility_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    # At most this many priority calls in a row while normal tickets wait.
    priority_calls_per_normal: Mapped[int] = mapped_column(Integer, default=2)
    skip_back_after_minutes: Mapped[int] = mapped_column(Integer, default=5)
    max_skips: Mapped[int] = mapped_column(Integer, default=2)
