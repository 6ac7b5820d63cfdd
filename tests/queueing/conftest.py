"""A small examination and imaging floor for queue tests."""

from __future__ import annotations

import pytest

from smarthis.db import Database
from smarthis.queueing.setup import create_area, create_service_point

FACILITY = "48001"


@pytest.fixture
def floor(db: Database) -> Database:
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khu khám bệnh")
        create_area(s, FACILITY, "CDHA", "Khu chẩn đoán hình ảnh")
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
                floor="Tầng 1",
            )
        create_service_point(
            s,
            FACILITY,
            code="SA-01",
            name="Phòng siêu âm 1",
            kind="ultrasound",
            area_code="CDHA",
            prefix="S",
            room_label="201",
            floor="Tầng 2",
        )
        create_service_point(
            s,
            FACILITY,
            code="TN-01",
            name="Quầy thu ngân 1",
            kind="cashier",
            area_code="KKB",
            prefix="T",
            room_label="",
        )
    return db
