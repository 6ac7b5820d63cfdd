"""The hospital's departments and rooms."""

from __future__ import annotations

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    # clinical | paraclinical | inpatient | administrative
    kind: Mapped[str] = mapped_column(String(24))


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(32))
    # reception | examination | lab | ultrasound | xray | ct | mri | endoscopy | ecg |
    # cashier | pharmacy | ward
    kind: Mapped[str] = mapped_column(String(24))
    specialty: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
