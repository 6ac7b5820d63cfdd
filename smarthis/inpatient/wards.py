"""Wards and their beds: the demo wards, the list of wards and the live bed board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import Examination, VisitDiagnosis
from smarthis.clinical.models import Visit
from smarthis.db import utcnow
from smarthis.inpatient.common import get_ward
from smarthis.inpatient.models import OPEN, Bed, Stay, Ward
from smarthis.patients.models import Patient
from smarthis.security import audit
from smarthis.security.principal import Principal

# (ward code, name, department, rooms, beds per room): 3 wards, 60 beds.
DEMO_WARDS: tuple[tuple[str, str, str, int, int], ...] = (
    ("NOI", "Khoa Nội - Hóa trị", "KNOI", 6, 4),
    ("NGOAI", "Khoa Ngoại - Ung bướu", "KNGOAI", 5, 4),
    ("XATRI", "Khoa Xạ trị", "KXATRI", 4, 4),
)


def create_ward(
    session: Session,
    facility_code: str,
    code: str,
    name: str,
    department_code: str,
    rooms: dict[str, list[str]],
) -> Ward:
    """A ward and its beds: {room label: [bed codes]}."""
    ward = Ward(facility_code=facility_code, code=code, name=name, department_code=department_code)
    session.add(ward)
    session.flush()
    for room, beds in rooms.items():
        for bed_code in beds:
            session.add(Bed(facility_code=facility_code, ward_id=ward.id, code=bed_code, room=room))
    session.flush()
    return ward


def seed_demo_wards(session: Session, facility_code: str) -> list[Ward]:
    """The demo hospital's three wards (rooms 101.., 201.., 301..; beds NOI-101-1 ...)."""
    wards = []
    for floor, (code, name, department, room_count, per_room) in enumerate(DEMO_WARDS, 1):
        exists = session.execute(
            select(Ward).where(Ward.facility_code == facility_code, Ward.code == code)
        ).scalar_one_or_none()
        if exists is not None:
            wards.append(exists)
            continue
        rooms = {
            f"Buồng {floor}{number:02d}": [
                f"{code}-{floor}{number:02d}-{bed}" for bed in range(1, per_room + 1)
            ]
            for number in range(1, room_count + 1)
        }
        wards.append(create_ward(session, facility_code, code, name, department, rooms))
    return wards


def list_wards(session: Session, facility_code: str) -> list[tuple[Ward, dict[str, int]]]:
    """Each ward with its bed counts by status."""
    wards = session.execute(
        select(Ward).where(Ward.facility_code == facility_code).order_by(Ward.code)
    ).scalars()
    out = []
    for ward in wards:
        counts = {"available": 0, "occupied": 0, "cleaning": 0, "out_of_service": 0}
        for status in session.execute(select(Bed.status).where(Bed.ward_id == ward.id)).scalars():
            counts[status] = counts.get(status, 0) + 1
        out.append((ward, counts))
    return out


@dataclass
class BoardBed:
    bed: Bed
    stay: Stay | None
    patient: Patient | None


@dataclass
class WardBoard:
    ward: Ward
    beds: list[BoardBed]
    waiting: list[tuple[Stay, Patient]]  # admitted to the ward, no bed yet


def ward_board(session: Session, actor: Principal, ward_code: str) -> WardBoard:
    ward = get_ward(session, actor.facility_code, ward_code)
    beds = list(
        session.execute(select(Bed).where(Bed.ward_id == ward.id).order_by(Bed.code)).scalars()
    )
    rows = session.execute(
        select(Stay, Patient)
        .join(Patient, Patient.id == Stay.patient_id)
        .where(Stay.ward_id == ward.id, Stay.status == OPEN)
    ).all()
    by_bed = {stay.bed_id: (stay, patient) for stay, patient in rows if stay.bed_id is not None}
    waiting = [(stay, patient) for stay, patient in rows if stay.bed_id is None]
    board = WardBoard(
        ward,
        [BoardBed(bed, *by_bed.get(bed.id, (None, None))) for bed in beds],
        waiting,
    )
    # A staff screen showing names: one entry per look at the board, naming its stays.
    audit.record(
        session,
        actor,
        "inpatient.board",
        detail={"ward": ward.code, "stays": sorted(stay.id for stay, _ in rows)},
    )
    return board


@dataclass
class PendingAdmission:
    visit: Visit
    patient: Patient
    concluded_at: datetime | None
    diagnosis: str | None  # the visit's main diagnosis, "C50.9 U ác của vú..."


def pending_admissions(session: Session, actor: Principal, days: int = 3) -> list[PendingAdmission]:
    """Visits the doctor concluded "admit" that no stay has taken yet (recent days)."""
    since = utcnow() - timedelta(days=days)
    taken = select(Stay.visit_id).where(Stay.visit_id.is_not(None))
    rows = session.execute(
        select(
            Visit,
            Patient,
            Examination.concluded_at,
            VisitDiagnosis.icd_code,
            VisitDiagnosis.name_vi,
        )
        .join(Examination, Examination.visit_id == Visit.id)
        .join(Patient, Patient.id == Visit.patient_id)
        .outerjoin(
            VisitDiagnosis,
            (VisitDiagnosis.visit_id == Visit.id) & VisitDiagnosis.is_main.is_(True),
        )
        .where(
            Visit.facility_code == actor.facility_code,
            Examination.conclusion == "admit",
            Examination.concluded_at >= since,
            Visit.id.not_in(taken),
        )
        .order_by(Examination.concluded_at)
    ).all()
    return [
        PendingAdmission(v, p, at, f"{code} {name}" if code else None)
        for v, p, at, code, name in rows
    ]
