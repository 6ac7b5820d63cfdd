"""The outpatient examination of a visit: the doctor's record, vital signs, ICD-10
diagnoses, and a timestamp for every step so waiting per step can be reported."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Examination(Base):
    """One per visit: what the doctor wrote and how the visit ended."""

    __tablename__ = "examinations"
    __table_args__ = (
        UniqueConstraint("visit_id"),
        # The day's follow-up list of every examination room (clinical/appointments.py).
        Index("ix_examinations_follow_up", "facility_code", "follow_up_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    history: Mapped[str | None] = mapped_column(Text)
    examination_notes: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by: Mapped[str] = mapped_column(String(100))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_by: Mapped[str | None] = mapped_column(String(100))
    # home | follow_up | admit | referral
    conclusion: Mapped[str | None] = mapped_column(String(16))
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    referral_to: Mapped[str | None] = mapped_column(String(300))
    referral_reason: Mapped[str | None] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)


class VitalSigns(Base):
    """One measurement; a visit may have several (before and after treatment)."""

    __tablename__ = "vital_signs"
    __table_args__ = (Index("ix_vital_signs_visit", "visit_id", "measured_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    measured_by: Mapped[str] = mapped_column(String(100))
    pulse: Mapped[int | None] = mapped_column()  # beats per minute
    temperature_c: Mapped[float | None] = mapped_column(Float)
    systolic: Mapped[int | None] = mapped_column()  # mmHg
    diastolic: Mapped[int | None] = mapped_column()
    respiratory_rate: Mapped[int | None] = mapped_column()  # breaths per minute
    spo2: Mapped[int | None] = mapped_column()  # percent
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    # Stored as computed at the time, so the record shows what the doctor saw.
    bmi: Mapped[float | None] = mapped_column(Float)


class VisitDiagnosis(Base):
    """An ICD-10 diagnosis of a visit; the Vietnamese name is copied as it read that day."""

    __tablename__ = "visit_diagnoses"
    __table_args__ = (
        UniqueConstraint("visit_id", "icd_code"),
        Index("ix_visit_diagnoses_visit", "visit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    icd_code: Mapped[str] = mapped_column(String(10))  # as printed, e.g. "J06.9"
    is_main: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    name_vi: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitStep(Base):
    """A step of the visit reached: registered, called, examination_started, concluded...
    The time between two steps is the wait the hospital reports."""

    __tablename__ = "visit_steps"
    __table_args__ = (Index("ix_visit_steps_visit", "visit_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(100))
