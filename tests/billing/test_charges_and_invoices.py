"""Charges appear when the examination starts, services are ordered and a prescription is
issued; the invoice splits them exactly as the co-payment engine does, is numbered without
gaps, follows its charges until paid and never changes afterwards."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from smarthis.billing import invoices, payments
from smarthis.billing.charges import charges_of_visit
from smarthis.billing.models import Invoice
from smarthis.clinical.models import Visit
from smarthis.insurance.copay import split_visit
from smarthis.orders.models import OrderItem
from tests.billing.conftest import (
    CASHIER,
    CASHIER_2,
    Hospital,
    add_patient_visit,
    current,
    place,
    prescribe,
    start_exam,
)


def _charges(h: Hospital) -> list[tuple[str, str, str, int, int]]:
    with h.db.session() as s:
        return [
            (c.source_kind, c.item_code, c.status, c.hospital_price_vnd, c.cost_group)
            for c in charges_of_visit(s, h.visit_id)
        ]


def test_examination_orders_and_issued_prescription_become_charges(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    start_exam(hospital.db, hospital.visit_id)  # starting twice charges once
    assert _charges(hospital) == [("examination", "KB-UB", "active", 45000, 13)]
    place(hospital.db, hospital.visit_id, ["XN-GLU", "XQ-NGUC"])
    prescribe(hospital.db, hospital.visit_id, issue=False)
    assert [c[1] for c in _charges(hospital)] == ["KB-UB", "XN-GLU", "XQ-NGUC"]  # draft: none
    prescribe(hospital.db, hospital.visit_id, issue=True)
    charges = _charges(hospital)
    assert charges[1:] == [
        ("order_item", "XN-GLU", "active", 22000, 1),
        ("order_item", "XQ-NGUC", "active", 66000, 2),
        ("drug", "T-PARA500", "active", 1000, 4),
    ]
    with hospital.db.session() as s:
        drug = charges_of_visit(s, hospital.visit_id)[-1]
        assert (drug.quantity, drug.unit, drug.in_benefit_list) == (20, "viên", True)
        assert drug.facility_code == "48001" and drug.patient_id == hospital.patient_id


def test_invoice_split_equals_the_engine(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ", "XN-GLU"])
    invoice = current(hospital.db, hospital.visit_id)
    with hospital.db.session() as s:
        visit = s.get(Visit, hospital.visit_id)
        basis = invoices.split_basis(s, visit)
        charges = charges_of_visit(s, hospital.visit_id)
        expected = split_visit(invoices.engine_visit(basis, charges))
        lines = invoices.lines_of(s, invoice.id)
    assert (basis.category, basis.benefit_level) == ("1.1", 4)
    assert invoice.muc_huong == expected.muc_huong == 80
    assert invoice.fund_pays == expected.totals.fund_pays
    assert invoice.patient_copay == expected.totals.patient_copay > 0
    assert invoice.amount_due == expected.totals.patient_copay + expected.totals.patient_self_pay
    assert [(line.fund_pays, line.patient_copay, line.explanation_vi) for line in lines] == [
        (e.fund_pays, e.patient_copay, e.explanation_vi) for e in expected.lines
    ]
    assert invoice.payment_reference == f"HD{invoice.invoice_number}V1"


def test_self_paying_visit_pays_everything(hospital: Hospital) -> None:
    with hospital.db.session() as s:
        visit_id, _, _ = add_patient_visit(s, insured=False, full_name="Lê Văn Tự", cccd=None)
    start_exam(hospital.db, visit_id)
    invoice = current(hospital.db, visit_id)
    assert (invoice.category, invoice.fund_pays, invoice.amount_due) == ("9", 0, 45000)


def test_unverified_card_is_billed_without_insurance_with_a_warning(hospital: Hospital) -> None:
    with hospital.db.session() as s:
        s.get(Visit, hospital.visit_id).card_check_status = "not_verified"
    start_exam(hospital.db, hospital.visit_id)
    invoice = current(hospital.db, hospital.visit_id)
    assert invoice.category == "9" and invoice.amount_due == 45000
    assert "chưa được xác minh" in invoice.warnings_vi
    with hospital.db.session() as s:
        s.get(Visit, hospital.visit_id).card_check_status = "verified"
    again = current(hospital.db, hospital.visit_id)
    assert again.version == 2 and again.category == "1.1" and again.fund_pays > 0


def test_changed_charges_recompute_a_new_version_and_void_the_old(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    first = current(hospital.db, hospital.visit_id)
    assert current(hospital.db, hospital.visit_id).id == first.id  # same charges, same bill
    placed = place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ"])
    second = current(hospital.db, hospital.visit_id)
    assert (second.invoice_number, second.version) == (first.invoice_number, 2)
    assert second.hospital_total == 45000 + 1500000
    with hospital.db.session() as s:
        assert s.get(Invoice, first.id).status == "voided"
        s.get(OrderItem, placed.items[0].id).status = "cancelled"
    third = current(hospital.db, hospital.visit_id)
    assert third.version == 3 and third.hospital_total == 45000
    assert [c[2] for c in _charges(hospital)] == ["active", "cancelled"]


def test_paid_invoice_never_changes_and_later_charges_get_their_own(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    first = current(hospital.db, hospital.visit_id)
    with hospital.db.session() as s:
        payments.collect_at_counter(s, CASHIER, first.id, "cash", first.amount_due)
    place(hospital.db, hospital.visit_id, ["XN-GLU"])
    later = current(hospital.db, hospital.visit_id)
    assert later.id != first.id and later.invoice_number != first.invoice_number
    assert later.hospital_total == 22000
    with hospital.db.session() as s:
        paid = s.get(Invoice, first.id)
        assert (paid.status, paid.hospital_total, paid.version) == ("paid", 45000, 1)


def test_copay_paid_earlier_this_year_is_counted(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    place(hospital.db, hospital.visit_id, ["CT-NGUC-CQ"])
    first = current(hospital.db, hospital.visit_id)
    with hospital.db.session() as s:
        payments.collect_at_counter(s, CASHIER, first.id, "cash", first.amount_due)
        patient_id = s.get(Visit, hospital.visit_id).patient_id
        visit = Visit(
            facility_code="48001",
            visit_number="26112699999",
            patient_id=patient_id,
            registered_by="letan.hoa",
            arrival_mode="self_referred",
            uses_insurance=True,
            bhyt_code="DN4480123456789",
            card_check_status="verified",
            proposed_category="1.1",
        )
        s.add(visit)
        s.flush()
        assert invoices.split_basis(s, visit).copay_paid_before == first.patient_copay > 0


def test_invoice_numbers_are_gap_free_under_concurrency(hospital: Hospital) -> None:
    visit_ids = []
    with hospital.db.session() as s:
        for n in range(6):
            visit_id, _, _ = add_patient_visit(
                s, insured=False, full_name=f"Bệnh nhân {n}", cccd=None
            )
            visit_ids.append(visit_id)
    for visit_id in visit_ids:
        start_exam(hospital.db, visit_id)

    def bill(visit_id: int) -> str:
        return current(hospital.db, visit_id, CASHIER_2 if visit_id % 2 else CASHIER).invoice_number

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = sorted(pool.map(bill, visit_ids + visit_ids))
    unique = sorted(set(numbers))
    assert len(unique) == 6  # each visit billed once, even opened twice at once
    assert [int(n[-5:]) for n in unique] == list(range(1, 7))
    with hospital.db.session() as s:
        assert len(s.execute(select(Invoice)).scalars().all()) == 6
