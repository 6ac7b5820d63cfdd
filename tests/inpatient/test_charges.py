"""A stay's encounter, bed days, supplies and its bill with the inpatient rules."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import select, update

from smarthis.billing import invoices
from smarthis.billing.models import Charge
from smarthis.billing.payments import collect_at_counter
from smarthis.clinical.models import Visit
from smarthis.db import Database, utcnow
from smarthis.errors import Conflict
from smarthis.inpatient import service
from smarthis.inpatient.bed_day_rule import local_day
from smarthis.inpatient.bed_days import charge_bed_days
from smarthis.inpatient.charge_models import BedDay, SupplyUse
from smarthis.inpatient.models import BedMovement, Stay
from smarthis.inpatient.supplies import cancel_supply_use, record_supply_use
from smarthis.insurance import copay
from smarthis.orders.service import place_order
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.permissions import Role
from tests.inpatient.helpers import DOCTOR, NURSE, Patients, new_patient, staff

CASHIER = staff("tn.ha", Role.CASHIER, 7)
CARD = "DN4480123456789"  # benefit level 4: 80 %


def _admit(db: Database, **given) -> int:
    with db.session() as s:
        return service.admit(s, DOCTOR, service.AdmissionInput(**given)).id


def _discharge(db: Database, stay_id: int, kind: str = "recovered_or_improved") -> None:
    given = service.DischargeInput(kind=kind, summary="Hóa trị phác đồ AC, dung nạp tốt")
    with db.session() as s:
        service.discharge(s, DOCTOR, stay_id, given)


def _backdate(db: Database, stay_id: int, delta: timedelta) -> None:
    """The patient came in `delta` ago (admission and its bed movement)."""
    with db.session() as s:
        stay = s.get(Stay, stay_id)
        assert stay is not None
        stay.admitted_at = utcnow() - delta
        s.execute(
            update(BedMovement)
            .where(BedMovement.stay_id == stay_id)
            .values(moved_at=stay.admitted_at)
        )


def _charges(db: Database, kind: str, status: str = "active") -> list[Charge]:
    with db.session() as s:
        rows = s.execute(
            select(Charge)
            .where(Charge.source_kind == kind, Charge.status == status)
            .order_by(Charge.id)
        ).scalars()
        return [s.expunge(c) or c for c in rows]  # type: ignore[func-returns-value]


def test_a_direct_admission_opens_its_encounter(db: Database, ward: Patients) -> None:
    with db.session() as s:
        carded = new_patient(s, "Phan Văn Dũng", utcnow().date().replace(year=1960), "male")
        carded.bhyt_code = CARD
        carded_id = carded.id
    emergency = _admit(
        db, ward_code="NOI", admitted_from="emergency", patient_id=ward.binh, icd_code="K35.8"
    )
    referral = _admit(
        db, ward_code="NOI", admitted_from="referral", patient_id=carded_id, icd_code="C50.9"
    )
    with db.session() as s:
        for stay_id, mode, category, insured in (
            (emergency, "emergency", "9", False),  # no card: self-paid, as reception does
            (referral, "referral", "1.3", True),
        ):
            stay = s.get(Stay, stay_id)
            assert stay is not None and stay.visit_id is not None
            visit = s.get(Visit, stay.visit_id)
            assert visit is not None and visit.patient_id == stay.patient_id
            assert (visit.arrival_mode, visit.proposed_category) == (mode, category)
            assert visit.uses_insurance is insured
            assert visit.status == "admitted"
        referred = s.get(Visit, s.get(Stay, referral).visit_id)  # type: ignore[union-attr]
        assert referred.bhyt_code == CARD  # type: ignore[union-attr]
        assert referred.card_check_status != "not_requested"  # type: ignore[union-attr]


def test_an_outpatient_admission_keeps_its_visit(db: Database, ward: Patients) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with db.session() as s:
        assert s.get(Stay, stay_id).visit_id == ward.an_visit  # type: ignore[union-attr]


def test_bed_days_are_charged_once_up_to_today_then_at_discharge(
    db: Database, ward: Patients
) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-1")
    _backdate(db, stay_id, timedelta(days=3))  # same hour: any time of day
    with db.session() as s:
        first = charge_bed_days(s, NURSE, s.get(Stay, stay_id))  # type: ignore[arg-type]
        assert len(first) == 3  # the three days that have ended
    with db.session() as s:
        assert charge_bed_days(s, NURSE, s.get(Stay, stay_id)) == []  # type: ignore[arg-type]
    _discharge(db, stay_id)  # rule b: the discharge day is not charged
    charged = _charges(db, "bed_day")
    assert len(charged) == 3
    assert {(c.item_code, c.cost_group, c.hospital_price_vnd) for c in charged} == {
        ("NG-NOI-L1", 15, 320000)
    }
    assert all(c.visit_id == ward.an_visit for c in charged)
    with db.session() as s:
        rows = s.execute(select(BedDay).where(BedDay.stay_id == stay_id)).scalars().all()
        today = local_day(utcnow())
        assert sorted(r.day for r in rows) == [today - timedelta(days=n) for n in (3, 2, 1)]


def test_a_transfer_out_charges_the_discharge_day_too(db: Database, ward: Patients) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    _backdate(db, stay_id, timedelta(days=2))
    _discharge(db, stay_id, kind="transferred")
    assert len(_charges(db, "bed_day")) == 3


def test_a_short_stay_takes_back_a_day_charged_by_the_running_bill(
    db: Database, ward: Patients
) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    _backdate(db, stay_id, timedelta(hours=3))
    with db.session() as s:  # pretend the running bill charged a day (e.g. across midnight)
        stay = s.get(Stay, stay_id)
        s.add(
            BedDay(
                facility_code=stay.facility_code,  # type: ignore[union-attr]
                stay_id=stay_id,
                ward_id=stay.ward_id,  # type: ignore[union-attr]
                day=local_day(utcnow()) - timedelta(days=5),
                service_code="NG-NOI-L1",
            )
        )
    _discharge(db, stay_id)  # under 4 hours: no bed day at all
    with db.session() as s:
        assert s.execute(select(BedDay).where(BedDay.stay_id == stay_id)).first() is None


def test_supply_use_charges_and_cancel_cancels_the_charge(db: Database, ward: Patients) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with db.session() as s:
        use = record_supply_use(s, NURSE, stay_id, "vt-kim-port", 2)
        use_id = use.id
    (charge,) = _charges(db, "supply")
    assert (charge.source_id, charge.item_code, charge.national_code) == (
        use_id,
        "VT-KIM-PORT",
        "N03.05.080",
    )
    assert (charge.quantity, charge.cost_group, charge.ratio_insurance) == (2, 11, 50)
    with db.session() as s:
        cancel_supply_use(s, NURSE, use_id, "Ghi nhầm người bệnh")
    assert _charges(db, "supply") == []
    assert len(_charges(db, "supply", "cancelled")) == 1
    with db.session() as s, pytest.raises(Conflict) as twice:
        cancel_supply_use(s, NURSE, use_id, "lần nữa")
    assert twice.value.code == "supply_use_cancelled"


def test_supplies_are_refused_after_discharge(db: Database, ward: Patients) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with db.session() as s:
        use_id = record_supply_use(s, NURSE, stay_id, "VT-GAC-10X10", 3).id
    _discharge(db, stay_id)
    with db.session() as s, pytest.raises(Conflict) as late:
        record_supply_use(s, NURSE, stay_id, "VT-GAC-10X10", 1)
    assert late.value.code == "supply_after_discharge"
    assert late.value.status_code == 409
    assert "ra viện" in late.value.message_vi
    with db.session() as s, pytest.raises(Conflict):
        cancel_supply_use(s, NURSE, use_id, "sau ra viện")
    with db.session() as s:
        assert s.get(SupplyUse, use_id).status == "active"  # type: ignore[union-attr]


def test_the_stays_visit_is_billed_with_the_inpatient_rules(db: Database, ward: Patients) -> None:
    with db.session() as s:
        visit = s.get(Visit, ward.an_visit)
        assert visit is not None
        visit.uses_insurance, visit.bhyt_code = True, CARD
        visit.card_check_status = "verified"
        visit.confirmed_category = "1.18"  # self-referred outpatient, former provincial
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with db.session() as s:
        record_supply_use(s, NURSE, stay_id, "VT-DAY-TRUYEN", 4)
        assert s.get(Visit, ward.an_visit).confirmed_category == "3.2"  # type: ignore[union-attr]
    with db.session() as s:
        invoice = invoices.current_invoice(s, CASHIER, ward.an_visit)
        assert invoice is not None
        assert (invoice.category, invoice.muc_huong) == ("3.2", 80)  # 80 % × route 100 %
        visit = s.get(Visit, ward.an_visit)
        basis = invoices.split_basis(s, visit)  # type: ignore[arg-type]
        assert basis.inpatient is True
        charges = invoices.active_charges(s, ward.an_visit)
        as_outpatient = replace(basis, inpatient=False, category="1.18")
        outpatient = invoices.engine_visit(as_outpatient, charges)
        assert copay.split_visit(outpatient).muc_huong < 80  # the outpatient route share
        lines = invoices.lines_of(s, invoice.id)
        supply_line = next(line for line in lines if line.cost_group == 10)
        assert supply_line.fund_pays == 4 * 8000 * 80 // 100
        assert supply_line.explanation_vi


def test_tests_ordered_from_a_direct_admissions_record_are_charged_to_its_stay(
    db: Database, ward: Patients
) -> None:
    with db.session() as s:
        create_area(s, "48001", "CLS", "Khu cận lâm sàng")
        create_service_point(
            s,
            "48001",
            code="XN-01",
            name="Phòng lấy mẫu xét nghiệm",
            kind="lab",
            area_code="CLS",
            prefix="X",
            queue_group="XN",
            room_label="110",
            floor="Tầng 1",
            default_service_minutes=5,
        )
    stay_id = _admit(
        db, ward_code="NOI", admitted_from="emergency", patient_id=ward.binh, icd_code="K35.8"
    )
    with db.session() as s:
        visit_id = s.get(Stay, stay_id).visit_id  # type: ignore[union-attr]
        assert visit_id is not None
        place_order(s, DOCTOR, visit_id, ["XN-GLU"])
    (charge,) = _charges(db, "order_item")
    assert (charge.visit_id, charge.item_code) == (visit_id, "XN-GLU")


def test_the_ward_and_the_cashier_charging_at_once_charge_each_day_once(
    db: Database, ward: Patients
) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    _backdate(db, stay_id, timedelta(days=2))
    start = Barrier(2)

    def ward_button() -> int:
        start.wait()
        with db.session() as s:
            return len(charge_bed_days(s, NURSE, s.get(Stay, stay_id)))  # type: ignore[arg-type]

    def cashier_opens_the_bill() -> int:
        start.wait()
        with db.session() as s:
            invoices.current_invoice(s, CASHIER, ward.an_visit)
        return 0

    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(ward_button), pool.submit(cashier_opens_the_bill)]
        for job in jobs:
            job.result()  # neither raises
    assert len(_charges(db, "bed_day")) == 2


def test_a_paid_supply_is_refunded_not_cancelled(db: Database, ward: Patients) -> None:
    stay_id = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with db.session() as s:
        use_id = record_supply_use(s, NURSE, stay_id, "VT-BANG-DINH", 1).id
    with db.session() as s:
        invoice = invoices.current_invoice(s, CASHIER, ward.an_visit)
        assert invoice is not None
        collect_at_counter(s, CASHIER, invoice.id, "cash", invoice.amount_due)
    with db.session() as s, pytest.raises(Conflict) as paid:
        cancel_supply_use(s, NURSE, use_id, "Ghi nhầm")
    assert paid.value.code == "supply_use_paid"
    assert len(_charges(db, "supply")) == 1
