"""Medical supplies used on the ward (vật tư y tế tiêu hao): the nurse or doctor records a
use, which charges the stay's visit at once; a mistaken entry is cancelled with a reason,
which cancels its charge. Both are refused once the patient has left (the bill is being
settled), and a cancel is refused once its charge has been paid."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.billing.charges import add_charge, cancel_charge
from smarthis.clinical.models import Visit
from smarthis.db import MAX_ID, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.inpatient.bed_days import charge_is_settled, lock_for_charging
from smarthis.inpatient.charge_catalog import Supply, find_supply
from smarthis.inpatient.charge_models import SUPPLY_ACTIVE, SUPPLY_CANCELLED, SupplyUse
from smarthis.inpatient.common import announce, clean, get_stay
from smarthis.inpatient.models import OPEN, Stay
from smarthis.security import audit
from smarthis.security.principal import Principal

SUPPLY = "supply"
MAX_QUANTITY = 1000


def _require_on_ward(stay: Stay, what_vi: str) -> None:
    if stay.status != OPEN:
        raise Conflict(
            "supply_after_discharge",
            f"Người bệnh đã ra viện: không {what_vi} vật tư được nữa; "
            "cần điều chỉnh thì báo phòng Tài chính kế toán",
            "The patient has been discharged: supplies can no longer be changed",
            field="stay_id",
        )


def _visit(session: Session, stay: Stay) -> Visit:
    visit = session.get(Visit, stay.visit_id) if stay.visit_id is not None else None
    if visit is None:
        raise Conflict(
            "stay_without_visit",
            "Đợt điều trị chưa có lượt khám để ghi chi phí",
            "The stay has no visit to charge",
            field="stay_id",
        )
    return visit


def _charge_values(visit: Visit, use: SupplyUse, supply: Supply, by: str) -> dict[str, object]:
    return {
        "facility_code": visit.facility_code,
        "visit_id": visit.id,
        "patient_id": visit.patient_id,
        "source_kind": SUPPLY,
        "source_id": use.id,
        "item_code": supply.code,
        "national_code": supply.national_code,
        "name": supply.name_vi,
        "quantity": use.quantity,
        "unit": supply.unit,
        "hospital_price_vnd": supply.hospital_price_vnd,
        "insurance_price_vnd": supply.insurance_price_vnd or 0,
        "cost_group": supply.cost_group,
        "ratio_service": 100,
        "ratio_insurance": supply.insurance_ratio,
        "in_benefit_list": supply.insurance_price_vnd is not None,
        "created_by": by,
    }


def record_supply_use(
    session: Session, actor: Principal, stay_id: int, code: str, quantity: int
) -> SupplyUse:
    stay = lock_for_charging(session, actor, stay_id)
    _require_on_ward(stay, "ghi thêm")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(
            "supply_quantity",
            f"Số lượng vật tư phải từ 1 đến {MAX_QUANTITY}",
            f"quantity must be 1 to {MAX_QUANTITY}",
            field="quantity",
        )
    supply = find_supply(code)
    visit = _visit(session, stay)
    use = SupplyUse(
        facility_code=stay.facility_code,
        stay_id=stay.id,
        supply_code=supply.code,
        quantity=quantity,
        used_at=utcnow(),
        used_by=actor.name,
        status=SUPPLY_ACTIVE,
    )
    session.add(use)
    session.flush()
    add_charge(session, _charge_values(visit, use, supply, actor.name))
    audit.record(
        session,
        actor,
        "inpatient.supply_use",
        patient_id=stay.patient_id,
        detail={"stay": stay.stay_number, "supply": supply.code, "quantity": quantity},
    )
    announce(session, stay, "supply_used", [])
    return use


def cancel_supply_use(session: Session, actor: Principal, use_id: int, reason: str) -> SupplyUse:
    use = session.get(SupplyUse, use_id) if 1 <= use_id <= MAX_ID else None
    if use is None or use.facility_code != actor.facility_code:
        raise NotFound(
            "supply_use_not_found",
            f"Không có lần dùng vật tư số {use_id}",
            f"No supply use {use_id}",
            field="use_id",
        )
    stay = lock_for_charging(session, actor, use.stay_id)
    _require_on_ward(stay, "huỷ")
    why = clean(reason)
    if why is None:
        raise DomainError(
            "supply_cancel_reason", "Cần ghi lý do huỷ", "A reason is required", field="reason"
        )
    if use.status == SUPPLY_CANCELLED:
        raise Conflict(
            "supply_use_cancelled",
            "Lần dùng vật tư này đã được huỷ",
            "This supply use is already cancelled",
            field="use_id",
        )
    if charge_is_settled(session, SUPPLY, use.id):
        raise Conflict(
            "supply_use_paid",
            "Vật tư này đã được thanh toán: huỷ bằng hoàn tiền tại quầy thu ngân",
            "This supply was already paid for: refund it at the cashier",
            field="use_id",
        )
    use.status = SUPPLY_CANCELLED
    use.cancel_reason = why
    cancel_charge(session, SUPPLY, use.id, f"Huỷ vật tư: {why}", actor.name)
    audit.record(
        session,
        actor,
        "inpatient.supply_cancel",
        patient_id=stay.patient_id,
        detail={"stay": stay.stay_number, "supply": use.supply_code, "reason": why},
    )
    announce(session, stay, "supply_cancelled", [])
    return use


def supply_uses_of(session: Session, actor: Principal, stay_id: int) -> list[SupplyUse]:
    """The stay's supply uses, newest first (the read is audited)."""
    stay = get_stay(session, actor, stay_id)
    audit.record(
        session,
        actor,
        "inpatient.supply_read",
        patient_id=stay.patient_id,
        detail={"stay": stay.stay_number},
    )
    return list(
        session.execute(
            select(SupplyUse)
            .where(SupplyUse.stay_id == stay.id)
            .order_by(SupplyUse.used_at.desc(), SupplyUse.id.desc())
        ).scalars()
    )
