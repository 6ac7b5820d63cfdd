"""Charge lines: every billable thing becomes one when it is ordered or done.

Hooks called by the domains in their own transaction: `charge_examination` (the doctor
starts the examination), `charge_order_items` (technical services ordered),
`charge_prescription` (a prescription issued). A charge is unique by its source, so a hook
called twice charges once. Prices are the ones the source row froze when it was written.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smarthis.billing.models import Charge
from smarthis.catalogs.service_catalog import HospitalService, find_service, services_of_kind
from smarthis.clinical.examination_models import Examination
from smarthis.clinical.models import Visit
from smarthis.config import get_settings
from smarthis.db import utcnow
from smarthis.errors import NotFound
from smarthis.orders.models import OrderItem
from smarthis.pharmacy.models import PrescriptionItem
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.text import fold

EXAMINATION, ORDER_ITEM, DRUG = "examination", "order_item", "drug"
# MA_NHOM (XML 130 appendix 3) for drugs, which the drug catalogue does not carry:
# 4 = drug in the insurance list paid in full, 6 = drug the fund pays at a ratio. A drug
# outside the list keeps 4 and `in_benefit_list` false (the fund pays none of it).
DRUG_COST_GROUP_FULL = 4
DRUG_COST_GROUP_RATIO = 6
# MA_NHOM by service kind, when a catalogue row had none (the catalogue always has one today).
DEFAULT_COST_GROUP_BY_KIND = {
    "exam": 13,
    "lab": 1,
    "xray": 2,
    "ct": 2,
    "mri": 2,
    "ultrasound": 2,
    "ecg": 3,
    "endoscopy": 3,
    "procedure": 8,
}
SERVICE_UNIT = "lần"


def _insert_charge(session: Session, values: dict[str, object]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on the source: a repeated hook is harmless, even
    from two transactions at once."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Charge).values(created_at=utcnow(), status="active", **values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["source_kind", "source_id"]))


def add_charge(session: Session, values: dict[str, object]) -> Charge:
    """Charge one source row for another domain (inpatient bed days and supplies): the
    same insert, and the charge row back (the existing one when the source had one)."""
    _insert_charge(session, values)
    return session.execute(
        select(Charge).where(
            Charge.source_kind == values["source_kind"], Charge.source_id == values["source_id"]
        )
    ).scalar_one()


def _service_values(visit: Visit, service: HospitalService, by: str) -> dict[str, object]:
    insurance_price = service.insurance_price_vnd
    return {
        "facility_code": visit.facility_code,
        "visit_id": visit.id,
        "patient_id": visit.patient_id,
        "item_code": service.code,
        "national_code": service.national_code,
        "name": service.name_vi,
        "quantity": 1,
        "unit": SERVICE_UNIT,
        "hospital_price_vnd": service.hospital_price_vnd,
        "insurance_price_vnd": insurance_price or 0,
        "cost_group": service.cost_group or DEFAULT_COST_GROUP_BY_KIND[service.kind],
        "ratio_service": 100,
        "ratio_insurance": 100,
        "in_benefit_list": insurance_price is not None,
        "created_by": by,
    }


def exam_service_for(session: Session, visit: Visit) -> HospitalService:
    """The examination fee of the room the visit queued for: the catalogue's exam service
    whose name (after "Khám") starts the room's specialty, e.g. "Ung bướu đầu cổ" ->
    "Khám Ung bướu"; else the installation's default fee (settings)."""
    specialty = session.execute(
        select(ServicePoint.specialty)
        .join(
            Ticket,
            (Ticket.service_point_code == ServicePoint.code)
            & (Ticket.facility_code == ServicePoint.facility_code),
        )
        .where(Ticket.visit_id == visit.id, ServicePoint.kind == "examination")
        .order_by(Ticket.id)
        .limit(1)
    ).scalar()
    if specialty:
        folded = fold(specialty)
        for service in services_of_kind("exam"):
            subject = fold(service.name_vi).removeprefix("kham").strip()
            if subject and folded.startswith(subject):
                return service
    return find_service(get_settings().billing_exam_service_code)


def charge_examination(session: Session, visit: Visit, exam: Examination, by: str) -> None:
    service = exam_service_for(session, visit)
    values = _service_values(visit, service, by)
    _insert_charge(session, {**values, "source_kind": EXAMINATION, "source_id": exam.id})


def charge_order_items(session: Session, visit: Visit, items: Sequence[OrderItem], by: str) -> None:
    for item in items:
        try:
            service = find_service(item.service_code)
            values = _service_values(visit, service, by)
        except NotFound:  # a service since removed from the catalogue: the item's own record
            values = _service_values(visit, _service_as_ordered(item), by)
        # The order item froze the prices of the day; a later tariff does not change it.
        values["hospital_price_vnd"] = item.hospital_price_vnd
        values["insurance_price_vnd"] = item.insurance_price_vnd or 0
        values["in_benefit_list"] = item.insurance_price_vnd is not None
        values["name"] = item.service_name
        _insert_charge(session, {**values, "source_kind": ORDER_ITEM, "source_id": item.id})


def _service_as_ordered(item: OrderItem) -> HospitalService:
    """The service as the order item recorded it, for one no longer in the catalogue."""
    return HospitalService(
        code=item.service_code,
        national_code=None,
        name_vi=item.service_name,
        kind=item.kind,  # type: ignore[arg-type]
        point_kind=item.point_kind,
        hospital_price_vnd=item.hospital_price_vnd,
        insurance_price_vnd=item.insurance_price_vnd,
        cost_group=DEFAULT_COST_GROUP_BY_KIND.get(item.kind, 8),
        lab_panel=None,
        analytes=(),
        note=None,
    )


def drug_charge_values(
    visit: Visit,
    *,
    source: tuple[str, int],
    drug_code: str,
    label: str,
    strength_text: str,
    quantity: int,
    unit: str,
    unit_price_vnd: int,
    covered: bool,
    ratio: int | None,
    by: str,
) -> dict[str, object]:
    """A drug's charge line, priced and grouped one way whether the pharmacy dispensed it
    (a prescription item) or the ward gave it (inpatient.ward_drugs)."""
    paid_ratio = ratio if covered and ratio else 100
    name = f"{label} ({strength_text})"
    return {
        "facility_code": visit.facility_code,
        "visit_id": visit.id,
        "patient_id": visit.patient_id,
        "source_kind": source[0],
        "source_id": source[1],
        "item_code": drug_code,
        "national_code": None,
        "name": name[:300],
        "quantity": quantity,
        "unit": unit,
        "hospital_price_vnd": unit_price_vnd,
        "insurance_price_vnd": unit_price_vnd if covered else 0,
        "cost_group": DRUG_COST_GROUP_RATIO if paid_ratio < 100 else DRUG_COST_GROUP_FULL,
        "ratio_service": 100,
        "ratio_insurance": paid_ratio,
        "in_benefit_list": covered,
        "created_by": by,
    }


def charge_prescription(
    session: Session, visit: Visit, items: Sequence[PrescriptionItem], by: str
) -> None:
    for item in items:
        values = drug_charge_values(
            visit,
            source=(DRUG, item.id),
            drug_code=item.drug_code,
            label=item.brand_name or item.active_ingredient,
            strength_text=f"{item.active_ingredient} {item.strength}",
            quantity=item.quantity,
            unit=item.unit,
            unit_price_vnd=item.unit_price_vnd,
            covered=item.insurance_covered,
            ratio=item.insurance_ratio,
            by=by,
        )
        _insert_charge(session, values)


def cancel_charge(session: Session, source_kind: str, source_id: int, reason: str, by: str) -> bool:
    """Cancel the charge of a cancelled source; False if it had none or it was cancelled."""
    charge = session.execute(
        select(Charge)
        .where(Charge.source_kind == source_kind, Charge.source_id == source_id)
        .with_for_update()
    ).scalar_one_or_none()
    if charge is None or charge.status == "cancelled":
        return False
    charge.status = "cancelled"
    charge.cancelled_at = utcnow()
    charge.cancel_reason = f"{reason} ({by})"
    return True


def cancel_charges_of_cancelled_items(session: Session, visit_id: int) -> int:
    """An order item cancelled (whatever screen did it) cancels its charge: settled here,
    before every invoice is computed, so no cancel path can forget the bill."""
    rows = session.execute(
        select(Charge)
        .join(OrderItem, OrderItem.id == Charge.source_id)
        .where(
            Charge.visit_id == visit_id,
            Charge.source_kind == ORDER_ITEM,
            Charge.status == "active",
            OrderItem.status == "cancelled",
        )
    ).scalars()
    count = 0
    for charge in rows:
        charge.status = "cancelled"
        charge.cancelled_at = utcnow()
        charge.cancel_reason = "Chỉ định đã huỷ"
        count += 1
    return count


def active_charges(session: Session, visit_id: int) -> list[Charge]:
    return list(
        session.execute(
            select(Charge)
            .where(Charge.visit_id == visit_id, Charge.status == "active")
            .order_by(Charge.id)
        ).scalars()
    )


def charges_of_visit(session: Session, visit_id: int) -> list[Charge]:
    return list(
        session.execute(
            select(Charge).where(Charge.visit_id == visit_id).order_by(Charge.id)
        ).scalars()
    )
