"""Order sheets, their items, lab specimens, lab results and imaging/functional reports.

Results and reports are never overwritten: a correction adds a new version and marks the
earlier one superseded, so what a doctor saw (and when) can always be shown again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Order(Base):
    """One order sheet (phiếu chỉ định) written by a doctor during a visit."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_visit", "facility_code", "visit_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    ordered_by: Mapped[str] = mapped_column(String(100))  # the doctor's login
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Specimen(Base):
    """A tube or container with its accession number (yymmdd + 5-digit sequence per day)."""

    __tablename__ = "specimens"
    __table_args__ = (UniqueConstraint("facility_code", "accession_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    accession_number: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    specimen_type: Mapped[str] = mapped_column(String(40))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    collected_by: Mapped[str] = mapped_column(String(100))


class OrderItem(Base):
    """One ordered service: ordered -> in_progress -> resulted -> verified (or cancelled)."""

    __tablename__ = "order_items"
    __table_args__ = (Index("ix_order_items_order", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    service_code: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str] = mapped_column(String(300))  # as ordered, for the record
    kind: Mapped[str] = mapped_column(String(16))  # lab | xray | ct | ... (catalogue kind)
    point_kind: Mapped[str] = mapped_column(String(24))  # the queue kind of the room
    status: Mapped[str] = mapped_column(String(16), default="ordered")
    # The queue ticket that put the patient in the performing room's queue.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    specimen_id: Mapped[int | None] = mapped_column(ForeignKey("specimens.id"))
    # Prices at the time of ordering (a later tariff change does not touch this order).
    hospital_price_vnd: Mapped[int] = mapped_column(Integer)
    insurance_price_vnd: Mapped[int | None] = mapped_column(Integer)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LabResult(Base):
    __tablename__ = "lab_results"
    __table_args__ = (Index("ix_lab_results_patient", "facility_code", "patient_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    analyte_code: Mapped[str] = mapped_column(String(32))
    value_text: Mapped[str] = mapped_column(String(100))  # as entered
    value_numeric: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    range_text: Mapped[str | None] = mapped_column(String(100))
    # normal | low | high | critical_low | critical_high | none (no range for the patient)
    flag: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lab_results.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)


class Report(Base):
    """An imaging or functional-test report: technique, findings, conclusion."""

    __tablename__ = "result_reports"
    __table_args__ = (Index("ix_result_reports_patient", "facility_code", "patient_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    technique: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text)
    conclusion: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("result_reports.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
