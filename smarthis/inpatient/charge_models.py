"""What a stay costs beyond its orders and prescriptions: the bed days (ngày giường) and
the medical supplies used on the ward (vật tư y tế). Each row is the source of one
`billing_charges` line on the stay's visit (source_kind "bed_day" / "supply")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow

SUPPLY_ACTIVE, SUPPLY_CANCELLED = "active", "cancelled"


class BedDay(Base):
    """One charged calendar day (hospital-local) of a stay, in the ward it is charged to."""

    __tablename__ = "inpatient_bed_days"
    __table_args__ = (UniqueConstraint("stay_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("inpatient_wards.id"))
    bed_id: Mapped[int | None] = mapped_column(ForeignKey("inpatient_beds.id"))
    day: Mapped[date] = mapped_column(Date)
    service_code: Mapped[str] = mapped_column(String(32))  # the bed-day service's own code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupplyUse(Base):
    """A supply used for the patient on the ward, as the nurse or doctor recorded it."""

    __tablename__ = "inpatient_supply_uses"
    __table_args__ = (Index("ix_inpatient_supply_uses_stay", "stay_id", "used_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    stay_id: Mapped[int] = mapped_column(ForeignKey("inpatient_stays.id"))
    supply_code: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default=SUPPLY_ACTIVE)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
