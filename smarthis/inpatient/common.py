"""Lookups, errors and announcements shared by the inpatient services."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis import events
from smarthis.db import MAX_ID, utcnow
from smarthis.errors import Conflict, Forbidden, NotFound
from smarthis.inpatient.models import OPEN, Bed, Stay, Ward
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal

TOPIC = "inpatient"


def get_ward(session: Session, facility_code: str, code: str) -> Ward:
    ward = session.execute(
        select(Ward).where(Ward.facility_code == facility_code, Ward.code == code.strip())
    ).scalar_one_or_none()
    if ward is None:
        raise NotFound(
            "ward_not_found", f"Không có khoa/buồng '{code}'", f"No ward '{code}'", field="ward"
        )
    return ward


def get_bed(session: Session, facility_code: str, code: str, *, lock: bool = False) -> Bed:
    query = select(Bed).where(Bed.facility_code == facility_code, Bed.code == code.strip())
    if lock:
        # Two nurses taking the same bed queue here; the second then sees it occupied.
        query = query.with_for_update().execution_options(populate_existing=True)
    bed = session.execute(query).scalar_one_or_none()
    if bed is None:
        raise NotFound("bed_not_found", f"Không có giường '{code}'", f"No bed '{code}'", "bed")
    return bed


def get_stay(session: Session, actor: Principal, stay_id: int, *, lock: bool = False) -> Stay:
    stay = None
    if 1 <= stay_id <= MAX_ID:
        query = select(Stay).where(Stay.id == stay_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        stay = session.execute(query).scalar_one_or_none()
    if stay is None or stay.facility_code != actor.facility_code:
        raise NotFound(
            "stay_not_found",
            f"Không có đợt điều trị nội trú số {stay_id}",
            f"No inpatient stay {stay_id}",
            field="stay_id",
        )
    return stay


def require_open(stay: Stay) -> None:
    if stay.status != OPEN:
        raise Conflict(
            "stay_closed",
            "Người bệnh đã ra viện, hồ sơ nội trú không ghi thêm được",
            "The patient has been discharged; the stay can no longer be changed",
            field="stay_id",
        )


def require_doctor(actor: Principal, what_vi: str, what_en: str) -> None:
    """Admission, progress notes and discharge are a doctor's acts (and the system's)."""
    if actor.role not in (Role.DOCTOR, Role.ADMIN):
        raise Forbidden(
            "inpatient_doctor_only",
            f"Chỉ bác sĩ được {what_vi}",
            f"Only a doctor may {what_en}",
            field=None,
        )


def announce(
    session: Session, stay: Stay, kind: str, ward_codes: list[str], **extra: object
) -> None:
    """Every screen on the stay or on one of the wards it touched refreshes; the payload
    names no patient, only ids."""
    events.emit(
        session,
        {
            "topic": TOPIC,
            "facility": stay.facility_code,
            "kind": kind,
            "stay_id": stay.id,
            "patient_id": stay.patient_id,
            "ward": ward_codes[0] if ward_codes else None,
            "wards": sorted(set(ward_codes)),
            "at": utcnow().isoformat(),
            **extra,
        },
    )


def announce_bed(session: Session, facility_code: str, ward_code: str, bed: Bed) -> None:
    events.emit(
        session,
        {
            "topic": TOPIC,
            "facility": facility_code,
            "kind": "bed_status",
            "stay_id": None,
            "ward": ward_code,
            "wards": [ward_code],
            "bed": bed.code,
            "status": bed.status,
            "at": utcnow().isoformat(),
        },
    )


def clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None
