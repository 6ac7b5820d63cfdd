"""A small hospital with one of everything (patient, visit, ticket, order, invoice, payment),
so generated requests that name a real id reach the rules behind the 404s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from smarthis.billing import invoices, payments
from smarthis.clinical import examination
from smarthis.clinical.models import Visit
from smarthis.clinical.service import _visit_number
from smarthis.db import Database
from smarthis.orders import service as orders
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.patients.service import _new_mrn
from smarthis.queueing import service as queue
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from smarthis.text import fold
from tests.apphelpers import FACILITY

AREA = "KKB"
EXAM_ROOM = "PK-101"
LAB_ROOM = "XN-01"
BHYT_CODE = "DN4480123456789"  # group DN, benefit level 4 (80%), issued in province 48
DOCTOR = Principal("staff", 1, "t.doctor", "BS Thử", Role.DOCTOR, FACILITY)
CASHIER = Principal("staff", 2, "t.cashier", "TN Thử", Role.CASHIER, FACILITY)


@dataclass(frozen=True)
class SeededIds:
    patient_id: int
    visit_id: int
    ticket_id: int
    order_id: int
    item_id: int
    invoice_id: int
    payment_id: int

    def path_values(self) -> dict[str, int | str]:
        """Path parameter name -> a value naming a real row (logins are left out on purpose:
        a generated request could disable the staff member whose token the test uses)."""
        return {
            "patient_id": self.patient_id,
            "visit_id": self.visit_id,
            "ticket_id": self.ticket_id,
            "order_id": self.order_id,
            "item_id": self.item_id,
            "invoice_id": self.invoice_id,
            "payment_id": self.payment_id,
            "code": EXAM_ROOM,
            "point_code": LAB_ROOM,
            "area": AREA,
        }


def _rooms(session: Session) -> None:
    create_area(session, FACILITY, AREA, "Khu khám bệnh")
    for code, kind, prefix in ((EXAM_ROOM, "examination", "C"), (LAB_ROOM, "lab", "X")):
        create_service_point(
            session,
            FACILITY,
            code=code,
            name=f"Phòng {code}",
            kind=kind,
            area_code=AREA,
            prefix=prefix,
            queue_group=code,
            room_label=code[-3:],
            default_service_minutes=5,
        )


def _patient_and_visit(session: Session) -> tuple[int, int]:
    # Numbers from the app's own counters: generated registrations come after these rows.
    patient = Patient(
        facility_code=FACILITY,
        mrn=_new_mrn(session, FACILITY),
        full_name="Nguyễn Văn An",
        name_folded=fold("Nguyễn Văn An"),
        date_of_birth=date(1965, 3, 15),
        birth_year=1965,
        sex="male",
    )
    session.add(patient)
    session.flush()
    session.add(
        PatientIdentifier(
            facility_code=FACILITY, patient_id=patient.id, kind="cccd", value="048065001234"
        )
    )
    visit = Visit(
        facility_code=FACILITY,
        visit_number=_visit_number(session, FACILITY),
        patient_id=patient.id,
        registered_by="t.receptionist",
        arrival_mode="self_referred",
        uses_insurance=True,
        bhyt_code=BHYT_CODE,
        card_check_status="verified",
        proposed_category="1.1",
    )
    session.add(visit)
    session.flush()
    return patient.id, visit.id


def seed_hospital(db: Database) -> SeededIds:
    with db.session() as session:
        _rooms(session)
        patient_id, visit_id = _patient_and_visit(session)
        ticket = queue.issue_ticket(
            session,
            DOCTOR,
            queue.TicketRequest(
                point_code=EXAM_ROOM,
                visit_id=visit_id,
                patient_id=patient_id,
                full_name="Nguyễn Văn An",
            ),
        )
        examination.start_examination(session, DOCTOR, visit_id, reason="Sốt ba ngày")
        placed = orders.place_order(session, DOCTOR, visit_id, ["XN-GLU"])
        invoice = invoices.current_invoice(session, CASHIER, visit_id)
        assert invoice is not None, "the order's charge makes an invoice"
        payment = payments.collect_at_counter(
            session, CASHIER, invoice.id, "cash", payments.remaining(invoice)
        )
        return SeededIds(
            patient_id=patient_id,
            visit_id=visit_id,
            ticket_id=ticket.id,
            order_id=placed.order.id,
            item_id=placed.items[0].id,
            invoice_id=invoice.id,
            payment_id=payment.id,
        )
