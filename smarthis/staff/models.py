"""Staff profiles (title, department, practising certificate) and the rooms' duty plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class StaffProfile(Base):
    """What a claim and a signed paper say about a staff member, beside the login."""

    __tablename__ = "staff_profiles"
    __table_args__ = (
        UniqueConstraint("staff_id"),
        # One practising certificate (CCHN) names one person in a facility; NULLs repeat.
        UniqueConstraint("facility_code", "certificate_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    title: Mapped[str | None] = mapped_column(String(16))  # BS, BSCKI, ThS.BS, ĐD, KTV, DS
    department_code: Mapped[str | None] = mapped_column(String(32))
    specialty: Mapped[str | None] = mapped_column(String(100))
    # Chứng chỉ hành nghề, e.g. 000123/BYT-CCHN: MA_BAC_SI of the XML 130 claim.
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))


class ScheduleEntry(Base):
    """One person in one room for one shift. Shifts have fixed hours that never overlap, so
    the unique key on (person, day, shift) is what refuses one person in two rooms at once,
    on every backend and under concurrent planners."""

    __tablename__ = "staff_schedules"
    __table_args__ = (
        UniqueConstraint("facility_code", "staff_id", "work_date", "shift"),
        CheckConstraint("shift IN ('morning', 'afternoon', 'night')", name="shift"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # The queue's room choice reads today's (and last night's) rows of a facility.
        Index("ix_staff_schedules_day", "facility_code", "work_date", "room_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    room_code: Mapped[str] = mapped_column(String(32))
    work_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))  # morning | afternoon | night
    # The shift's hours on that date, stored so the room choice compares two timestamps.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
