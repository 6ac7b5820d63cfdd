"""The outpatient prescription of a visit and its drugs.

Drug names, prices and insurance coverage are copied from the catalogue when the doctor
writes them, so the record and the bill show what was prescribed that day even after the
catalogue changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Prescription(Base):
    """One ordinary prescription per visit: a draft the doctor edits, then issued."""

    __tablename__ = "prescriptions"
    __table_args__ = (UniqueConstraint("visit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    prescribed_by: Mapped[str] = mapped_column(String(100))  # the doctor's login
    prescribed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | issued
    # The visit's diagnoses as they read when the prescription was written or issued.
    diagnosis_text: Mapped[str | None] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrescriptionItem(Base):
    __tablename__ = "prescription_items"
    __table_args__ = (Index("ix_prescription_items_prescription", "prescription_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"))
    position: Mapped[int] = mapped_column(Integer)
    drug_code: Mapped[str] = mapped_column(String(32))
    active_ingredient: Mapped[str] = mapped_column(String(300))
    strength: Mapped[str] = mapped_column(String(100))
    brand_name: Mapped[str | None] = mapped_column(String(200))
    dosage_form: Mapped[str] = mapped_column(String(60))
    route: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    # In Vietnamese, as printed: "Uống 1 viên/lần × 2 lần/ngày, sau ăn".
    instructions: Mapped[str] = mapped_column(Text)
    days: Mapped[int | None] = mapped_column(Integer)
    unit_price_vnd: Mapped[int] = mapped_column(Integer)  # DEMO catalogue price, per unit
    insurance_covered: Mapped[bool] = mapped_column(default=False)
    insurance_ratio: Mapped[int | None] = mapped_column(Integer)
