"""The outpatient pharmacy's stock: drug lots on the shelf, and what was dispensed from them.

A lot is one manufacturer's batch of one drug (số lô) with its expiry date (hạn dùng). The
database refuses a negative quantity on hand (CHECK), whatever code tries to take it; a
prescription is dispensed once (unique per prescription), so two pharmacists pressing the
button together give the drugs once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class DrugLot(Base):
    """One lot of one drug in a facility's pharmacy, counted in the prescription's unit."""

    __tablename__ = "pharmacy_drug_lots"
    __table_args__ = (
        UniqueConstraint("facility_code", "drug_code", "lot_number"),
        CheckConstraint("quantity_on_hand >= 0", name="quantity_on_hand_not_negative"),
        CheckConstraint("quantity_received > 0", name="quantity_received_positive"),
        # First-expiry-first-out reads a drug's lots by expiry date.
        Index("ix_pharmacy_drug_lots_fefo", "facility_code", "drug_code", "expiry_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    drug_code: Mapped[str] = mapped_column(String(32))
    lot_number: Mapped[str] = mapped_column(String(40))
    expiry_date: Mapped[date] = mapped_column(Date)
    quantity_on_hand: Mapped[int] = mapped_column(Integer)
    quantity_received: Mapped[int] = mapped_column(Integer)  # all receipts of this lot
    unit_cost_vnd: Mapped[int | None] = mapped_column(BigInteger)  # purchase price, per unit
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first receipt
    received_by: Mapped[str] = mapped_column(String(100))


class Dispensing(Base):
    """A prescription handed over to the patient: one row per prescription, ever."""

    __tablename__ = "pharmacy_dispensings"
    __table_args__ = (
        UniqueConstraint("prescription_id"),
        Index("ix_pharmacy_dispensings_visit", "facility_code", "visit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    dispensed_by: Mapped[str] = mapped_column(String(100))  # the pharmacist's login
    dispensed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DispensedItem(Base):
    """So many units of one prescription item given from one lot."""

    __tablename__ = "pharmacy_dispensed_items"
    __table_args__ = (
        UniqueConstraint("prescription_item_id", "lot_id"),
        Index("ix_pharmacy_dispensed_items_dispensing", "dispensing_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    dispensing_id: Mapped[int] = mapped_column(ForeignKey("pharmacy_dispensings.id"))
    prescription_item_id: Mapped[int] = mapped_column(ForeignKey("prescription_items.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("pharmacy_drug_lots.id"), index=True)
    drug_code: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
