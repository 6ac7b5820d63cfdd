"""Test data for the LIS link: a lab sampling room and patients with visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import Database
from smarthis.integrations.outbox import OutboxMessage
from smarthis.orders import service
from smarthis.orders.models import LabResult, OrderItem
from smarthis.patients.models import Patient
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal

FACILITY = "48001"
DOCTOR = Principal(
    kind="staff",
    id=1,
    name="bs.nam",
    display_name="BS Nam",
    role=Role.DOCTOR,
    facility_code=FACILITY,
)


@dataclass
class LabHospital:
    db: Database

    def visit(
        self,
        full_name: str = "Nguyễn Văn An",
        birth: date = date(1965, 3, 15),
        sex: str = "male",
        emergency: bool = False,
    ) -> int:
        with self.db.session() as s:
            n = next_value(s, "test-patient")
            patient = Patient(
                facility_code=FACILITY,
                mrn=f"2026{n:06d}",
                full_name=full_name,
                name_folded=full_name.lower(),
                date_of_birth=birth,
                birth_year=birth.year,
                sex=sex,
            )
            s.add(patient)
            s.flush()
            visit = Visit(
                facility_code=FACILITY,
                visit_number=f"261126{n:05d}",
                patient_id=patient.id,
                registered_by="letan.hoa",
                arrival_mode="emergency" if emergency else "self_referred",
            )
            s.add(visit)
            s.flush()
            return visit.id

    def order(self, visit_id: int, codes: list[str]) -> service.PlacedOrder:
        with self.db.session() as s:
            return service.place_order(s, DOCTOR, visit_id, codes)

    def outbox(self) -> list[OutboxMessage]:
        with self.db.session() as s:
            return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())

    def results(self, item_id: int) -> dict[str, LabResult]:
        with self.db.session() as s:
            return {r.analyte_code: r for r in service.current_results(s, item_id)}

    def item(self, item_id: int) -> OrderItem:
        with self.db.session() as s:
            item = s.get(OrderItem, item_id)
            assert item is not None
            return item


def make_lab_hospital(db: Database) -> LabHospital:
    with db.session() as s:
        create_area(s, FACILITY, "CLS", "Khu cận lâm sàng")
        for code, label, prefix, kind in (
            ("XN-01", "110", "X", "lab"),
            ("XQ-01", "201", "Q", "xray"),
        ):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=f"Phòng {label}",
                kind=kind,
                area_code="CLS",
                prefix=prefix,
                queue_group=code,
                room_label=label,
                floor="Tầng 1",
                default_service_minutes=5,
            )
    return LabHospital(db)
