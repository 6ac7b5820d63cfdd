"""Master patient index: one row per person, reachable by any of their identifiers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("facility_code", "mrn"),
        Index("ix_patients_facility_name", "facility_code", "name_folded"),
        # Search by the card code printed on a BHYT card (migration 0010).
        Index("ix_patients_facility_bhyt", "facility_code", "bhyt_code"),
        # Name search is a substring match ("%van an%"): a trigram index answers it on
        # PostgreSQL without reading every name. SQLite has no such index type and gets a
        # plain one of the same name (its LIKE '%...%' reads every row either way).
        Index(
            "ix_patients_name_trgm",
            "name_folded",
            postgresql_using="gin",
            postgresql_ops={"name_folded": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    # Mã bệnh nhân (hospital patient code): year + sequence, e.g. 2026000123.
    mrn: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(200))
    # Lower-case, diacritics removed: what name search matches against.
    name_folded: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # Older records and some cards carry only the birth year.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(8))
    nationality: Mapped[str] = mapped_column(String(3), default="VN")
    address: Mapped[str | None] = mapped_column(Text)
    ward_code: Mapped[str | None] = mapped_column(String(10))
    province_code: Mapped[str | None] = mapped_column(String(3))
    phone: Mapped[str | None] = mapped_column(String(20))
    # Current health-insurance card (the 10-digit BHXH number is also an identifier).
    bhyt_code: Mapped[str | None] = mapped_column(String(15))
    vneid_level2: Mapped[bool] = mapped_column(Boolean, default=False)
    # Children without papers: a parent's CCCD and name.
    guardian_cccd: Mapped[str | None] = mapped_column(String(12), index=True)
    guardian_name: Mapped[str | None] = mapped_column(String(200))
    # Unknown emergency patients get a temporary identity, merged once known.
    is_temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PatientIdentifier(Base):
    """A document number that names exactly one patient within the facility.

    The unique constraint is what makes concurrent find-or-create safe."""

    __tablename__ = "patient_identifiers"
    __table_args__ = (
        UniqueConstraint("facility_code", "kind", "value"),
        # Search by a number of any kind (the unique key starts with the kind).
        Index("ix_patient_identifiers_facility_value", "facility_code", "value"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    # cccd (also the VNeID personal number), bhxh (10-digit), passport (NAT:number),
    # birth_certificate, temporary
    kind: Mapped[str] = mapped_column(String(24))
    value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PatientDemographicsVersion(Base):
    """The demographics as they were before each change (and the change's author)."""

    __tablename__ = "patient_demographics_versions"
    __table_args__ = (UniqueConstraint("patient_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[str] = mapped_column(Text)  # JSON of the demographic fields
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
