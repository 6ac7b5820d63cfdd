"""A consultation about one patient between this hospital and others: when, who, the video
link, what was shared (results and images), and the conclusion written as minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Consultation(Base):
    """scheduled -> held (conclusion recorded, minutes written) or cancelled (with a reason)."""

    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_when", "facility_code", "scheduled_at"),
        Index("ix_consultations_patient", "facility_code", "patient_id"),
        CheckConstraint("status IN ('scheduled', 'held', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    question: Mapped[str] = mapped_column(Text)  # what the doctors are asked to decide
    case_summary: Mapped[str] = mapped_column(Text)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    video_link: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conclusion: Mapped[str | None] = mapped_column(Text)
    treatment_plan: Mapped[str | None] = mapped_column(Text)
    concluded_by: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The signed minutes in the patient's document registry, when documents are kept.
    minutes_document_id: Mapped[int | None] = mapped_column(BigId)


class ConsultationParticipant(Base):
    """A doctor taking part, from this hospital (with a login) or another (by name)."""

    __tablename__ = "consultation_participants"
    __table_args__ = (
        Index("ix_consultation_participants", "consultation_id", "position"),
        CheckConstraint("role IN ('chair', 'secretary', 'member')", name="role"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    position: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(10))  # MA_CSKCB of their hospital
    hospital_name: Mapped[str] = mapped_column(String(300))
    doctor_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))  # e.g. "PGS.TS.BS", "BSCKII"
    role: Mapped[str] = mapped_column(String(12))  # chair | secretary | member
    staff_login: Mapped[str | None] = mapped_column(String(100))  # ours only


class ConsultationSharedItem(Base):
    """A result or an imaging study the participating hospitals may see."""

    __tablename__ = "consultation_shared_items"
    __table_args__ = (UniqueConstraint("consultation_id", "order_item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"))
    shared_by: Mapped[str] = mapped_column(String(100))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
