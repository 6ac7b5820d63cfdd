"""A small hospital fortnight with known figures: four visits in the reported two days
(one registered at 00:30 hospital time, which is still the previous day in UTC), one the
day after, their queue calls and steps, examinations, results, payments and claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.billing.models import Payment, Refund
from smarthis.clinical.examination_models import Examination, VisitStep
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.documents.models import Document, DocumentSignature
from smarthis.facility.models import Department
from smarthis.inpatient.models import Bed, Stay, Ward
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.orders.models import LabResult, Order, OrderItem, Report
from smarthis.patients.models import Patient
from smarthis.queueing.models import Ticket
from smarthis.security import service as security
from smarthis.security.principal import system_principal
from smarthis.staff.service import save_profile

FACILITY = "48001"
D1, D2, D3 = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Hospital wall-clock time (UTC+7) as an aware UTC timestamp."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@dataclass
class Fortnight:
    db: Database


def _visit(s: Session, n: int, when: datetime, via: str) -> Visit:
    patient = Patient(
        facility_code=FACILITY, mrn=f"BN{n:04d}", full_name=f"Người bệnh {n}", name_folded=f"nb {n}"
    )
    s.add(patient)
    s.flush()
    visit = Visit(
        facility_code=FACILITY,
        visit_number=f"LK{n:04d}",
        patient_id=patient.id,
        registered_at=when,
        registered_by="kiosk-1" if via == "kiosk" else "t.le",
        registered_via=via,
        arrival_mode="self_referred",
    )
    s.add(visit)
    s.flush()
    return visit


def _called(s: Session, visit: Visit, when: datetime, number: int) -> None:
    s.add(
        Ticket(
            facility_code=FACILITY,
            service_day=when.date(),
            queue_group="VU",
            number=number,
            display_number=f"B-{number:04d}",
            service_point_code="PK-102",
            visit_id=visit.id,
            patient_id=visit.patient_id,
            status="completed",
            issued_at=visit.registered_at,
            queued_at=visit.registered_at,
            called_at=when,
            issued_via="kiosk",
            issued_by="kiosk-1",
            lookup_token=f"tok{number}",
        )
    )


def _step(s: Session, visit: Visit, step: str, when: datetime) -> None:
    s.add(VisitStep(facility_code=FACILITY, visit_id=visit.id, step=step, at=when, by="x"))


def _exam(s: Session, visit: Visit, by: str, start: datetime, end: datetime | None) -> None:
    s.add(
        Examination(
            facility_code=FACILITY,
            visit_id=visit.id,
            started_by=by,
            started_at=start,
            concluded_at=end,
            concluded_by=by if end else None,
        )
    )
    _step(s, visit, "examination_started", start)
    if end:
        _step(s, visit, "concluded", end)


def _item(s: Session, visit: Visit, ordered: datetime, kind: str) -> OrderItem:
    order = Order(
        facility_code=FACILITY,
        visit_id=visit.id,
        patient_id=visit.patient_id,
        ordered_by="bs.lan",
        ordered_at=ordered,
    )
    s.add(order)
    s.flush()
    item = OrderItem(
        facility_code=FACILITY,
        order_id=order.id,
        service_code="XN1" if kind == "lab" else "SA1",
        service_name="Công thức máu" if kind == "lab" else "Siêu âm ổ bụng",
        kind=kind,
        point_kind="lab" if kind == "lab" else "ultrasound",
        status="verified",
        hospital_price_vnd=50000,
    )
    s.add(item)
    s.flush()
    return item


def _lab(s: Session, item: OrderItem, patient_id: int, verified: datetime, by: str) -> None:
    s.add(
        LabResult(
            facility_code=FACILITY,
            order_item_id=item.id,
            patient_id=patient_id,
            analyte_code=f"A{verified.minute}",
            value_text="5",
            unit="g/L",
            flag="normal",
            entered_by="ktv.an",
            verified_by=by,
            verified_at=verified,
        )
    )


def _claim(s: Session, visit: Visit, document: str, status: str, created: datetime) -> None:
    s.add(
        ClaimSubmission(
            facility_code=FACILITY,
            visit_id=visit.id,
            document=document,
            ma_lk=visit.visit_number,
            status=status,
            xml_digest="0" * 64,
            payload="<x/>",
            created_at=created,
        )
    )


def _pay(s: Session, when: datetime, method: str, amount: int, applied: bool = True) -> Payment:
    payment = Payment(
        facility_code=FACILITY,
        method=method,
        amount_vnd=amount,
        applied=applied,
        status="confirmed" if applied else "needs_review",
        received_at=when,
        received_by="t.cashier",
    )
    s.add(payment)
    s.flush()
    return payment


@pytest.fixture
def fortnight(db: Database) -> Fortnight:
    admin = system_principal(FACILITY, source="test")
    with db.session() as s:
        for code, name in (("KKB", "Khoa Khám bệnh"), ("XN", "Khoa Xét nghiệm")):
            s.add(Department(facility_code=FACILITY, code=code, name=name, kind="clinical"))
        for login, name, role, department in (
            ("bs.lan", "Nguyễn Thị Lan", "doctor", None),
            ("bs.minh", "Trần Văn Minh", "doctor", None),
            ("ktv.an", "Phạm Văn An", "lab_technician", None),
            ("bs.cdha", "Đỗ Thị Hằng", "radiologist", "CDHA"),
        ):
            security.create_staff(
                s,
                facility_code=FACILITY,
                login=login,
                full_name=name,
                role=role,
                password="correct-horse-42",
                department_code=department,
            )
        s.flush()
        save_profile(
            s,
            admin,
            "bs.lan",
            title="BSCKI",
            department_code="KKB",
            specialty=None,
            certificate_number="000123/BYT-CCHN",
        )
        save_profile(
            s,
            admin,
            "ktv.an",
            title="KTV",
            department_code="XN",
            specialty=None,
            certificate_number=None,
        )

        v1 = _visit(s, 1, at(D1, 8, 0), "kiosk")
        v2 = _visit(s, 2, at(D1, 9, 0), "reception")
        _visit(s, 3, at(D1, 0, 30), "kiosk")  # 17:30 UTC on D1 - 1
        v4 = _visit(s, 4, at(D2, 23, 30), "reception")  # 16:30 UTC, still D2
        v5 = _visit(s, 5, at(D3, 8, 0), "kiosk")  # outside the range
        _called(s, v1, at(D1, 8, 10), 1)
        _called(s, v2, at(D1, 9, 30), 2)
        _step(s, v4, "called", at(D2, 23, 50))  # a workstation's "called" step counts too
        _called(s, v5, at(D3, 9, 0), 3)
        _exam(s, v1, "bs.lan", at(D1, 8, 20), at(D1, 8, 35))
        _exam(s, v2, "bs.lan", at(D1, 9, 40), at(D1, 10, 10))
        _exam(s, v4, "bs.minh", at(D2, 23, 55), None)
        _exam(s, v5, "bs.minh", at(D3, 9, 5), at(D3, 9, 15))
        _step(s, v1, "paid", at(D1, 8, 50))

        i1 = _item(s, v1, at(D1, 8, 25), "lab")
        _lab(s, i1, v1.patient_id, at(D1, 9, 25), "ktv.an")  # 60 min: the first counts
        _lab(s, i1, v1.patient_id, at(D1, 9, 40), "ktv.an")
        i2 = _item(s, v1, at(D1, 8, 25), "ultrasound")
        s.add(
            Report(
                facility_code=FACILITY,
                order_item_id=i2.id,
                patient_id=v1.patient_id,
                technique="-",
                findings="-",
                conclusion="-",
                entered_by="bs.cdha",
                verified_by="bs.cdha",
                verified_at=at(D1, 10, 25),  # 120 min
            )
        )
        i3 = _item(s, v2, at(D1, 9, 45), "lab")
        _lab(s, i3, v2.patient_id, at(D1, 10, 15), "ktv.an")  # 30 min
        _item(s, v2, at(D1, 9, 45), "lab")  # not verified yet: no turnaround

        cash = _pay(s, at(D1, 8, 45), "cash", 100_000)
        _pay(s, at(D1, 8, 50), "vietqr", 50_000)
        _pay(s, at(D1, 11, 0), "vietqr", 30_000, applied=False)  # waits for the cashier
        _pay(s, at(D2, 23, 45), "card", 200_000)
        _pay(s, at(D3, 9, 0), "cash", 999_000)
        s.add(
            Refund(
                facility_code=FACILITY,
                payment_id=cash.id,
                amount_vnd=20_000,
                method="cash",
                reason="Huỷ dịch vụ",
                refunded_at=at(D2, 10, 0),
                refunded_by="t.cashier",
            )
        )

        _claim(s, v1, "claim", "accepted", at(D1, 12, 0))
        _claim(s, v2, "claim", "accepted", at(D1, 12, 0))
        _claim(s, v4, "claim", "rejected", at(D2, 23, 59))
        _claim(s, v1, "checkin", "pending", at(D1, 8, 1))
        _claim(s, v5, "claim", "accepted", at(D3, 12, 0))

        ward = Ward(facility_code=FACILITY, code="NOI-1", name="Nội 1", department_code="NOI")
        s.add(ward)
        s.flush()
        for code, status in (
            ("G1", "occupied"),
            ("G2", "occupied"),
            ("G3", "available"),
            ("G4", "out_of_service"),
        ):
            s.add(
                Bed(facility_code=FACILITY, ward_id=ward.id, code=code, room="101", status=status)
            )
        s.flush()
        _stays(s, ward.id, v1.patient_id, v2.patient_id)
        _documents(s, v1.patient_id)
    return Fortnight(db)


def _stays(s: Session, ward_id: int, first_patient: int, second_patient: int) -> None:
    """G1 holds a patient since the day before the range (2 bed-days inside it); G2 one
    from noon of D1 to midnight after it (half a day)."""
    beds = {b.code: b.id for b in s.execute(select(Bed).where(Bed.ward_id == ward_id)).scalars()}
    for n, (patient, bed, admitted, discharged) in enumerate(
        (
            (first_patient, "G1", at(D1 - timedelta(days=1), 12), None),
            (second_patient, "G2", at(D1, 12), at(D2, 0)),
        )
    ):
        s.add(
            Stay(
                facility_code=FACILITY,
                stay_number=f"NT{n}",
                patient_id=patient,
                admitted_at=admitted,
                admitted_by="bs.lan",
                admitted_from="outpatient",
                ward_id=ward_id,
                bed_id=beds[bed],
                attending_doctor="bs.lan",
                admission_icd_code="C50.9",
                admission_diagnosis="U ác vú",
                status="admitted" if discharged is None else "discharged",
                discharged_at=discharged,
            )
        )


def _documents(s: Session, patient_id: int) -> None:
    """bs.lan signs one paper within the day and one 25 hours late; bs.minh leaves one
    unsigned past its deadline and signs another at once."""
    for n, (author, filed, signed) in enumerate(
        (
            ("bs.lan", at(D1, 9), at(D1, 10)),
            ("bs.lan", at(D1, 9), at(D2, 10)),
            ("bs.minh", at(D2, 8), None),
            ("bs.minh", at(D2, 9), at(D2, 9, 30)),
        )
    ):
        document = Document(
            facility_code=FACILITY,
            patient_id=patient_id,
            kind="visit_record",
            title="Phiếu khám bệnh",
            series_key=f"series-{n}",
            version=1,
            sha256="0" * 64,
            original_sha256="0" * 64,
            size_bytes=1,
            pdf=b"%",
            created_by=author,
            created_at=filed,
        )
        s.add(document)
        s.flush()
        if signed is not None:
            s.add(
                DocumentSignature(
                    facility_code=FACILITY,
                    document_id=document.id,
                    position=1,
                    field_name="bac_si",
                    staff_login=author,
                    signer_name=author,
                    capacity="doctor",
                    signed_at=signed,
                    certificate_serial="01",
                    signed_length=1,
                )
            )
