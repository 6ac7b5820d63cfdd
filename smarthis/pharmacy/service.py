"""The doctor's ordinary outpatient prescription (đơn thuốc thông thường).

Rules: every drug comes from the catalogue (`smarthis.catalogs.drugs`); the quantity is a
whole number above zero; narcotic, psychotropic and precursor drugs are refused here,
because they must be written on the special form "đơn thuốc gây nghiện/hướng thần" (Thông
tư 52/2017/TT-BYT), which SmartHIS does not have yet; a prescription is issued only once
the visit has a main diagnosis, and an issued prescription no longer changes. Every read
and change is audited with the patient's id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smarthis.billing.charges import charge_prescription
from smarthis.catalogs.drugs import Drug, find_drug
from smarthis.clinical.examination_models import Examination, VisitDiagnosis
from smarthis.clinical.models import Visit
from smarthis.clinical.service import find_visit
from smarthis.db import utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.pharmacy.models import Prescription, PrescriptionItem
from smarthis.security import audit
from smarthis.security.principal import Principal

MAX_ITEMS = 30
MAX_QUANTITY = 10_000
MAX_DAYS = 90  # an outpatient prescription covers at most 30 days; chronic care up to 90
SPECIAL_FORM_VI = "đơn thuốc gây nghiện/hướng thần"


@dataclass
class ItemInput:
    drug_code: str
    quantity: int
    instructions: str
    days: int | None = None


@dataclass
class PrescriptionView:
    prescription: Prescription
    items: list[PrescriptionItem]


def _error(code: str, vi: str, en: str, field: str) -> DomainError:
    return DomainError(code, vi, en, field=field)


def _prescription(session: Session, visit_id: int, *, lock: bool = False) -> Prescription | None:
    query = select(Prescription).where(Prescription.visit_id == visit_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def items_of(session: Session, prescription_id: int) -> list[PrescriptionItem]:
    return list(
        session.execute(
            select(PrescriptionItem)
            .where(PrescriptionItem.prescription_id == prescription_id)
            .order_by(PrescriptionItem.position)
        ).scalars()
    )


def check_drug(code: str, position: int) -> Drug:
    """The catalogue's drug, refused if it needs the special form."""
    drug = find_drug(code.strip())
    if drug.needs_special_prescription:
        raise _error(
            "prescription_controlled_drug",
            f"Thuốc {drug.active_ingredient} {drug.strength} là thuốc {drug.controlled}: "
            f"phải kê trên mẫu {SPECIAL_FORM_VI} (chức năng này chưa có), "
            "không kê trên đơn thuốc thông thường",
            f"{drug.active_ingredient} {drug.strength} is a controlled drug "
            f"({drug.controlled}): it needs the narcotic/psychotropic prescription form "
            "(not built yet), not the ordinary prescription",
            f"items[{position}].drug_code",
        )
    return drug


def _check_item(item: ItemInput, position: int) -> tuple[Drug, str]:
    drug = check_drug(item.drug_code, position)
    quantity = item.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise _error(
            "prescription_quantity",
            "Số lượng thuốc phải là số nguyên lớn hơn 0",
            "The quantity must be a whole number above zero",
            f"items[{position}].quantity",
        )
    if quantity > MAX_QUANTITY:
        raise _error(
            "prescription_quantity_too_large",
            f"Số lượng tối đa {MAX_QUANTITY} {drug.unit}",
            f"At most {MAX_QUANTITY} units",
            f"items[{position}].quantity",
        )
    instructions = " ".join((item.instructions or "").split())
    if not instructions:
        raise _error(
            "prescription_instructions_missing",
            f"Chưa ghi cách dùng cho thuốc {drug.active_ingredient}",
            f"No instructions for {drug.active_ingredient}",
            f"items[{position}].instructions",
        )
    if item.days is not None and not 1 <= item.days <= MAX_DAYS:
        raise _error(
            "prescription_days",
            f"Số ngày dùng thuốc phải từ 1 đến {MAX_DAYS}",
            f"Days must be between 1 and {MAX_DAYS}",
            f"items[{position}].days",
        )
    return drug, instructions


def _check_items(items: Sequence[ItemInput]) -> list[tuple[ItemInput, Drug, str]]:
    if not items:
        raise _error("prescription_empty", "Đơn thuốc chưa có thuốc nào", "No drug", "items")
    if len(items) > MAX_ITEMS:
        raise _error(
            "prescription_too_long",
            f"Một đơn thuốc tối đa {MAX_ITEMS} thuốc",
            f"At most {MAX_ITEMS} drugs per prescription",
            "items",
        )
    checked: list[tuple[ItemInput, Drug, str]] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        drug, instructions = _check_item(item, position)
        if drug.code in seen:
            raise _error(
                "prescription_duplicate_drug",
                f"Thuốc {drug.active_ingredient} {drug.strength} được kê hai lần",
                f"{drug.code} is prescribed twice",
                f"items[{position}].drug_code",
            )
        seen.add(drug.code)
        checked.append((item, drug, instructions))
    return checked


def _diagnoses(session: Session, visit_id: int) -> list[VisitDiagnosis]:
    return list(
        session.execute(
            select(VisitDiagnosis)
            .where(VisitDiagnosis.visit_id == visit_id)
            .order_by(VisitDiagnosis.position)
        ).scalars()
    )


def diagnosis_text(diagnoses: Sequence[VisitDiagnosis]) -> str | None:
    """ "J06.9 - Viêm đường hô hấp trên cấp; E11.9 - ..." with the main diagnosis first."""
    ordered = sorted(diagnoses, key=lambda d: (not d.is_main, d.position))
    return "; ".join(f"{d.icd_code} - {d.name_vi}" for d in ordered) or None


def _require_writable(session: Session, visit: Visit) -> None:
    if visit.status == "cancelled":
        raise Conflict(
            "visit_closed",
            "Lượt khám đã huỷ, không kê đơn được",
            "The visit is cancelled",
            field="visit_id",
        )
    started = session.execute(
        select(Examination.id).where(Examination.visit_id == visit.id)
    ).scalar_one_or_none()
    if started is None:
        raise Conflict(
            "examination_not_started",
            "Bác sĩ chưa bắt đầu khám lượt này",
            "The examination of this visit has not been started",
            field="visit_id",
        )


def save_prescription(
    session: Session,
    actor: Principal,
    visit_id: int,
    items: Sequence[ItemInput],
    *,
    advice: str | None = None,
    issue: bool = False,
) -> PrescriptionView:
    """Write (or rewrite) the visit's draft prescription; `issue` also issues it."""
    checked = _check_items(items)
    visit = find_visit(session, actor, visit_id)
    session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())
    _require_writable(session, visit)
    diagnoses = _diagnoses(session, visit.id)
    if issue and not any(d.is_main for d in diagnoses):
        raise _error(
            "prescription_main_diagnosis_missing",
            "Cần chẩn đoán chính của lượt khám trước khi phát hành đơn thuốc",
            "The visit needs a main diagnosis before the prescription is issued",
            "diagnoses",
        )
    now = utcnow()
    prescription = _prescription(session, visit.id, lock=True)
    if prescription is not None and prescription.status == "issued":
        raise Conflict(
            "prescription_issued",
            "Đơn thuốc đã phát hành, không sửa được nữa",
            "The prescription is issued and can no longer be changed",
            field="visit_id",
        )
    if prescription is None:
        prescription = Prescription(
            facility_code=visit.facility_code, visit_id=visit.id, patient_id=visit.patient_id
        )
        session.add(prescription)
    prescription.prescribed_by = actor.name
    prescription.prescribed_at = now
    prescription.diagnosis_text = diagnosis_text(diagnoses)
    prescription.advice = " ".join(advice.split()) if advice and advice.strip() else None
    prescription.status = "issued" if issue else "draft"
    prescription.issued_at = now if issue else None
    session.flush()
    session.execute(
        delete(PrescriptionItem).where(PrescriptionItem.prescription_id == prescription.id)
    )
    rows = []
    for position, (item, drug, instructions) in enumerate(checked):
        row = PrescriptionItem(
            facility_code=visit.facility_code,
            prescription_id=prescription.id,
            position=position,
            drug_code=drug.code,
            active_ingredient=drug.active_ingredient,
            strength=drug.strength,
            brand_name=drug.brand_name,
            dosage_form=drug.dosage_form,
            route=drug.route,
            quantity=item.quantity,
            unit=drug.unit,
            instructions=instructions,
            days=item.days,
            unit_price_vnd=drug.price_vnd,
            insurance_covered=drug.insurance_covered,
            insurance_ratio=drug.insurance_ratio,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    if issue:
        charge_prescription(session, visit, rows, actor.name)  # the drugs on the bill
    audit.record(
        session,
        actor,
        "prescription.issue" if issue else "prescription.save",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number, "drugs": [d.code for _, d, _ in checked]},
    )
    return PrescriptionView(prescription, rows)


def prescription_for_visit(
    session: Session, actor: Principal, visit_id: int
) -> PrescriptionView | None:
    visit = find_visit(session, actor, visit_id)
    prescription = _prescription(session, visit.id)
    audit.record(
        session,
        actor,
        "prescription.read",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number},
    )
    if prescription is None:
        return None
    return PrescriptionView(prescription, items_of(session, prescription.id))


def require_prescription(session: Session, actor: Principal, visit_id: int) -> PrescriptionView:
    found = prescription_for_visit(session, actor, visit_id)
    if found is None:
        raise NotFound(
            "prescription_not_found",
            "Lượt khám này chưa có đơn thuốc",
            "This visit has no prescription",
            field="visit_id",
        )
    return found


def prescriptions_for_visits(
    session: Session, visit_ids: Sequence[int]
) -> dict[int, PrescriptionView]:
    """For the record and the timeline (their callers audit the read)."""
    if not visit_ids:
        return {}
    found = session.execute(
        select(Prescription).where(Prescription.visit_id.in_(list(visit_ids)))
    ).scalars()
    return {p.visit_id: PrescriptionView(p, items_of(session, p.id)) for p in found}


def total_vnd(view: PrescriptionView) -> int:
    return sum(item.quantity * item.unit_price_vnd for item in view.items)
