"""Dispensing at the outpatient pharmacy: only paid or fully covered prescriptions, lots
first-expiry-first-out and never expired, all or nothing when stock is short, once per
prescription even with two pharmacists at once, every step audited, and the lines the
claims read."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from smarthis.billing import invoices, payments
from smarthis.clinical import examination
from smarthis.clinical.examination_models import VisitStep
from smarthis.db import Database
from smarthis.errors import Conflict, DomainError
from smarthis.pharmacy import dispensing, stock
from smarthis.pharmacy import service as prescriptions
from smarthis.pharmacy.stock_models import DispensedItem, Dispensing, DrugLot
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.billing.conftest import FACILITY, _rooms, add_patient_visit

DOCTOR = Principal("staff", 1, "bs.nam", "BS Nam", Role.DOCTOR, FACILITY)
CASHIER = Principal("staff", 2, "thungan", "Thu ngân", Role.CASHIER, FACILITY)
PHARMACIST = Principal("staff", 3, "duocsi", "DS Đức", Role.PHARMACIST, FACILITY)
PHARMACIST_2 = Principal("staff", 4, "duocsi.hoa", "DS Hoà", Role.PHARMACIST, FACILITY)
TODAY = stock.hospital_today()


@dataclass
class Rx:
    visit_id: int
    patient_id: int
    prescription_id: int


def prescribe(
    db: Database, *, insured: bool, drugs: dict[str, int], name: str = "Nguyễn Văn An"
) -> Rx:
    """A visit examined, diagnosed and given an issued prescription of `drugs`."""
    with db.session() as s:
        visit_id, patient_id, _ = add_patient_visit(s, insured=insured, full_name=name, cccd=None)
    with db.session() as s:
        examination.start_examination(s, DOCTOR, visit_id, reason="Đau sau hoá trị")
    with db.session() as s:
        examination.set_diagnoses(s, DOCTOR, visit_id, "C50.9", [])
        view = prescriptions.save_prescription(
            s,
            DOCTOR,
            visit_id,
            [
                prescriptions.ItemInput(code, quantity, "Uống 1 viên/lần × 2 lần/ngày", 5)
                for code, quantity in drugs.items()
            ],
            issue=True,
        )
        return Rx(visit_id, patient_id, view.prescription.id)


def pay(db: Database, rx: Rx) -> None:
    with db.session() as s:
        invoice = invoices.current_invoice(s, CASHIER, rx.visit_id)
        assert invoice is not None and invoice.amount_due > 0
        payments.collect_at_counter(s, CASHIER, invoice.id, "cash", invoice.amount_due)


def receive(db: Database, code: str, lot: str, expiry: date, quantity: int) -> None:
    with db.session() as s:
        stock.receive_lot(s, PHARMACIST, code, lot, expiry, quantity)


def on_hand(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {lot.lot_number: lot.quantity_on_hand for lot in s.scalars(select(DrugLot))}


def dispense(db: Database, rx: Rx, actor: Principal = PHARMACIST):
    with db.session() as s:
        return dispensing.dispense(s, actor, rx.prescription_id)


@pytest.fixture
def rooms(db: Database) -> Database:
    with db.session() as s:
        _rooms(s)
    return db


# --- paid or covered ------------------------------------------------------------------------


def test_an_unpaid_prescription_is_refused_then_dispensed_once_paid(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    with pytest.raises(Conflict) as refused:
        dispense(db, rx)
    assert refused.value.code == "prescription_not_paid"
    assert "chưa thanh toán" in refused.value.message_vi
    assert "tại quầy thu ngân" in refused.value.message_vi
    assert on_hand(db) == {"P1": 100}

    pay(db, rx)
    done = dispense(db, rx)
    assert done.dispensing is not None and done.dispensing.dispensed_by == "duocsi"
    assert on_hand(db) == {"P1": 80}


def test_an_insured_visit_with_nothing_to_pay_is_dispensed_without_the_cashier(
    rooms: Database,
) -> None:
    """A small insured visit (under 15% of the base salary) is paid in full by the fund."""
    db = rooms
    rx = prescribe(db, insured=True, drugs={"T-PARA500": 10})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 50)
    with db.session() as s:
        entry = dispensing.pharmacy_prescription(s, PHARMACIST, rx.prescription_id)
    assert entry.payment.state == "covered"
    dispense(db, rx)
    assert on_hand(db) == {"P1": 40}


def test_an_insured_visit_with_a_copayment_waits_for_the_cashier(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=True, drugs={"T-FILG300": 2})  # 1,400,000 đ: 20% co-payment
    receive(db, "T-FILG300", "F1", TODAY + timedelta(days=300), 5)
    with db.session() as s:
        state = dispensing.pharmacy_prescription(s, PHARMACIST, rx.prescription_id).payment
    assert state.state == "waiting" and state.amount_due_vnd > 0
    with pytest.raises(Conflict, match="not paid"):
        dispense(db, rx)
    pay(db, rx)
    dispense(db, rx)
    assert on_hand(db) == {"F1": 3}


# --- lots -----------------------------------------------------------------------------------


def test_lots_are_taken_first_expiry_first_out_and_an_expired_lot_never(
    rooms: Database,
) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 30})
    receive(db, "T-PARA500", "LATE", TODAY + timedelta(days=700), 100)
    receive(db, "T-PARA500", "SOON", TODAY + timedelta(days=40), 25)
    receive(db, "T-PARA500", "OLD", TODAY + timedelta(days=5), 10)
    with db.session() as s:  # a lot on the shelf past its date (received long ago)
        s.execute(
            DrugLot.__table__.update()
            .where(DrugLot.lot_number == "OLD")
            .values(expiry_date=TODAY - timedelta(days=1))
        )
    pay(db, rx)
    with db.session() as s:
        preview = dispensing.pharmacy_prescription(s, PHARMACIST, rx.prescription_id)
    assert [(t.lot.lot_number, t.quantity) for t in preview.items[0].takes] == [
        ("SOON", 25),
        ("LATE", 5),
    ]
    dispense(db, rx)
    assert on_hand(db) == {"LATE": 95, "SOON": 0, "OLD": 10}
    with db.session() as s:
        given = s.execute(select(DispensedItem.quantity).order_by(DispensedItem.id)).scalars()
        assert list(given) == [25, 5]


def test_a_lot_expiring_today_is_not_given(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 5})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=30), 5)
    with db.session() as s:
        s.execute(DrugLot.__table__.update().values(expiry_date=TODAY))
    pay(db, rx)
    with pytest.raises(Conflict) as refused:
        dispense(db, rx)
    assert refused.value.code == "pharmacy_out_of_stock"
    assert on_hand(db) == {"P1": 5}


def test_short_stock_refuses_the_whole_prescription_naming_each_missing_drug(
    rooms: Database,
) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20, "T-OMEP20": 14, "T-ONDA8": 6})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    receive(db, "T-OMEP20", "O1", TODAY + timedelta(days=300), 10)
    pay(db, rx)
    with pytest.raises(Conflict) as refused:
        dispense(db, rx)
    message = refused.value.message_vi
    assert message.startswith("Hết hàng: ")
    assert "Omeprazol 20 mg (cần 14 viên, còn 10)" in message
    assert "Ondansetron 8 mg (cần 6 viên, còn 0)" in message
    assert "Paracetamol" not in message
    assert on_hand(db) == {"P1": 100, "O1": 10}  # nothing taken, not even the paracetamol
    with db.session() as s:
        assert s.scalars(select(Dispensing)).all() == []


def test_a_prescription_is_dispensed_once(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    pay(db, rx)
    dispense(db, rx)
    with pytest.raises(Conflict) as again:
        dispense(db, rx, PHARMACIST_2)
    assert again.value.code == "prescription_already_dispensed"
    assert "đã được phát lúc" in again.value.message_vi and "duocsi" in again.value.message_vi
    assert on_hand(db) == {"P1": 80}


def test_a_draft_prescription_is_not_dispensed(rooms: Database) -> None:
    db = rooms
    with db.session() as s:
        visit_id, _, _ = add_patient_visit(s, insured=False, cccd=None)
    with db.session() as s:
        examination.start_examination(s, DOCTOR, visit_id, reason="Khám")
    with db.session() as s:
        view = prescriptions.save_prescription(
            s, DOCTOR, visit_id, [prescriptions.ItemInput("T-PARA500", 4, "Uống", 2)]
        )
    with pytest.raises(Conflict, match="not issued"), db.session() as s:
        dispensing.dispense(s, PHARMACIST, view.prescription.id)


# --- two pharmacists at once ------------------------------------------------------------------


def _race(db: Database, jobs: list[tuple[Principal, int]]) -> list[object]:
    """Each job dispenses in its own thread and transaction, released together."""
    start = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def run(index: int, actor: Principal, prescription_id: int) -> None:
        start.wait()
        try:
            with db.session() as s:
                dispensing.dispense(s, actor, prescription_id)
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error

    threads = [
        threading.Thread(target=run, args=(i, actor, pid)) for i, (actor, pid) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _wait_until_blocked_on_lots(db: Database, count: int) -> None:
    """PostgreSQL: until `count` transactions wait for the lots' row locks, i.e. every
    pharmacist is past the payment check and inside the dispensing at the same time."""
    for _ in range(600):
        with db.engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE '%FROM pharmacy_drug_lots%FOR UPDATE%'"
                )
            ).scalar_one()
        if waiting >= count:
            return
        threading.Event().wait(0.05)
    raise AssertionError("the dispensings never met at the lots' locks")


def _race_held_at_the_lots(db: Database, jobs: list[tuple[Principal, int]]) -> list[object]:
    """On PostgreSQL the lots are held locked until every job waits for them, then
    released at once: the jobs are certainly in flight together. (SQLite runs one writer
    at a time by design: there the jobs simply start together.)"""
    if db.is_sqlite:
        return _race(db, jobs)
    result: list[list[object]] = []
    with db.session() as holder:
        holder.execute(select(DrugLot.id).with_for_update()).all()
        runner = threading.Thread(target=lambda: result.append(_race(db, jobs)))
        runner.start()
        _wait_until_blocked_on_lots(db, len(jobs))
    runner.join(timeout=60)
    return result[0]


def test_two_pharmacists_dispensing_the_last_box_one_wins(rooms: Database) -> None:
    db = rooms
    first = prescribe(db, insured=False, drugs={"T-FILG300": 1}, name="Trần Thị Bình")
    second = prescribe(db, insured=False, drugs={"T-FILG300": 1}, name="Lê Văn Cường")
    receive(db, "T-FILG300", "F1", TODAY + timedelta(days=300), 1)
    pay(db, first)
    pay(db, second)
    outcomes = _race_held_at_the_lots(
        db, [(PHARMACIST, first.prescription_id), (PHARMACIST_2, second.prescription_id)]
    )
    assert outcomes.count("ok") == 1
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert isinstance(refusal, Conflict) and refusal.code == "pharmacy_out_of_stock"
    assert "Hết hàng" in refusal.message_vi and "Filgrastim" in refusal.message_vi
    assert on_hand(db) == {"F1": 0}
    with db.session() as s:
        assert len(s.scalars(select(Dispensing)).all()) == 1


def test_two_pharmacists_pressing_for_one_prescription_give_it_once(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    pay(db, rx)
    outcomes = _race(db, [(PHARMACIST, rx.prescription_id), (PHARMACIST_2, rx.prescription_id)])
    assert outcomes.count("ok") == 1
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert isinstance(refusal, Conflict) and refusal.code == "prescription_already_dispensed"
    assert on_hand(db) == {"P1": 80}


def test_the_database_refuses_a_negative_quantity(rooms: Database) -> None:
    db = rooms
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 3)
    with db.session() as s:
        lot_id = s.scalars(select(DrugLot.id)).one()
        assert stock.take_from_lot(s, lot_id, 4) is False  # the conditional UPDATE says no
        assert stock.take_from_lot(s, lot_id, 3) is True
    assert on_hand(db) == {"P1": 0}
    with pytest.raises(IntegrityError), db.session() as s:  # and the CHECK behind it
        s.execute(DrugLot.__table__.update().values(quantity_on_hand=-1))


# --- receiving stock --------------------------------------------------------------------------


def test_receiving_adds_to_a_lot_and_refuses_bad_lots(rooms: Database) -> None:
    db = rooms
    receive(db, "T-PARA500", "ab-12 3", TODAY + timedelta(days=300), 10)
    receive(db, "T-PARA500", "AB-123", TODAY + timedelta(days=300), 5)
    assert on_hand(db) == {"AB-123": 15}
    with db.session() as s:
        lot = s.scalars(select(DrugLot)).one()
        assert lot.quantity_received == 15 and lot.received_by == "duocsi"
    cases = [
        (("T-PARA500", "AB-123", TODAY + timedelta(days=200), 5), "stock_lot_expiry_mismatch"),
        (("T-PARA500", "X1", TODAY, 5), "stock_expired"),
        (("T-PARA500", "X1", TODAY + timedelta(days=9), 0), "stock_quantity"),
        (("T-PARA500", "lô số 1", TODAY + timedelta(days=9), 5), "stock_lot_number"),
        (("T-KHONGCO", "X1", TODAY + timedelta(days=9), 5), "drug_unknown"),
    ]
    for args, code in cases:
        with pytest.raises(DomainError) as refused, db.session() as s:
            stock.receive_lot(s, PHARMACIST, *args)
        assert refused.value.code == code
    assert on_hand(db) == {"AB-123": 15}


def test_demo_stock_has_two_lots_a_drug_and_one_nearly_out(rooms: Database) -> None:
    db = rooms
    with db.session() as s:
        written = stock.seed_demo_stock(s, FACILITY)
    with db.session() as s:
        assert stock.seed_demo_stock(s, FACILITY) == 0  # already stocked: left alone
        listing = stock.stock_list(s, PHARMACIST)
    assert written == 2 * len(listing)
    assert all(len(d.lots) == 2 for d in listing)
    assert all(d.lots[0].expiry_date < d.lots[1].expiry_date for d in listing)
    low = [d.drug.code for d in listing if d.low]
    assert low == [stock.DEMO_NEARLY_OUT]
    assert any(d.expiring_soon for d in listing)
    assert not any(d.has_expired_stock for d in listing)


# --- audit, visit step, claims ----------------------------------------------------------------


def test_dispensing_is_audited_stepped_and_feeds_the_claims(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 30, "T-OMEP20": 14})
    receive(db, "T-PARA500", "P-SOON", TODAY + timedelta(days=40), 10)
    receive(db, "T-PARA500", "P-LATE", TODAY + timedelta(days=400), 100)
    receive(db, "T-OMEP20", "O1", TODAY + timedelta(days=300), 50)
    pay(db, rx)
    with db.session() as s:
        dispensing.waiting_prescriptions(s, PHARMACIST)
        dispensing.pharmacy_prescription(s, PHARMACIST, rx.prescription_id)
    dispense(db, rx)
    with db.session() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action.like("pharmacy.%")).order_by(AuditEntry.id)
        ).all()
        steps = s.scalars(select(VisitStep.step).where(VisitStep.visit_id == rx.visit_id)).all()
        lines = dispensing.dispensed_drug_lines(s, rx.visit_id)
    actions = [(e.action, e.actor, e.patient_id) for e in entries]
    assert actions[-3:] == [
        ("pharmacy.queue.read", "duocsi", None),
        ("pharmacy.prescription.read", "duocsi", rx.patient_id),
        ("pharmacy.dispense", "duocsi", rx.patient_id),
    ]
    assert "P-SOON" in entries[-1].detail and "P-LATE" in entries[-1].detail
    assert "dispensed" in steps
    assert [(d.drug_code, d.lot_number, d.quantity) for d in lines] == [
        ("T-PARA500", "P-SOON", 10),
        ("T-PARA500", "P-LATE", 20),
        ("T-OMEP20", "O1", 14),
    ]
    first = lines[0]
    assert first.expiry_date == TODAY + timedelta(days=40)
    assert (first.unit, first.unit_price_vnd, first.insurance_covered) == ("viên", 1000, True)
    assert (first.active_ingredient, first.strength, first.route) == (
        "Paracetamol",
        "500 mg",
        "uống",
    )
    assert first.dosage_form == "viên nén" and first.instructions.startswith("Uống")
    assert first.pharmacist == "duocsi" and first.dispensed_at is not None
    with db.session() as s:
        view = prescriptions.prescription_for_visit(s, PHARMACIST, rx.visit_id)
        assert view is not None
        item_ids = [item.id for item in view.items]
    assert [d.prescription_item_id for d in lines] == [item_ids[0], item_ids[0], item_ids[1]]
    with db.session() as s:
        assert dispensing.dispensed_drug_lines(s, rx.visit_id + 1000) == []


def test_the_queue_lists_what_may_be_given_first(rooms: Database) -> None:
    db = rooms
    unpaid = prescribe(db, insured=False, drugs={"T-PARA500": 10}, name="Trần Thị Bình")
    paid = prescribe(db, insured=False, drugs={"T-PARA500": 10}, name="Lê Văn Cường")
    given = prescribe(db, insured=False, drugs={"T-PARA500": 10}, name="Phạm Thị Dung")
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    pay(db, paid)
    pay(db, given)
    dispense(db, given)
    with db.session() as s:
        queue = dispensing.waiting_prescriptions(s, PHARMACIST)
    assert [(e.prescription.id, e.payment.state) for e in queue] == [
        (paid.prescription_id, "paid"),
        (unpaid.prescription_id, "waiting"),
    ]
    assert queue[1].payment.amount_due_vnd > 0


def test_the_demo_history_dispenses_a_visit_or_says_it_could_not(rooms: Database) -> None:
    db = rooms
    rx = prescribe(db, insured=False, drugs={"T-PARA500": 20})
    receive(db, "T-PARA500", "P1", TODAY + timedelta(days=300), 100)
    assert dispensing.dispense_for_visit(db, PHARMACIST, rx.visit_id) is False  # unpaid
    pay(db, rx)
    assert dispensing.dispense_for_visit(db, PHARMACIST, rx.visit_id) is True
    assert dispensing.dispense_for_visit(db, PHARMACIST, rx.visit_id) is False  # given
    assert dispensing.dispense_for_visit(db, PHARMACIST, rx.visit_id + 99) is False
    assert on_hand(db) == {"P1": 80}
