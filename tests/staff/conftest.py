"""Two examination rooms, a department and three staff members for the staff tests."""

from __future__ import annotations

import pytest

from smarthis.db import Database
from smarthis.facility.models import Department
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security

FACILITY = "48001"


@pytest.fixture
def hospital(db: Database) -> Database:
    with db.session() as s:
        s.add(
            Department(facility_code=FACILITY, code="KKB", name="Khoa Khám bệnh", kind="clinical")
        )
        create_area(s, FACILITY, "KKB", "Khu khám bệnh")
        for code, label in (("PK-102", "102"), ("PK-103", "103")):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=f"Phòng khám Ung bướu vú {label}",
                kind="examination",
                specialty="Ung bướu vú",
                area_code="KKB",
                prefix="B",
                queue_group="VU",
                room_label=label,
            )
        for login, name, role in (
            ("bs.lan", "Nguyễn Thị Lan", "doctor"),
            ("bs.minh", "Trần Văn Minh", "doctor"),
            ("dd.hoa", "Lê Thị Hoa", "nurse"),
        ):
            security.create_staff(
                s,
                facility_code=FACILITY,
                login=login,
                full_name=name,
                role=role,
                password="correct-horse-42",
            )
    return db
