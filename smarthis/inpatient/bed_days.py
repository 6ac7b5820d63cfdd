"""Bed days of a stay as `BedDay` rows and their charges on the stay's visit.

`charge_bed_days` is idempotent: it charges the days due (bed_day_rule) that have no row
yet. Called by `discharge()` in its transaction, by the ward's "tính tiền giường đến hôm
nay" and when the cashier opens the visit's bill. At discharge the days no longer due (a
running bill charged the evening before a backdated discharge, or a stay that ended under
4 hours) are taken back: their charge cancelled, their row removed — unless already paid,
which stays as paid for the cashier to refund."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.billing.charges import add_charge, cancel_charge
from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.clinical.models import Visit
from smarthis.db import utcnow
from smarthis.inpatient.bed_day_rule import Placement, due_days
from smarthis.inpatient.charge_catalog import bed_day_service_for, find_bed_day_service
from smarthis.inpatient.charge_models import BedDay
from smarthis.inpatient.common import announce, get_stay
from smarthis.inpatient.models import OPEN, BedMovement, Stay, Ward
from smarthis.security import audit
from smarthis.security.principal import Principal

BED_DAY = "bed_day"
BED_DAY_UNIT = "ngày"


def lock_for_charging(session: Session, actor: Principal, stay_id: int) -> Stay:
    """Lock the stay's visit, then the stay: billing takes the visit first (and a charge's
    insert needs the visit row), so every charging path takes them in that order."""
    stay = get_stay(session, actor, stay_id)
    if stay.visit_id is not None:
        session.execute(select(Visit.id).where(Visit.id == stay.visit_id).with_for_update())
    return get_stay(session, actor, stay_id, lock=True)


def charge_is_settled(session: Session, source_kind: str, source_id: int) -> bool:
    """The source's charge is on a paid (or refunded) invoice: money changed hands, so it
    is no longer taken back silently (the cashier refunds it)."""
    found = session.execute(
        select(InvoiceLine.id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Charge, Charge.id == InvoiceLine.charge_id)
        .where(
            Charge.source_kind == source_kind,
            Charge.source_id == source_id,
            Invoice.status.in_(("paid", "refunded")),
        )
        .limit(1)
    ).first()
    return found is not None


def placements_of(session: Session, stay: Stay) -> list[Placement]:
    moves = session.execute(
        select(BedMovement)
        .where(BedMovement.stay_id == stay.id, BedMovement.to_ward_id.is_not(None))
        .order_by(BedMovement.moved_at, BedMovement.id)
    ).scalars()
    found = [Placement(m.moved_at, m.to_ward_id, m.to_bed_id) for m in moves]  # type: ignore[arg-type]
    return found or [Placement(stay.admitted_at, stay.ward_id, stay.bed_id)]


def bed_days_of(session: Session, stay_id: int) -> list[BedDay]:
    return list(
        session.execute(select(BedDay).where(BedDay.stay_id == stay_id).order_by(BedDay.day))
        .scalars()
        .all()
    )


def _charge_values(visit: Visit, row: BedDay, ward: Ward, by: str) -> dict[str, object]:
    service = find_bed_day_service(row.service_code)
    assert service is not None
    return {
        "facility_code": visit.facility_code,
        "visit_id": visit.id,
        "patient_id": visit.patient_id,
        "source_kind": BED_DAY,
        "source_id": row.id,
        "item_code": service.code,
        "national_code": service.national_code,
        "name": f"{service.name_vi} — {ward.name}, ngày {row.day:%d/%m/%Y}"[:300],
        "quantity": 1,
        "unit": BED_DAY_UNIT,
        "hospital_price_vnd": service.hospital_price_vnd,
        "insurance_price_vnd": service.insurance_price_vnd,
        "cost_group": service.cost_group,
        "ratio_service": 100,
        "ratio_insurance": 100,
        "in_benefit_list": True,
        "created_by": by,
    }


def charge_bed_days(session: Session, actor: Principal, stay: Stay) -> list[Charge]:
    """Charge the days due and not charged yet; the new charges (none when up to date)."""
    stay = lock_for_charging(session, actor, stay.id)  # one charger of a stay at a time
    visit = session.get(Visit, stay.visit_id) if stay.visit_id is not None else None
    if visit is None:  # a stay from before encounters existed: nothing to bill it on
        return []
    discharged_at = stay.discharged_at if stay.status != OPEN else None
    due = due_days(
        stay.admitted_at,
        discharged_at,
        utcnow(),
        placements_of(session, stay),
        day_care=stay.kind == "day_care",
        discharge_kind=stay.discharge_kind,
    )
    existing = {row.day: row for row in bed_days_of(session, stay.id)}
    wards: dict[int, Ward] = {}
    created: list[Charge] = []
    for item in due:
        if item.day in existing:
            continue
        ward = wards.get(item.ward_id) or session.get(Ward, item.ward_id)
        assert ward is not None
        wards[ward.id] = ward
        service = bed_day_service_for(ward.department_code, stay.kind == "day_care")
        row = BedDay(
            facility_code=stay.facility_code,
            stay_id=stay.id,
            ward_id=ward.id,
            bed_id=item.bed_id,
            day=item.day,
            service_code=service.code,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        created.append(add_charge(session, _charge_values(visit, row, ward, actor.name)))
    taken_back = 0
    if discharged_at is not None:
        due_set = {item.day for item in due}
        for day, row in existing.items():
            if day not in due_set and not charge_is_settled(session, BED_DAY, row.id):
                reason = "Ngày giường không còn tính sau khi ra viện"
                cancel_charge(session, BED_DAY, row.id, reason, actor.name)
                session.delete(row)
                taken_back += 1
        session.flush()
    if created or taken_back:
        audit.record(
            session,
            actor,
            "inpatient.bed_days",
            patient_id=stay.patient_id,
            detail={"stay": stay.stay_number, "charged": len(created), "taken_back": taken_back},
        )
        announce(session, stay, "bed_days", [])
    return created
