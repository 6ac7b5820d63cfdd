"""Doses of catalogue drugs given on the ward, and their charges on the stay's visit.

A dose recorded "given" with a catalogue code is charged in the same transaction (source
"ward_drug", the administration's id), priced and grouped like a prescription's drug
(`billing.charges.drug_charge_values`) at the catalogue's price of the day. Held or refused
doses, and free-text drugs outside the catalogue (brought by the patient), are not charged.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from smarthis.billing.charges import add_charge, drug_charge_values
from smarthis.billing.models import Charge
from smarthis.catalogs.drugs import Drug, find_drug
from smarthis.clinical.models import Visit
from smarthis.errors import Conflict, DomainError
from smarthis.inpatient.models import MedicationAdministration, Stay

WARD_DRUG = "ward_drug"
MAX_QUANTITY = 1000


@dataclass(frozen=True)
class CodedDose:
    """What the catalogue fills in for a coded dose."""

    drug: Drug
    name: str  # the MAR's drug column: brand (ingredient strength)
    route: str
    dose: str  # the nurse's dose text, else "<quantity> <unit>"
    quantity: int | None


def drug_label(drug: Drug) -> str:
    return f"{drug.brand_name or drug.active_ingredient} ({drug.active_ingredient} {drug.strength})"


def check_quantity(quantity: int | None, *, required: bool) -> None:
    if quantity is None and not required:
        return
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(
            "mar_quantity",
            f"Số lượng thuốc đã dùng phải từ 1 đến {MAX_QUANTITY} (theo đơn vị của thuốc)",
            f"quantity must be 1 to {MAX_QUANTITY} units",
            field="quantity",
        )


def coded_dose(code: str, quantity: int | None, dose: str | None, given: bool) -> CodedDose:
    """The catalogue's drug for a dose; a dose given needs its quantity (it is charged)."""
    drug = find_drug(code.strip().upper())
    check_quantity(quantity, required=given)
    text = dose or (f"{quantity} {drug.unit}" if quantity is not None else drug.unit)
    return CodedDose(drug, drug_label(drug), drug.route, text, quantity)


def visit_to_charge(session: Session, stay: Stay) -> Visit:
    visit = session.get(Visit, stay.visit_id) if stay.visit_id is not None else None
    if visit is None:
        raise Conflict(
            "stay_without_visit",
            "Đợt điều trị chưa có lượt khám để ghi chi phí thuốc; "
            "ghi thuốc không mã hoặc báo phòng Tài chính kế toán",
            "The stay has no visit to charge",
            field="stay_id",
        )
    return visit


def charge_dose(
    session: Session, visit: Visit, row: MedicationAdministration, drug: Drug, by: str
) -> Charge:
    """The charge of a dose given; the caller holds the visit and stay locks
    (bed_days.lock_for_charging)."""
    assert row.quantity is not None and row.status == "given"
    values = drug_charge_values(
        visit,
        source=(WARD_DRUG, row.id),
        drug_code=drug.code,
        label=drug.brand_name or drug.active_ingredient,
        strength_text=f"{drug.active_ingredient} {drug.strength}",
        quantity=row.quantity,
        unit=drug.unit,
        unit_price_vnd=drug.price_vnd,
        covered=drug.insurance_covered,
        ratio=drug.insurance_ratio,
        by=by,
    )
    return add_charge(session, values)
