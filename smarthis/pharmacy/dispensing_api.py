"""JSON routes of the outpatient pharmacy: the pharmacist's queue, a prescription with the
lots it takes, dispensing it, and the stock (list, receive a lot).

PHARMACY_DISPENSE for the queue and dispensing, PHARMACY_STOCK for the stock (pharmacists
and administrators). A refused dispensing is audited too, with its reason."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.db import MAX_ID, Database
from smarthis.errors import DomainError, NotFound
from smarthis.patients.models import Patient
from smarthis.pharmacy import dispensing, stock
from smarthis.pharmacy.models import Prescription
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.security.service import get_staff_by_login

router = APIRouter(tags=["pharmacy"])


class PatientOut(BaseModel):
    id: int
    name: str
    mrn: str
    birth_year: int | None
    sex: str | None


class PaymentOut(BaseModel):
    state: str  # paid | covered | waiting
    label_vi: str
    reason_vi: str
    amount_due_vnd: int


class QueueEntryOut(BaseModel):
    prescription_id: int
    visit_id: int
    visit_number: str
    patient: PatientOut
    issued_at: datetime | None
    prescribed_by: str
    item_count: int
    payment: PaymentOut
    may_dispense: bool
    pharmacy_ticket: str | None
    short_drugs_vi: list[str]


class TakeOut(BaseModel):
    lot_id: int
    lot_number: str
    expiry_date: date
    quantity: int


class ShortageOut(BaseModel):
    needed: int
    available: int


class ItemOut(BaseModel):
    id: int
    drug_code: str
    active_ingredient: str
    brand_name: str | None
    strength: str
    dosage_form: str
    route: str
    quantity: int
    unit: str
    instructions: str
    days: int | None
    insurance_covered: bool
    takes: list[TakeOut]
    shortage: ShortageOut | None


class GivenOut(BaseModel):
    prescription_item_id: int
    drug_code: str
    lot_number: str
    expiry_date: date
    quantity: int


class DispensedOut(BaseModel):
    by: str  # the pharmacist's login
    by_name: str | None  # and name, as the screen shows it
    at: datetime
    given: list[GivenOut]


class PharmacyPrescriptionOut(BaseModel):
    id: int
    visit_id: int
    visit_number: str
    status: str
    issued_at: datetime | None
    prescribed_by: str
    diagnosis_text: str | None
    advice: str | None
    patient: PatientOut
    payment: PaymentOut
    items: list[ItemOut]
    out_of_stock_vi: str | None  # the refusal the button would give, shown beforehand
    may_dispense: bool
    dispensed: DispensedOut | None


class LotOut(BaseModel):
    id: int
    lot_number: str
    expiry_date: date
    quantity_on_hand: int
    received_at: datetime
    expired: bool
    expiring_soon: bool


class DrugStockOut(BaseModel):
    drug_code: str
    active_ingredient: str
    brand_name: str | None
    strength: str
    unit: str
    usable: int
    low: bool
    expiring_soon: bool
    has_expired_stock: bool
    lots: list[LotOut]


class StockOut(BaseModel):
    low_stock_units: int
    expiring_within_days: int
    drugs: list[DrugStockOut]


class ReceiveIn(BaseModel):
    drug_code: str = Field(min_length=1, max_length=32)
    lot_number: str = Field(min_length=1, max_length=60)
    expiry_date: date
    quantity: int = Field(gt=0, le=stock.MAX_RECEIVE_QUANTITY)
    unit_cost_vnd: int | None = Field(default=None, ge=0, le=10**12)


def _patient(patient: Patient) -> PatientOut:
    return PatientOut(
        id=patient.id,
        name=patient.full_name,
        mrn=patient.mrn,
        birth_year=patient.birth_year,
        sex=patient.sex,
    )


def _payment(state: dispensing.PaymentState) -> PaymentOut:
    return PaymentOut(
        state=state.state,
        label_vi=state.label_vi,
        reason_vi=state.reason_vi,
        amount_due_vnd=state.amount_due_vnd,
    )


def prescription_out(
    view: dispensing.PharmacyPrescription, pharmacist_name: str | None = None
) -> PharmacyPrescriptionOut:
    p = view.prescription
    units = {planned.item.drug_code: planned.item.unit for planned in view.items}
    shortages = view.shortages
    dispensed = None
    if view.dispensing is not None:
        dispensed = DispensedOut(
            by=view.dispensing.dispensed_by,
            by_name=pharmacist_name,
            at=view.dispensing.dispensed_at,
            given=[
                GivenOut(
                    prescription_item_id=given.prescription_item_id,
                    drug_code=given.drug_code,
                    lot_number=lot.lot_number,
                    expiry_date=lot.expiry_date,
                    quantity=given.quantity,
                )
                for given, lot in view.dispensed
            ],
        )
    return PharmacyPrescriptionOut(
        id=p.id,
        visit_id=p.visit_id,
        visit_number=view.visit.visit_number,
        status=p.status,
        issued_at=p.issued_at,
        prescribed_by=p.prescribed_by,
        diagnosis_text=p.diagnosis_text,
        advice=p.advice,
        patient=_patient(view.patient),
        payment=_payment(view.payment),
        items=[
            ItemOut(
                id=planned.item.id,
                drug_code=planned.item.drug_code,
                active_ingredient=planned.item.active_ingredient,
                brand_name=planned.item.brand_name,
                strength=planned.item.strength,
                dosage_form=planned.item.dosage_form,
                route=planned.item.route,
                quantity=planned.item.quantity,
                unit=planned.item.unit,
                instructions=planned.item.instructions,
                days=planned.item.days,
                insurance_covered=planned.item.insurance_covered,
                takes=[
                    TakeOut(
                        lot_id=take.lot.id,
                        lot_number=take.lot.lot_number,
                        expiry_date=take.lot.expiry_date,
                        quantity=take.quantity,
                    )
                    for take in planned.takes
                ],
                shortage=ShortageOut(
                    needed=planned.shortage.needed, available=planned.shortage.available
                )
                if planned.shortage
                else None,
            )
            for planned in view.items
        ],
        out_of_stock_vi=dispensing.out_of_stock_error(shortages, units).message_vi
        if shortages
        else None,
        may_dispense=(
            view.dispensing is None
            and p.status == "issued"
            and view.payment.may_dispense
            and not shortages
        ),
        dispensed=dispensed,
    )


def _pharmacist_name(session: Session, view: dispensing.PharmacyPrescription) -> str | None:
    if view.dispensing is None:
        return None
    try:
        return get_staff_by_login(session, view.dispensing.dispensed_by).full_name
    except NotFound:  # a removed account: the login is what is known
        return None


@router.get("/api/pharmacy/queue")
def pharmacy_queue(
    principal: Principal = Depends(require(Permission.PHARMACY_DISPENSE)),
    db: Database = Depends(database),
) -> list[QueueEntryOut]:
    with db.session() as session:
        return [
            QueueEntryOut(
                prescription_id=e.prescription.id,
                visit_id=e.visit.id,
                visit_number=e.visit.visit_number,
                patient=_patient(e.patient),
                issued_at=e.prescription.issued_at,
                prescribed_by=e.prescription.prescribed_by,
                item_count=e.item_count,
                payment=_payment(e.payment),
                may_dispense=e.payment.may_dispense,
                pharmacy_ticket=e.pharmacy_ticket,
                short_drugs_vi=e.short_drugs_vi,
            )
            for e in dispensing.waiting_prescriptions(session, principal)
        ]


@router.get("/api/pharmacy/prescriptions/{prescription_id}")
def pharmacy_prescription(
    prescription_id: int,
    principal: Principal = Depends(require(Permission.PHARMACY_DISPENSE)),
    db: Database = Depends(database),
) -> PharmacyPrescriptionOut:
    with db.session() as session:
        view = dispensing.pharmacy_prescription(session, principal, prescription_id)
        return prescription_out(view, _pharmacist_name(session, view))


def _audit_refusal(
    db: Database, actor: Principal, prescription_id: int, error: DomainError
) -> None:
    """The refused attempt's own transaction: the refused one rolled back."""
    with db.session() as session:
        patient_id = None
        if 1 <= prescription_id <= MAX_ID:
            patient_id = session.execute(
                select(Prescription.patient_id).where(
                    Prescription.id == prescription_id,
                    Prescription.facility_code == actor.facility_code,
                )
            ).scalar_one_or_none()
        audit.record(
            session,
            actor,
            "pharmacy.dispense",
            patient_id=patient_id,
            outcome="refused",
            detail={"prescription": prescription_id, "reason": error.code},
        )


@router.post("/api/pharmacy/prescriptions/{prescription_id}/dispense")
def dispense_prescription(
    prescription_id: int,
    principal: Principal = Depends(require(Permission.PHARMACY_DISPENSE)),
    db: Database = Depends(database),
) -> PharmacyPrescriptionOut:
    try:
        with db.session() as session:
            view = dispensing.dispense(session, principal, prescription_id)
            return prescription_out(view, principal.display_name)
    except DomainError as error:
        _audit_refusal(db, principal, prescription_id, error)
        raise


def _lot_out(lot: stock.LotView) -> LotOut:
    return LotOut(
        id=lot.id,
        lot_number=lot.lot_number,
        expiry_date=lot.expiry_date,
        quantity_on_hand=lot.quantity_on_hand,
        received_at=lot.received_at,
        expired=lot.expired,
        expiring_soon=lot.expiring_soon,
    )


def _stock_out(listing: list[stock.DrugStock]) -> StockOut:
    return StockOut(
        low_stock_units=stock.LOW_STOCK_UNITS,
        expiring_within_days=stock.EXPIRING_WITHIN_DAYS,
        drugs=[
            DrugStockOut(
                drug_code=d.drug.code,
                active_ingredient=d.drug.active_ingredient,
                brand_name=d.drug.brand_name,
                strength=d.drug.strength,
                unit=d.drug.unit,
                usable=d.usable,
                low=d.low,
                expiring_soon=d.expiring_soon,
                has_expired_stock=d.has_expired_stock,
                lots=[_lot_out(lot) for lot in d.lots],
            )
            for d in listing
        ],
    )


@router.get("/api/pharmacy/stock")
def stock_list(
    principal: Principal = Depends(require(Permission.PHARMACY_STOCK)),
    db: Database = Depends(database),
) -> StockOut:
    with db.session() as session:
        return _stock_out(stock.stock_list(session, principal))


@router.post("/api/pharmacy/stock", status_code=201)
def receive_stock(
    body: ReceiveIn,
    principal: Principal = Depends(require(Permission.PHARMACY_STOCK)),
    db: Database = Depends(database),
) -> LotOut:
    with db.session() as session:
        lot = stock.receive_lot(
            session,
            principal,
            body.drug_code,
            body.lot_number,
            body.expiry_date,
            body.quantity,
            body.unit_cost_vnd,
        )
        return _lot_out(stock.lot_view(lot, stock.hospital_today()))
