"""An imaging department for the DICOM tests: CT, MRI, X-ray and lab rooms, patients with
visits, and orders placed through the real orders service."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.patients.models import Patient
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from smarthis.text import fold

FACILITY = "48001"
ROOMS = (
    # code, name, kind, room label, prefix
    ("CT-01", "Phòng chụp CT", "ct", "206", "CT"),
    ("MRI-01", "Phòng chụp cộng hưởng từ", "mri", "207", "M"),
    ("XQ-01", "Phòng X-quang 1", "xray", "204", "Q"),
    ("XN-01", "Phòng lấy mẫu xét nghiệm", "lab", "110", "X"),
)
CT_SERVICE = "CT-NGUC-CQ"
MRI_SERVICE = "MRI-SN-CQ"
XRAY_SERVICE = "XQ-NGUC"
LAB_SERVICE = "XN-GLU"


def staff(name: str, role: Role, id_: int) -> Principal:
    return Principal(
        kind="staff", id=id_, name=name, display_name=name, role=role, facility_code=FACILITY
    )


DOCTOR = staff("bs.lan", Role.DOCTOR, 1)


def build_rooms(session: Session) -> None:
    create_area(session, FACILITY, "CDHA", "Khoa chẩn đoán hình ảnh")
    for code, name, kind, label, prefix in ROOMS:
        create_service_point(
            session,
            FACILITY,
            code=code,
            name=name,
            kind=kind,
            area_code="CDHA",
            prefix=prefix,
            queue_group=code,
            room_label=label,
            floor="Tầng 2",
        )


def patient_with_visit(
    session: Session, full_name: str, birth: date | None = date(1972, 8, 19), sex: str = "female"
) -> tuple[int, str]:
    """(visit id, MRN)."""
    n = next_value(session, "test-patient")
    patient = Patient(
        facility_code=FACILITY,
        mrn=f"2026{n:06d}",
        full_name=full_name,
        name_folded=fold(full_name),
        date_of_birth=birth,
        birth_year=birth.year if birth else None,
        sex=sex,
    )
    session.add(patient)
    session.flush()
    visit = Visit(
        facility_code=FACILITY,
        visit_number=f"261126{n:05d}",
        patient_id=patient.id,
        registered_by="letan.hoa",
        arrival_mode="self_referred",
    )
    session.add(visit)
    session.flush()
    return visit.id, patient.mrn


def place(db: Database, visit_id: int, codes: list[str]) -> orders.PlacedOrder:
    with db.session() as session:
        return orders.place_order(session, DOCTOR, visit_id, codes)
