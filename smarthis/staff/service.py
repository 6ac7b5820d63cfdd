"""Staff profiles: professional title, department, specialty and the practising
certificate (chứng chỉ hành nghề, CCHN) that the XML 130 claim names as MA_BAC_SI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.errors import Conflict, DomainError
from smarthis.facility.models import Department
from smarthis.security.models import Staff
from smarthis.security.principal import Principal
from smarthis.security.service import get_staff_by_login
from smarthis.staff.models import StaffProfile

# Professional titles as Vietnamese hospitals print them before a name.
TITLES: dict[str, str] = {
    "BS": "Bác sĩ",
    "BSCKI": "Bác sĩ chuyên khoa I",
    "BSCKII": "Bác sĩ chuyên khoa II",
    "ThS.BS": "Thạc sĩ, bác sĩ",
    "TS.BS": "Tiến sĩ, bác sĩ",
    "PGS.TS": "Phó giáo sư, tiến sĩ",
    "GS.TS": "Giáo sư, tiến sĩ",
    "BSNT": "Bác sĩ nội trú",
    "YS": "Y sĩ",
    "ĐD": "Điều dưỡng",
    "HS": "Hộ sinh",
    "KTV": "Kỹ thuật viên",
    "DS": "Dược sĩ",
    "CN": "Cử nhân",
}
# Certificates issued under the 2009 law read NNNNNN/XXX-CCHN (the number, then the issuing
# authority: BYT for the Ministry, a province's code such as HNO or HCM); licences under the
# 2023 law read NNNNNN/XXX-GPHN. Spaces and lower case are tolerated and normalised.
CERTIFICATE_PATTERN = re.compile(r"^(\d{1,7})/([A-Z]{2,5})-(CCHN|GPHN)$")


@dataclass
class ProfileView:
    login: str
    full_name: str
    role: str
    active: bool
    title: str | None
    department_code: str | None
    specialty: str | None
    certificate_number: str | None


def normalise_certificate(raw: str) -> str:
    """The canonical spelling of a certificate number, or a 422 saying what is wrong."""
    text = re.sub(r"\s+", "", raw).upper()
    match = CERTIFICATE_PATTERN.match(text)
    if match is None:
        raise DomainError(
            "certificate_format",
            "Số chứng chỉ hành nghề không đúng dạng (ví dụ 000123/BYT-CCHN)",
            "Practising certificate number must look like 000123/BYT-CCHN",
            field="certificate_number",
        )
    number, authority, kind = match.groups()
    # Certificates are printed with at least six digits: 123/BYT-CCHN is 000123/BYT-CCHN.
    return f"{number.zfill(6)}/{authority}-{kind}"


def _title(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    title = raw.strip()
    if title not in TITLES:
        raise DomainError(
            "title_unknown",
            f"Chức danh '{title}' không có trong danh mục ({', '.join(TITLES)})",
            f"Unknown title '{title}'",
            field="title",
        )
    return title


def _department(session: Session, facility_code: str, code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    code = code.strip().upper()
    found = session.execute(
        select(Department.id).where(
            Department.facility_code == facility_code, Department.code == code
        )
    ).first()
    if found is None:
        raise DomainError(
            "department_unknown",
            f"Không có khoa '{code}'",
            f"No department '{code}'",
            field="department_code",
        )
    return code


def profile_of(session: Session, staff: Staff) -> StaffProfile | None:
    return session.execute(
        select(StaffProfile).where(StaffProfile.staff_id == staff.id)
    ).scalar_one_or_none()


def save_profile(
    session: Session,
    actor: Principal,
    login: str,
    *,
    title: str | None,
    department_code: str | None,
    specialty: str | None,
    certificate_number: str | None,
) -> StaffProfile:
    """Create or replace a staff member's profile. A certificate number another person of
    the facility already holds is refused by the database's unique key (409)."""
    staff = get_staff_by_login(session, login)
    values = {
        "title": _title(title),
        "department_code": _department(session, staff.facility_code, department_code)
        or staff.department_code,
        "specialty": (specialty or "").strip() or None,
        "certificate_number": normalise_certificate(certificate_number)
        if certificate_number and certificate_number.strip()
        else None,
    }
    profile = profile_of(session, staff)
    if profile is None:
        profile = StaffProfile(
            facility_code=staff.facility_code, staff_id=staff.id, updated_by=actor.name
        )
        session.add(profile)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.updated_at = utcnow()
    profile.updated_by = actor.name
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "certificate_taken",
            f"Số chứng chỉ hành nghề {values['certificate_number']} đã thuộc về nhân viên khác",
            f"Certificate {values['certificate_number']} already belongs to another staff member",
            field="certificate_number",
        ) from exc
    return profile


def practising_certificate(session: Session, login: str) -> str | None:
    """MA_BAC_SI for the claim: the certificate number of the staff member with this login,
    or None when the login is unknown or has no certificate on file."""
    return session.execute(
        select(StaffProfile.certificate_number)
        .join(Staff, Staff.id == StaffProfile.staff_id)
        .where(Staff.login == login.strip().lower())
    ).scalar_one_or_none()


def list_profiles(session: Session, facility_code: str) -> list[ProfileView]:
    rows = session.execute(
        select(Staff, StaffProfile)
        .outerjoin(StaffProfile, StaffProfile.staff_id == Staff.id)
        .where(Staff.facility_code == facility_code)
        .order_by(Staff.login)
    ).all()
    return [
        ProfileView(
            login=staff.login,
            full_name=staff.full_name,
            role=staff.role,
            active=staff.active,
            title=profile.title if profile else None,
            department_code=(profile.department_code if profile else None) or staff.department_code,
            specialty=profile.specialty if profile else None,
            certificate_number=profile.certificate_number if profile else None,
        )
        for staff, profile in rows
    ]
