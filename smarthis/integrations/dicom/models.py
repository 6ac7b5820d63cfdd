"""Imaging tables: the procedures the modality worklist serves, the studies that arrived in
the PACS for them, the position in the PACS changes feed, and the log of DICOM traffic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class ImagingProcedure(Base):
    """One imaging order item as the modalities see it (a requested procedure with its
    scheduled step), created in the order's transaction with its accession number."""

    __tablename__ = "imaging_procedures"
    __table_args__ = (
        UniqueConstraint("facility_code", "accession_number"),
        UniqueConstraint("order_item_id"),
        # The worklist's two usual questions: "my modality, today" and "my room, today".
        Index("ix_imaging_procedures_modality", "facility_code", "modality", "scheduled_at"),
        Index("ix_imaging_procedures_station", "facility_code", "point_code", "scheduled_at"),
        Index("ix_imaging_procedures_visit", "facility_code", "visit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    # DICOM Accession Number (SH, at most 16 characters): yymmdd + 5 digits.
    accession_number: Mapped[str] = mapped_column(String(16))
    modality: Mapped[str] = mapped_column(String(4))  # DX | CT | MR | US | ES
    # The room (service point) whose queue the patient was put in; its modality's AE
    # title comes from the settings, so renaming an AE needs no data change.
    point_code: Mapped[str] = mapped_column(String(32))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # scheduled | images_available
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    images_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImagingStudy(Base):
    """A study stored in Orthanc, linked to its order item by accession number (no item
    when the accession names no procedure of ours: kept so it can be reconciled)."""

    __tablename__ = "imaging_studies"
    __table_args__ = (
        UniqueConstraint("facility_code", "orthanc_study_id"),
        Index("ix_imaging_studies_item", "order_item_id"),
        Index("ix_imaging_studies_accession", "facility_code", "accession_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    orthanc_study_id: Mapped[str] = mapped_column(String(64))
    study_instance_uid: Mapped[str] = mapped_column(String(64))
    accession_number: Mapped[str] = mapped_column(String(16))
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("imaging_procedures.id"))
    series_count: Mapped[int] = mapped_column(Integer, default=0)
    instances_count: Mapped[int] = mapped_column(Integer, default=0)
    # Orthanc ids used for the viewer link (a series) and the preview (an instance).
    first_series_id: Mapped[str | None] = mapped_column(String(64))
    preview_instance_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PacsCursor(Base):
    """Where the follower is in Orthanc's changes feed, so a restart continues there."""

    __tablename__ = "pacs_cursors"

    facility_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigId, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while Orthanc fails: the traffic log gets one entry when it starts failing and
    # one when it recovers, not one every poll during a long outage.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DicomEvent(Base):
    """DICOM traffic: worklist queries, study links, PACS errors (for the interface
    monitor). Holds no patient names: ids and accession numbers only."""

    __tablename__ = "dicom_events"
    __table_args__ = (Index("ix_dicom_events_recent", "facility_code", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    # worklist_query | study_linked | study_unmatched | pacs_error
    kind: Mapped[str] = mapped_column(String(24))
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    calling_ae: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)  # JSON: filters, accession, error text
    matches: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
