"""A small hospital for the inpatient tests: one ward of six beds (and a second ward),
a doctor and a nurse, patients with visits concluded "admit" the way the examination
room concludes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from smarthis.clinical import examination
from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import Database
from smarthis.inpatient.wards import create_ward
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from smarthis.text import fold

FACILITY = "48001"
PASSWORD = "mat-khau-noi-tru-1"


def staff(name: str, role: Role, id_: int) -> Principal:
    return Principal(
        kind="staff", id=id_, name=name, display_name=name, role=role, facility_code=FACILITY
    )


DOCTOR = staff("bs.nam", Role.DOCTOR, 1)
DOCTOR_2 = staff("bs.lan", Role.DOCTOR, 2)
NURSE = staff("dd.mai", Role.NURSE, 3)
NURSE_2 = staff("dd.hung", Role.NURSE, 4)
OTHER_HOSPITAL = Principal(
    kind="staff", id=9, name="bs.khac", display_name="x", role=Role.DOCTOR, facility_code="79001"
)


@dataclass
class Patients:
    an: int  # Nguyễn Văn An, CCCD, visit concluded "admit"
    an_visit: int
    binh: int  # Trần Thị Bình, passport (foreigner), no visit: an emergency admission
    cuong_visit: int  # a visit still open (not concluded)


def seed_staff(db: Database) -> None:
    with db.session() as s:
        for login, name, role in (
            ("bs.nam", "Nguyễn Văn Nam", "doctor"),
            ("bs.lan", "Phạm Thị Lan", "doctor"),
            ("dd.mai", "Võ Thị Mai", "nurse"),
            ("dd.hung", "Đặng Văn Hùng", "nurse"),
        ):
            security.create_staff(
                s, facility_code=FACILITY, login=login, full_name=name, role=role, password=PASSWORD
            )


def seed_wards(db: Database) -> None:
    """NOI: rooms 101 (beds 1-3) and 102 (beds 1-3); NGOAI: room 201 (beds 1-2)."""
    with db.session() as s:
        create_ward(
            s,
            FACILITY,
            "NOI",
            "Khoa Nội - Hóa trị",
            "KNOI",
            {
                "Buồng 101": ["NOI-101-1", "NOI-101-2", "NOI-101-3"],
                "Buồng 102": ["NOI-102-1", "NOI-102-2", "NOI-102-3"],
            },
        )
        create_ward(
            s, FACILITY, "NGOAI", "Khoa Ngoại", "KNGOAI", {"Buồng 201": ["NG-201-1", "NG-201-2"]}
        )


def new_patient(
    s: Session,
    full_name: str,
    birth: date,
    sex: str,
    *,
    cccd: str | None = None,
    passport: str | None = None,
    nationality: str = "VN",
    address: str | None = None,
) -> Patient:
    n = next_value(s, "test-patient")
    patient = Patient(
        facility_code=FACILITY,
        mrn=f"2026{n:06d}",
        full_name=full_name,
        name_folded=fold(full_name),
        date_of_birth=birth,
        birth_year=birth.year,
        sex=sex,
        nationality=nationality,
        address=address,
    )
    s.add(patient)
    s.flush()
    for kind, value in (("cccd", cccd), ("passport", passport)):
        if value:
            s.add(
                PatientIdentifier(
                    facility_code=FACILITY, patient_id=patient.id, kind=kind, value=value
                )
            )
    s.flush()
    return patient


def new_visit(s: Session, patient: Patient, arrival_mode: str = "self_referred") -> Visit:
    n = next_value(s, "test-visit")
    visit = Visit(
        facility_code=FACILITY,
        # Not reception's numbering (yymmdd + 5 digits): a direct admission numbers its own.
        visit_number=f"T{n:05d}",
        patient_id=patient.id,
        registered_by="letan.hoa",
        arrival_mode=arrival_mode,
    )
    s.add(visit)
    s.flush()
    return visit


def conclude_admit(db: Database, visit_id: int, icd: str = "C50.9") -> None:
    """The outpatient doctor examines, diagnoses and concludes "admit"."""
    with db.session() as s:
        examination.start_examination(s, DOCTOR, visit_id, reason="Khối u vú trái")
    with db.session() as s:
        examination.set_diagnoses(s, DOCTOR, visit_id, icd, [])
    with db.session() as s:
        examination.conclude(s, DOCTOR, visit_id, examination.ConclusionInput(conclusion="admit"))


def seed_hospital(db: Database) -> Patients:
    seed_staff(db)
    seed_wards(db)
    with db.session() as s:
        an = new_patient(
            s,
            "Nguyễn Văn An",
            date(1970, 3, 14),
            "male",
            cccd="048070001234",
            address="12 Lê Duẩn, Hải Châu, Đà Nẵng",
        )
        an_visit = new_visit(s, an)
        binh = new_patient(
            s,
            "Trần Thị Bình",
            date(1985, 11, 2),
            "female",
            passport="KOR:M12345678",
            nationality="KR",
            address="Khách sạn Biển Xanh, Sơn Trà, Đà Nẵng",
        )
        cuong = new_patient(s, "Lê Văn Cường", date(1990, 1, 5), "male", cccd="048090001111")
        cuong_visit = new_visit(s, cuong)
        ids = Patients(an.id, an_visit.id, binh.id, cuong_visit.id)
    conclude_admit(db, ids.an_visit)
    return ids
