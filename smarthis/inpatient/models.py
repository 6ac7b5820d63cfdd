"""Inpatient stays (điều trị nội trú): wards, beds, stays, bed movements, and the daily
care record of a stay (progress notes, nursing notes, vital signs, medication
administration). Every row carries the facility code.

The database keeps the two rules that concurrency could break: a patient has at most one
open stay, and a bed holds at most one open stay (partial unique indexes, on SQLite and
PostgreSQL alike)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow

OPEN = "admitted"
BED_STATUSES = ("available", "occupied", "cleaning", "out_of_service")


class Ward(Base):
    """A nursing unit of an inpatient department (khoa điều trị nội trú)."""

    __tablename__ = "inpatient_wards"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(32))


class Bed(Base):
    __tablename__ = "inpatient_beds"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    ward_id: Mapped[int] = mapped_column(ForeignKey("inpatient_wards.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(60))  # the room (buồng) as its door reads
    # available | occupied | cleaning | out_of_service
    status: Mapped[str] = mapped_column(String(16), default="available")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Stay(Base):
    """One admission, from arrival on the ward to discharge (đợt điều trị)."""

    __tablename__ = "inpatient_stays"
    __table_args__ = (
        UniqueConstraint("facility_code", "stay_number"),
        Index(
            "ux_inpatient_stays_open_patient",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'admitted'"),
            postgresql_where=text("status = 'admitted'"),
        ),
        Index(
            "ux_inpatient_stays_open_bed",
            "bed_id",
            unique=True,
            sqlite_where=text("status = 'admitted' AND bed_id IS NOT NULL"),
            postgresql_where=text("status = 'admitted' AND bed_id IS NOT NULL"),
        ),
        Index("ix_inpatient_stays_ward_status", "ward_id", "status"),
        Index("ix_inpatient_stays_admitted_at", "facility_code", "admitted_at"),
        Index("ix_inpatient_stays_discharged_at", "facility_code", "discharged_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_number: Mapped[str] = mapped_column(String(20))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    # The encounter billed and claimed: the outpatient visit that led here, or the visit a
    # direct admission opened (inpatient.encounter). None only for stays from before that.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admitted_by: Mapped[str] = mapped_column(String(100))
    # outpatient | emergency | referral
    admitted_from: Mapped[str] = mapped_column(String(16))
    # inpatient | day_care (ban ngày: discharged the same day)
    kind: Mapped[str] = mapped_column(String(16), default="inpatient")
    ward_id: Mapped[int] = mapped_column(ForeignKey("inpatient_wards.id"))
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("inpatient_beds.id"))
    attending_doctor: Mapped[str] = mapped_column(String(100))  # the doctor's login
    admission_icd_code: Mapped[str] = mapped_column(String(10))
    admission_diagnosis: Mapped[str] = mapped_column(Text)  # ICD-10 name as read that day
    admission_reason: Mapped[str | None] = mapped_column(Text)
    # admitted | discharged
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_by: Mapped[str | None] = mapped_column(String(100))
    # recovered_or_improved | against_advice | transferred | absconded | deceased
    discharge_kind: Mapped[str | None] = mapped_column(String(24))
    discharge_icd_code: Mapped[str | None] = mapped_column(String(10))
    discharge_diagnosis: Mapped[str | None] = mapped_column(Text)
    discharge_summary: Mapped[str | None] = mapped_column(Text)  # treatment summary
    discharge_advice: Mapped[str | None] = mapped_column(Text)


class BedMovement(Base):
    """Where the patient lay and when: admission, each transfer, discharge."""

    __tablename__ = "inpatient_bed_movements"
    __table_args__ = (Index("ix_inpatient_bed_movements_stay", "stay_id", "moved_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"))
    kind: Mapped[str] = mapped_column(String(16))  # admit | transfer | discharge
    from_ward_id: Mapped[int | None] = mapped_column(ForeignKey("inpatient_wards.id"))
    from_bed_id: Mapped[int | None] = mapped_column(ForeignKey("inpatient_beds.id"))
    to_ward_id: Mapped[int | None] = mapped_column(ForeignKey("inpatient_wards.id"))
    to_bed_id: Mapped[int | None] = mapped_column(ForeignKey("inpatient_beds.id"))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)


class ProgressNote(Base):
    """The doctor's daily note (tờ điều trị), SOAP."""

    __tablename__ = "inpatient_progress_notes"
    __table_args__ = (Index("ix_inpatient_progress_notes_stay", "stay_id", "written_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    written_by: Mapped[str] = mapped_column(String(100))
    subjective: Mapped[str | None] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)


class NursingNote(Base):
    """The nurse's care note (phiếu chăm sóc)."""

    __tablename__ = "inpatient_nursing_notes"
    __table_args__ = (Index("ix_inpatient_nursing_notes_stay", "stay_id", "written_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    written_by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)


class StayVitals(Base):
    """A measurement on the ward (phiếu theo dõi chức năng sống). The outpatient table is
    tied to a visit; a stay outlives its visit and is charted by the hour."""

    __tablename__ = "inpatient_vital_signs"
    __table_args__ = (Index("ix_inpatient_vital_signs_stay", "stay_id", "taken_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by: Mapped[str] = mapped_column(String(100))
    pulse: Mapped[int | None] = mapped_column()
    temperature_c: Mapped[float | None] = mapped_column(Float)
    systolic: Mapped[int | None] = mapped_column()
    diastolic: Mapped[int | None] = mapped_column()
    respiratory_rate: Mapped[int | None] = mapped_column()
    spo2: Mapped[int | None] = mapped_column()
    weight_kg: Mapped[float | None] = mapped_column(Float)


class MedicationAdministration(Base):
    """One dose given, held or refused (phiếu công khai thuốc / MAR)."""

    __tablename__ = "inpatient_medication_administrations"
    __table_args__ = (Index("ix_inpatient_mar_stay", "stay_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"))
    drug: Mapped[str] = mapped_column(String(300))  # as prescribed
    # The catalogue drug (charged and claimed when given) and the units given; both None
    # for a drug outside the catalogue (e.g. brought by the patient), which is not charged.
    drug_code: Mapped[str | None] = mapped_column(String(32))
    quantity: Mapped[int | None] = mapped_column(Integer)
    dose: Mapped[str] = mapped_column(String(100))
    route: Mapped[str] = mapped_column(String(60))
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # given | held | refused
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)  # why held or refused
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))
