"""JSON routes for what a stay costs on the ward: supplies used (list, record, cancel), the
supply and drug catalogues for the ward's pickers, and the bed days (list, and "tính tiền
giường đến hôm nay")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.billing.models import Charge
from smarthis.catalogs.drugs import drugs as drug_catalogue
from smarthis.db import MAX_ID, Database
from smarthis.inpatient import bed_days, supplies
from smarthis.inpatient.charge_catalog import find_bed_day_service, find_supply
from smarthis.inpatient.charge_catalog import supplies as supply_catalogue
from smarthis.inpatient.charge_models import BedDay, SupplyUse
from smarthis.inpatient.common import get_stay
from smarthis.inpatient.record import staff_names
from smarthis.inpatient.ward_drugs import drug_label
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/inpatient", tags=["inpatient"])
StayId = Annotated[int, Path(ge=1, le=MAX_ID)]
UseId = Annotated[int, Path(ge=1, le=MAX_ID)]
Reader = Depends(require(Permission.INPATIENT_READ))
Writer = Depends(require(Permission.INPATIENT_WRITE))


class SupplyUseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=supplies.MAX_QUANTITY)


class SupplyCancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


def _charges(session: Session, kind: str, ids: list[int]) -> dict[int, Charge]:
    if not ids:
        return {}
    rows = session.execute(
        select(Charge).where(Charge.source_kind == kind, Charge.source_id.in_(ids))
    ).scalars()
    return {c.source_id: c for c in rows}


def _use_out(use: SupplyUse, charge: Charge | None, names: dict[str, str]) -> dict[str, Any]:
    supply = find_supply(use.supply_code)
    return {
        "id": use.id,
        "code": use.supply_code,
        "name": supply.name_vi,
        "unit": supply.unit,
        "quantity": use.quantity,
        "used_at": use.used_at.isoformat(),
        "used_by": names.get(use.used_by, use.used_by),
        "status": use.status,
        "cancel_reason": use.cancel_reason,
        "amount_vnd": use.quantity * supply.hospital_price_vnd,
        "charge_status": charge.status if charge else None,
    }


def _uses_out(session: Session, uses: list[SupplyUse]) -> list[dict[str, Any]]:
    charges = _charges(session, supplies.SUPPLY, [u.id for u in uses])
    names = staff_names(session, {u.used_by for u in uses})
    return [_use_out(u, charges.get(u.id), names) for u in uses]


@router.get("/supplies")
def supply_list(principal: Principal = Reader) -> list[dict[str, Any]]:
    """The supply catalogue (demo prices) for the ward's picker."""
    return [
        {
            "code": s.code,
            "name": s.name_vi,
            "unit": s.unit,
            "hospital_price_vnd": s.hospital_price_vnd,
            "in_benefit_list": s.insurance_price_vnd is not None,
        }
        for s in supply_catalogue()
    ]


@router.get("/drugs")
def ward_drug_list(principal: Principal = Reader) -> list[dict[str, Any]]:
    """The drug catalogue (demo prices) for the medication record's picker: a dose given
    with a code is charged (inpatient.ward_drugs)."""
    return [
        {
            "code": d.code,
            "name": drug_label(d),
            "route": d.route,
            "unit": d.unit,
            "price_vnd": d.price_vnd,
            "insurance_covered": d.insurance_covered,
        }
        for d in drug_catalogue().values()
    ]


@router.get("/stays/{stay_id}/supplies")
def stay_supplies(
    stay_id: StayId, principal: Principal = Reader, db: Database = Depends(database)
) -> list[dict[str, Any]]:
    with db.session() as session:
        return _uses_out(session, supplies.supply_uses_of(session, principal, stay_id))


@router.post("/stays/{stay_id}/supplies", status_code=201)
def use_supply(
    stay_id: StayId,
    body: SupplyUseIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        use = supplies.record_supply_use(session, principal, stay_id, body.code, body.quantity)
        return _uses_out(session, [use])[0]


@router.post("/stays/{stay_id}/supplies/{use_id}/cancel")
def cancel_supply(
    stay_id: StayId,
    use_id: UseId,
    body: SupplyCancelIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        use = session.get(SupplyUse, use_id)
        if use is not None and use.stay_id != stay_id:
            use_id = MAX_ID  # a use of another stay: not found, like any unknown id
        use = supplies.cancel_supply_use(session, principal, use_id, body.reason)
        return _uses_out(session, [use])[0]


def _bed_days_out(session: Session, stay_id: int) -> list[dict[str, Any]]:
    rows: list[BedDay] = bed_days.bed_days_of(session, stay_id)
    charges = _charges(session, bed_days.BED_DAY, [r.id for r in rows])
    out = []
    for row in rows:
        service = find_bed_day_service(row.service_code)
        charge = charges.get(row.id)
        out.append(
            {
                "day": row.day.isoformat(),
                "ward_id": row.ward_id,
                "service_code": row.service_code,
                "name": charge.name if charge else (service.name_vi if service else ""),
                "hospital_price_vnd": service.hospital_price_vnd if service else None,
                "charge_status": charge.status if charge else None,
            }
        )
    return out


@router.get("/stays/{stay_id}/bed-days")
def stay_bed_days(
    stay_id: StayId, principal: Principal = Reader, db: Database = Depends(database)
) -> list[dict[str, Any]]:
    with db.session() as session:
        stay = get_stay(session, principal, stay_id)
        audit.record(
            session,
            principal,
            "inpatient.bed_days_read",
            patient_id=stay.patient_id,
            detail={"stay": stay.stay_number},
        )
        return _bed_days_out(session, stay.id)


@router.post("/stays/{stay_id}/bed-days")
def charge_bed_days_now(
    stay_id: StayId, principal: Principal = Writer, db: Database = Depends(database)
) -> dict[str, Any]:
    """ "Tính tiền giường đến hôm nay": charge the days that have ended (idempotent)."""
    with db.session() as session:
        stay = get_stay(session, principal, stay_id)
        created = bed_days.charge_bed_days(session, principal, stay)
        return {"charged": len(created), "bed_days": _bed_days_out(session, stay.id)}
