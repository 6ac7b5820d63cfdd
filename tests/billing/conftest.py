"""A small hospital for billing tests: an examination room, lab, X-ray and CT rooms, and
patients with visits (insured with a verified card, or self-paying) the doctor works on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from smarthis.billing import invoices
from smarthis.billing.models import Invoice
from smarthis.clinical import examination
from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.pharmacy import service as pharmacy
from smarthis.queueing import service as queue
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from smarthis.text import fold

FACILITY = "48001"
CCCD = "048065001234"
CCCD_QR = f"{CCCD}|123456789|Nguyễn Văn An|15031965|Nam|Phường Hòa Minh, Đà Nẵng|15082021"
BIRTH = date(1965, 3, 15)
# Group DN, benefit level 4 (80%), issued in province 48.
BHYT_CODE = "DN4480123456789"


def staff(name: str, role: Role, id_: int = 1) -> Principal:
    return Principal(
        kind="staff", id=id_, name=name, display_name=name, role=role, facility_code=FACILITY
    )


DOCTOR = staff("bs.nam", Role.DOCTOR, 1)
CASHIER = staff("tn.lan", Role.CASHIER, 2)
CASHIER_2 = staff("tn.hoa", Role.CASHIER, 3)


@dataclass
class Hospital:
    db: Database
    visit_id: int
    patient_id: int
    ticket_token: str


def _rooms(s) -> None:
    create_area(s, FACILITY, "KKB", "Khu khám bệnh")
    for code, kind, prefix, specialty in (
        ("PK-101", "examination", "C", "Ung bướu đầu cổ"),
        ("XN-01", "lab", "X", None),
        ("XQ-01", "xray", "Q", None),
        ("CT-01", "ct", "T", None),
    ):
        create_service_point(
            s,
            FACILITY,
            code=code,
            name=f"Phòng {code}",
            kind=kind,
            area_code="KKB",
            prefix=prefix,
            queue_group=code,
            room_label=code[-3:],
            specialty=specialty,
            default_service_minutes=5,
        )


def add_patient_visit(
    s, *, insured: bool, full_name: str = "Nguyễn Văn An", cccd: str | None = CCCD
) -> tuple[int, int, str]:
    n = next_value(s, "test-patient")
    patient = Patient(
        facility_code=FACILITY,
        mrn=f"2026{n:06d}",
        full_name=full_name,
        name_folded=fold(full_name),
        date_of_birth=BIRTH,
        birth_year=BIRTH.year,
        sex="male",
    )
    s.add(patient)
    s.flush()
    if cccd:
        s.add(
            PatientIdentifier(
                facility_code=FACILITY, patient_id=patient.id, kind="cccd", value=cccd
            )
        )
    visit = Visit(
        facility_code=FACILITY,
        visit_number=f"261126{n:05d}",
        patient_id=patient.id,
        registered_by="letan.hoa",
        arrival_mode="self_referred",
        uses_insurance=insured,
        bhyt_code=BHYT_CODE if insured else None,
        card_check_status="verified" if insured else "not_requested",
        proposed_category="1.1" if insured else "9",
    )
    s.add(visit)
    s.flush()
    ticket = queue.issue_ticket(
        s,
        DOCTOR,
        queue.TicketRequest(
            point_code="PK-101", visit_id=visit.id, patient_id=patient.id, full_name=full_name
        ),
    )
    return visit.id, patient.id, ticket.lookup_token


@pytest.fixture
def hospital(db: Database) -> Hospital:
    with db.session() as s:
        _rooms(s)
        visit_id, patient_id, token = add_patient_visit(s, insured=True)
    return Hospital(db, visit_id, patient_id, token)


def start_exam(db: Database, visit_id: int) -> None:
    with db.session() as s:
        examination.start_examination(s, DOCTOR, visit_id, reason="Nổi hạch cổ")


def place(db: Database, visit_id: int, codes: list[str]) -> orders.PlacedOrder:
    with db.session() as s:
        return orders.place_order(s, DOCTOR, visit_id, codes)


def prescribe(db: Database, visit_id: int, *, issue: bool) -> None:
    with db.session() as s:
        examination.set_diagnoses(s, DOCTOR, visit_id, "C77.0", [])
        pharmacy.save_prescription(
            s,
            DOCTOR,
            visit_id,
            [
                pharmacy.ItemInput(
                    drug_code="T-PARA500",
                    quantity=20,
                    instructions="Uống 1 viên/lần × 2 lần/ngày, sau ăn",
                    days=10,
                )
            ],
            issue=issue,
        )


def current(db: Database, visit_id: int, actor: Principal = CASHIER) -> Invoice:
    with db.session() as s:
        invoice = invoices.current_invoice(s, actor, visit_id)
        assert invoice is not None
        return invoice
