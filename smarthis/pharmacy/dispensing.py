"""Dispensing an issued prescription at the outpatient pharmacy (cấp phát thuốc ngoại trú).

Rules: the drugs are handed over only once they are paid, or the insurance fund covers the
visit's bill so the patient has nothing to pay; lots are taken first expiry first and an
expired lot never; the whole prescription or nothing (a drug short in stock refuses it all,
naming every missing drug); a prescription is dispensed once. The database settles races:
the visit row is locked first (as every billing writer does), then the lots in id order,
and each lot is decremented by a conditional UPDATE under a CHECK that it stays >= 0.
Every read and change is audited with the patient's id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.billing.charges import DRUG, active_charges
from smarthis.billing.invoices import PAID, REFUNDED, engine_visit, split_basis
from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.catalogs.drugs import drugs
from smarthis.clinical.examination import record_step
from smarthis.clinical.models import Visit
from smarthis.db import MAX_ID, Database, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.insurance import copay
from smarthis.patients.models import Patient
from smarthis.pharmacy.models import Prescription, PrescriptionItem
from smarthis.pharmacy.service import items_of
from smarthis.pharmacy.stock import (
    Shortage,
    Take,
    hospital_today,
    lock_usable_lots,
    lots_of,
    plan_takes,
    take_from_lot,
)
from smarthis.pharmacy.stock_models import DispensedItem, Dispensing, DrugLot
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.security import audit
from smarthis.security.principal import Principal

# A prescription is bought or collected within 5 days of being written (Thông tư
# 52/2017/TT-BYT); the pharmacist's queue shows those.
QUEUE_DAYS = 5
QUEUE_LIMIT = 200
PAYMENT_LABELS_VI = {
    "paid": "Đã thanh toán",
    "covered": "BHYT chi trả, không phải nộp thêm",
    "waiting": "Chờ thanh toán",
}


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


# --- paid or covered ----------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentState:
    state: str  # paid | covered | waiting
    amount_due_vnd: int  # what the patient still has to pay at the cashier (waiting)
    reason_vi: str

    @property
    def may_dispense(self) -> bool:
        return self.state in ("paid", "covered")

    @property
    def label_vi(self) -> str:
        return PAYMENT_LABELS_VI[self.state]


def _charge_ids_on(session: Session, visit_id: int, statuses: tuple[str, ...]) -> set[int]:
    return set(
        session.execute(
            select(InvoiceLine.charge_id)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.visit_id == visit_id, Invoice.status.in_(statuses))
        ).scalars()
    )


def payment_state(
    session: Session, visit: Visit, items: Sequence[PrescriptionItem]
) -> PaymentState:
    """Whether the prescription's drugs are paid, or covered with nothing left to pay.

    Paid: every drug charge is on a paid invoice. Covered: the visit's unpaid charges
    (drugs included) split by the co-payment engine, as the cashier's next invoice would
    be, leave the patient nothing to pay. Read only: no invoice is written here."""
    item_ids = {item.id for item in items}
    charges = active_charges(session, visit.id)
    drug_charges = [c for c in charges if c.source_kind == DRUG and c.source_id in item_ids]
    paid = _charge_ids_on(session, visit.id, (PAID,))
    if drug_charges and all(c.id in paid for c in drug_charges):
        return PaymentState("paid", 0, "Tiền thuốc đã thanh toán")
    settled = paid | _charge_ids_on(session, visit.id, (REFUNDED,))
    if not drug_charges or any(c.id in settled and c.id not in paid for c in drug_charges):
        return PaymentState(
            "waiting", 0, "Tiền thuốc chưa được tính hoặc đã hoàn lại: người bệnh gặp thu ngân"
        )
    unsettled: list[Charge] = [c for c in charges if c.id not in settled]
    try:
        split = copay.split_visit(engine_visit(split_basis(session, visit), unsettled))
    except DomainError:  # a rule the engine cannot apply: the cashier decides
        return PaymentState("waiting", 0, "Chưa tính được phần người bệnh trả: gặp thu ngân")
    due = split.totals.patient_copay + split.totals.patient_self_pay
    if due == 0:
        return PaymentState("covered", 0, "Quỹ BHYT chi trả toàn bộ, người bệnh không phải nộp")
    return PaymentState(
        "waiting",
        due,
        f"Người bệnh cần nộp {_money(due)} tại quầy thu ngân trước khi nhận thuốc",
    )


# --- the prescription as the pharmacist sees it ----------------------------------------------


@dataclass(frozen=True)
class PlannedItem:
    item: PrescriptionItem
    takes: list[Take]  # the lots to give from, first expiry first (empty when short)
    shortage: Shortage | None


@dataclass(frozen=True)
class PharmacyPrescription:
    prescription: Prescription
    visit: Visit
    patient: Patient
    items: list[PlannedItem]
    payment: PaymentState
    dispensing: Dispensing | None
    dispensed: list[tuple[DispensedItem, DrugLot]]

    @property
    def shortages(self) -> list[Shortage]:
        return [p.shortage for p in self.items if p.shortage is not None]


def _not_found(prescription_id: int) -> NotFound:
    return NotFound(
        "prescription_not_found",
        f"Không có đơn thuốc số {prescription_id}",
        f"No prescription {prescription_id}",
        field="prescription_id",
    )


def _prescription(session: Session, actor: Principal, prescription_id: int) -> Prescription:
    found = session.get(Prescription, prescription_id) if 1 <= prescription_id <= MAX_ID else None
    if found is None or found.facility_code != actor.facility_code:
        raise _not_found(prescription_id)
    return found


def dispensing_of(session: Session, prescription_id: int) -> Dispensing | None:
    return session.execute(
        select(Dispensing).where(Dispensing.prescription_id == prescription_id)
    ).scalar_one_or_none()


def _dispensed_rows(session: Session, dispensing_id: int) -> list[tuple[DispensedItem, DrugLot]]:
    rows = session.execute(
        select(DispensedItem, DrugLot)
        .join(DrugLot, DrugLot.id == DispensedItem.lot_id)
        .where(DispensedItem.dispensing_id == dispensing_id)
        .order_by(DispensedItem.id)
    ).all()
    return [(item, lot) for item, lot in rows]


def _needs(items: Sequence[PrescriptionItem]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for item in items:
        totals[item.drug_code] = totals.get(item.drug_code, 0) + item.quantity
    return list(totals.items())


def _planned(
    items: Sequence[PrescriptionItem], plan: dict[str, list[Take]], shortages: list[Shortage]
) -> list[PlannedItem]:
    """The plan is per drug; a drug appears once on a prescription (the doctor's rule)."""
    short = {s.drug_code: s for s in shortages}
    return [
        PlannedItem(item, plan.get(item.drug_code, []), short.get(item.drug_code)) for item in items
    ]


def pharmacy_prescription(
    session: Session, actor: Principal, prescription_id: int
) -> PharmacyPrescription:
    """The prescription with the lots it would take now, its payment and, once dispensed,
    what was given from which lot."""
    prescription = _prescription(session, actor, prescription_id)
    visit = session.get(Visit, prescription.visit_id)
    patient = session.get(Patient, prescription.patient_id)
    assert visit is not None and patient is not None
    items = items_of(session, prescription.id)
    dispensing = dispensing_of(session, prescription.id)
    if dispensing is None:
        lots = lots_of(session, actor.facility_code, (i.drug_code for i in items))
        plan, shortages = plan_takes(lots, _needs(items), hospital_today())
        planned = _planned(items, plan, shortages)
        dispensed: list[tuple[DispensedItem, DrugLot]] = []
    else:
        planned = [PlannedItem(item, [], None) for item in items]
        dispensed = _dispensed_rows(session, dispensing.id)
    audit.record(
        session,
        actor,
        "pharmacy.prescription.read",
        patient_id=prescription.patient_id,
        detail={"prescription": prescription.id, "visit": visit.visit_number},
    )
    return PharmacyPrescription(
        prescription=prescription,
        visit=visit,
        patient=patient,
        items=planned,
        payment=payment_state(session, visit, items),
        dispensing=dispensing,
        dispensed=dispensed,
    )


# --- dispensing ---------------------------------------------------------------------------


def _drug_label(drug_code: str) -> str:
    drug = drugs().get(drug_code)
    return f"{drug.active_ingredient} {drug.strength}" if drug is not None else drug_code


def out_of_stock_error(shortages: Sequence[Shortage], units: dict[str, str]) -> Conflict:
    parts = [
        f"{_drug_label(s.drug_code)} (cần {s.needed} {units.get(s.drug_code, '')}, "
        f"còn {s.available})"
        for s in shortages
    ]
    return Conflict(
        "pharmacy_out_of_stock",
        "Hết hàng: " + "; ".join(parts) + ". Chưa phát thuốc nào của đơn này, kho không bị trừ",
        "Out of stock: "
        + "; ".join(f"{s.drug_code} (needed {s.needed}, left {s.available})" for s in shortages)
        + ". Nothing of this prescription was dispensed",
        field="items",
    )


def _already_dispensed(dispensing: Dispensing) -> Conflict:
    when = dispensing.dispensed_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m/%Y")
    return Conflict(
        "prescription_already_dispensed",
        f"Đơn thuốc này đã được phát lúc {when} bởi {dispensing.dispensed_by}: không phát lại",
        f"This prescription was dispensed at {dispensing.dispensed_at.isoformat()} "
        f"by {dispensing.dispensed_by}",
        field="prescription_id",
    )


def _check_dispensable(
    session: Session, prescription: Prescription, visit: Visit, items: Sequence[PrescriptionItem]
) -> None:
    if prescription.status != "issued":
        raise Conflict(
            "prescription_not_issued",
            "Đơn thuốc chưa được bác sĩ phát hành: chưa phát thuốc được",
            "The prescription is not issued yet",
            field="prescription_id",
        )
    if visit.status == "cancelled":
        raise Conflict(
            "visit_closed",
            "Lượt khám đã huỷ: không phát thuốc",
            "The visit is cancelled",
            field="prescription_id",
        )
    payment = payment_state(session, visit, items)
    if not payment.may_dispense:
        raise Conflict(
            "prescription_not_paid",
            f"Chưa phát thuốc được: đơn thuốc chưa thanh toán. {payment.reason_vi}",
            "The prescription is not paid (nor covered by insurance with nothing to pay)",
            field="prescription_id",
        )


def dispense(session: Session, actor: Principal, prescription_id: int) -> PharmacyPrescription:
    """Hand the whole prescription over, from the lots first to expire; or refuse it all."""
    prescription = _prescription(session, actor, prescription_id)
    # The visit first, as billing's writers take it: a payment or a second pharmacist on
    # the same visit waits here, and then sees what the first one wrote.
    visit = session.execute(
        select(Visit)
        .where(Visit.id == prescription.visit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    done = dispensing_of(session, prescription.id)
    if done is not None:
        raise _already_dispensed(done)
    items = items_of(session, prescription.id)
    _check_dispensable(session, prescription, visit, items)
    today = hospital_today()
    lots = lock_usable_lots(session, actor.facility_code, (i.drug_code for i in items), today)
    plan, shortages = plan_takes(lots, _needs(items), today)
    units = {item.drug_code: item.unit for item in items}
    if shortages:
        raise out_of_stock_error(shortages, units)
    now = utcnow()
    dispensing = Dispensing(
        facility_code=prescription.facility_code,
        prescription_id=prescription.id,
        visit_id=visit.id,
        patient_id=prescription.patient_id,
        dispensed_by=actor.name,
        dispensed_at=now,
    )
    session.add(dispensing)
    try:
        session.flush()
    except IntegrityError:  # another pharmacist's dispensing committed first
        raise Conflict(
            "prescription_already_dispensed",
            "Đơn thuốc này vừa được phát ở quầy khác: không phát lại",
            "This prescription was just dispensed at another counter",
            field="prescription_id",
        ) from None
    given: list[dict[str, object]] = []
    for item in items:
        for take in plan[item.drug_code]:
            if not take_from_lot(session, take.lot.id, take.quantity):
                # The lock makes this unreachable; the conditional UPDATE is the last word.
                raise out_of_stock_error(
                    [Shortage(item.drug_code, item.quantity, take.lot.quantity_on_hand)], units
                )
            session.add(
                DispensedItem(
                    facility_code=prescription.facility_code,
                    dispensing_id=dispensing.id,
                    prescription_item_id=item.id,
                    lot_id=take.lot.id,
                    drug_code=item.drug_code,
                    quantity=take.quantity,
                )
            )
            given.append(
                {"drug": item.drug_code, "lot": take.lot.lot_number, "quantity": take.quantity}
            )
    session.flush()
    record_step(session, visit, "dispensed", actor.name, at=now)
    audit.record(
        session,
        actor,
        "pharmacy.dispense",
        patient_id=prescription.patient_id,
        detail={"prescription": prescription.id, "visit": visit.visit_number, "given": given},
    )
    patient = session.get(Patient, prescription.patient_id)
    assert patient is not None
    return PharmacyPrescription(
        prescription=prescription,
        visit=visit,
        patient=patient,
        items=[PlannedItem(item, plan[item.drug_code], None) for item in items],
        payment=payment_state(session, visit, items),
        dispensing=dispensing,
        dispensed=_dispensed_rows(session, dispensing.id),
    )


def dispense_for_visit(db: Database, actor: Principal, visit_id: int) -> bool:
    """Dispense the visit's prescription in a transaction of its own (the demo's history
    of past days calls this); False when it has none or it is refused (unpaid, short)."""
    with db.session() as session:
        prescription_id = session.execute(
            select(Prescription.id).where(
                Prescription.visit_id == visit_id,
                Prescription.facility_code == actor.facility_code,
            )
        ).scalar_one_or_none()
    if prescription_id is None:
        return False
    try:
        with db.session() as session:
            dispense(session, actor, prescription_id)
    except DomainError:
        return False
    return True


# --- the pharmacist's queue -----------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    prescription: Prescription
    visit: Visit
    patient: Patient
    item_count: int
    payment: PaymentState
    pharmacy_ticket: str | None  # the patient's number at the pharmacy counter, if any
    short_drugs_vi: list[str]  # drugs the stock cannot cover now ("Filgrastim 300 µg/0.5 mL")


def _pharmacy_tickets(session: Session, facility_code: str, visit_ids: list[int]) -> dict[int, str]:
    if not visit_ids:
        return {}
    rows = session.execute(
        select(Ticket.visit_id, Ticket.display_number)
        .join(
            ServicePoint,
            (ServicePoint.code == Ticket.service_point_code)
            & (ServicePoint.facility_code == Ticket.facility_code),
        )
        .where(
            Ticket.facility_code == facility_code,
            Ticket.visit_id.in_(visit_ids),
            ServicePoint.kind == "pharmacy",
        )
        .order_by(Ticket.id)
    ).all()
    return {visit_id: number for visit_id, number in rows}  # the latest ticket wins


def waiting_prescriptions(session: Session, actor: Principal) -> list[QueueEntry]:
    """Issued prescriptions of the last days not yet dispensed, oldest first; the ones the
    pharmacist may hand over now (paid or covered) before those waiting for payment."""
    since = utcnow() - timedelta(days=QUEUE_DAYS)
    rows = session.execute(
        select(Prescription, Visit, Patient)
        .join(Visit, Visit.id == Prescription.visit_id)
        .join(Patient, Patient.id == Prescription.patient_id)
        .where(
            Prescription.facility_code == actor.facility_code,
            Prescription.status == "issued",
            Prescription.issued_at >= since,
            Visit.status != "cancelled",
            ~exists().where(Dispensing.prescription_id == Prescription.id),
        )
        .order_by(Prescription.issued_at, Prescription.id)
        .limit(QUEUE_LIMIT)
    ).all()
    tickets = _pharmacy_tickets(session, actor.facility_code, [v.id for _, v, _ in rows])
    items_by_prescription = {p.id: items_of(session, p.id) for p, _, _ in rows}
    lots = lots_of(
        session,
        actor.facility_code,
        {i.drug_code for items in items_by_prescription.values() for i in items},
    )
    today = hospital_today()
    entries = []
    for prescription, visit, patient in rows:
        items = items_by_prescription[prescription.id]
        _plan, shortages = plan_takes(lots, _needs(items), today)
        entries.append(
            QueueEntry(
                prescription=prescription,
                visit=visit,
                patient=patient,
                item_count=len(items),
                payment=payment_state(session, visit, items),
                pharmacy_ticket=tickets.get(visit.id),
                short_drugs_vi=[_drug_label(s.drug_code) for s in shortages],
            )
        )
    entries.sort(key=lambda e: not e.payment.may_dispense)  # stable: oldest first in each
    audit.record(
        session,
        actor,
        "pharmacy.queue.read",
        detail={"prescriptions": [e.prescription.id for e in entries]},
    )
    return entries


# --- for the claims (XML 130, table 2) --------------------------------------------------------


@dataclass(frozen=True)
class DispensedDrug:
    """One drug given from one lot, as the claim's drug lines need it."""

    drug_code: str
    lot_number: str
    expiry_date: date
    quantity: int
    unit: str
    unit_price_vnd: int
    insurance_covered: bool
    insurance_ratio: int | None
    dispensed_at: datetime
    pharmacist: str  # login
    active_ingredient: str
    strength: str
    dosage_form: str
    route: str
    instructions: str
    prescription_item_id: int  # the claim's drug line is the prescription item's charge
    brand_name: str | None = None
    days: int | None = None


def dispensed_drug_lines(session: Session, visit_id: int) -> list[DispensedDrug]:
    """What the visit's patient was given, one line per prescription item and lot, in the
    prescription's order (its caller, the claims loader, audits the read)."""
    rows = session.execute(
        select(DispensedItem, DrugLot, PrescriptionItem, Dispensing)
        .join(Dispensing, Dispensing.id == DispensedItem.dispensing_id)
        .join(DrugLot, DrugLot.id == DispensedItem.lot_id)
        .join(PrescriptionItem, PrescriptionItem.id == DispensedItem.prescription_item_id)
        .where(Dispensing.visit_id == visit_id)
        .order_by(PrescriptionItem.position, DrugLot.expiry_date, DispensedItem.id)
    ).all()
    return [
        DispensedDrug(
            drug_code=given.drug_code,
            lot_number=lot.lot_number,
            expiry_date=lot.expiry_date,
            quantity=given.quantity,
            unit=item.unit,
            unit_price_vnd=item.unit_price_vnd,
            insurance_covered=item.insurance_covered,
            insurance_ratio=item.insurance_ratio,
            dispensed_at=dispensing.dispensed_at,
            pharmacist=dispensing.dispensed_by,
            active_ingredient=item.active_ingredient,
            strength=item.strength,
            dosage_form=item.dosage_form,
            route=item.route,
            instructions=item.instructions,
            prescription_item_id=item.id,
            brand_name=item.brand_name,
            days=item.days,
        )
        for given, lot, item, dispensing in rows
    ]
