"""The pharmacy's stock of drug lots: receiving a lot, what is on the shelf, and choosing
the lots a prescription takes (first expiry, first out; an expired lot never).

A lot whose expiry date is today or earlier is not dispensed: the patient would take the
drug after it. Quantities are counted in the catalogue's unit (viên, ống, gói ...), the
unit the doctor prescribes in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smarthis.catalogs.drugs import Drug, drugs, find_drug
from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.pharmacy.stock_models import DrugLot
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security import audit
from smarthis.security.principal import Principal, system_principal

MAX_RECEIVE_QUANTITY = 1_000_000
# Shown on the pharmacist's screen; a hospital would set a minimum per drug (demo values).
LOW_STOCK_UNITS = 30
EXPIRING_WITHIN_DAYS = 90
_LOT_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/.")


def hospital_today(moment: datetime | None = None) -> date:
    return (moment or utcnow()).astimezone(HOSPITAL_TZ).date()


def is_usable(lot: DrugLot, today: date) -> bool:
    return lot.expiry_date > today


@dataclass(frozen=True)
class Take:
    """So many units from one lot."""

    lot: DrugLot
    quantity: int


@dataclass(frozen=True)
class Shortage:
    drug_code: str
    needed: int
    available: int


def _error(code: str, vi: str, en: str, field: str) -> DomainError:
    return DomainError(code, vi, en, field=field)


def _clean_lot_number(text: str) -> str:
    lot = "".join(text.split()).upper()
    if not lot or len(lot) > 40 or not set(lot) <= _LOT_CHARACTERS:
        raise _error(
            "stock_lot_number",
            "Số lô gồm chữ cái không dấu, chữ số, '-', '/', '.' (tối đa 40 ký tự)",
            "The lot number is letters, digits, '-', '/', '.' (at most 40)",
            "lot_number",
        )
    return lot


def _check_receipt(drug_code: str, quantity: int, expiry: date, today: date) -> Drug:
    drug = find_drug(drug_code.strip())
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise _error(
            "stock_quantity",
            "Số lượng nhập phải là số nguyên lớn hơn 0",
            "The quantity received must be a whole number above zero",
            "quantity",
        )
    if quantity > MAX_RECEIVE_QUANTITY:
        raise _error(
            "stock_quantity_too_large",
            f"Một lần nhập tối đa {MAX_RECEIVE_QUANTITY:,} {drug.unit}".replace(",", "."),
            f"At most {MAX_RECEIVE_QUANTITY} units per receipt",
            "quantity",
        )
    if expiry <= today:
        raise _error(
            "stock_expired",
            f"Lô thuốc hết hạn ngày {expiry:%d/%m/%Y}: không nhập thuốc đã hết hạn",
            f"The lot expired on {expiry.isoformat()}: expired drugs are not received",
            "expiry_date",
        )
    return drug


def _insert_new_lot(
    session: Session,
    actor: Principal,
    drug_code: str,
    lot_number: str,
    expiry_date: date,
    quantity: int,
    unit_cost_vnd: int | None,
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True when the lot is new. Two receipts of one
    new lot at once then add up instead of one failing on the unique constraint."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(DrugLot).values(
        facility_code=actor.facility_code,
        drug_code=drug_code,
        lot_number=lot_number,
        expiry_date=expiry_date,
        quantity_on_hand=quantity,
        quantity_received=quantity,
        unit_cost_vnd=unit_cost_vnd,
        received_at=utcnow(),
        received_by=actor.name,
    )
    # RETURNING, not rowcount: with an implicit RETURNING the driver reports -1.
    inserted = session.execute(
        statement.on_conflict_do_nothing(
            index_elements=["facility_code", "drug_code", "lot_number"]
        ).returning(DrugLot.id)
    ).scalar_one_or_none()
    return inserted is not None


def _find_lot(
    session: Session, facility_code: str, drug_code: str, lot_number: str, *, lock: bool = False
) -> DrugLot:
    query = select(DrugLot).where(
        DrugLot.facility_code == facility_code,
        DrugLot.drug_code == drug_code,
        DrugLot.lot_number == lot_number,
    )
    if lock:
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one()


def receive_lot(
    session: Session,
    actor: Principal,
    drug_code: str,
    lot_number: str,
    expiry_date: date,
    quantity: int,
    unit_cost_vnd: int | None = None,
) -> DrugLot:
    """Put a lot on the shelf, or more of a lot already there (same expiry date)."""
    drug = _check_receipt(drug_code, quantity, expiry_date, hospital_today())
    lot_number = _clean_lot_number(lot_number)
    if unit_cost_vnd is not None and (isinstance(unit_cost_vnd, bool) or unit_cost_vnd < 0):
        raise _error(
            "stock_unit_cost",
            "Giá nhập không được âm",
            "The unit cost is negative",
            "unit_cost_vnd",
        )
    if _insert_new_lot(session, actor, drug.code, lot_number, expiry_date, quantity, unit_cost_vnd):
        lot = _find_lot(session, actor.facility_code, drug.code, lot_number)
    else:
        # The lot is on the shelf (or another receipt just put it there): add to it.
        lot = _find_lot(session, actor.facility_code, drug.code, lot_number, lock=True)
        if lot.expiry_date != expiry_date:
            raise _error(
                "stock_lot_expiry_mismatch",
                f"Lô {lot_number} của thuốc {drug.active_ingredient} đã nhập với hạn dùng "
                f"{lot.expiry_date:%d/%m/%Y}, khác hạn dùng vừa nhập {expiry_date:%d/%m/%Y}",
                f"Lot {lot_number} was received with expiry {lot.expiry_date.isoformat()}",
                "expiry_date",
            )
        # In SQL, not in Python: a dispensing may be taking from it right now.
        session.execute(
            update(DrugLot)
            .where(DrugLot.id == lot.id)
            .values(
                quantity_on_hand=DrugLot.quantity_on_hand + quantity,
                quantity_received=DrugLot.quantity_received + quantity,
            )
            .execution_options(synchronize_session=False)
        )
        if unit_cost_vnd is not None:
            lot.unit_cost_vnd = unit_cost_vnd
    session.flush()
    session.refresh(lot)
    audit.record(
        session,
        actor,
        "pharmacy.stock.receive",
        detail={
            "drug": drug.code,
            "lot": lot_number,
            "expiry": expiry_date.isoformat(),
            "quantity": quantity,
        },
    )
    return lot


def lots_of(session: Session, facility_code: str, drug_codes: Iterable[str]) -> list[DrugLot]:
    codes = sorted(set(drug_codes))
    if not codes:
        return []
    return list(
        session.execute(
            select(DrugLot)
            .where(DrugLot.facility_code == facility_code, DrugLot.drug_code.in_(codes))
            .order_by(DrugLot.drug_code, DrugLot.expiry_date, DrugLot.id)
        ).scalars()
    )


def lock_usable_lots(
    session: Session, facility_code: str, drug_codes: Iterable[str], today: date
) -> list[DrugLot]:
    """The lots a dispensing may take, locked (SELECT ... FOR UPDATE) in id order so two
    dispensings never wait on each other in a circle; read again after the wait, so a
    lot another pharmacist just emptied shows what is left."""
    codes = sorted(set(drug_codes))
    if not codes:
        return []
    return list(
        session.execute(
            select(DrugLot)
            .where(
                DrugLot.facility_code == facility_code,
                DrugLot.drug_code.in_(codes),
                DrugLot.expiry_date > today,
                DrugLot.quantity_on_hand > 0,
            )
            .order_by(DrugLot.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    )


def plan_takes(
    lots: Sequence[DrugLot], needs: Sequence[tuple[str, int]], today: date
) -> tuple[dict[str, list[Take]], list[Shortage]]:
    """For each (drug code, quantity): the lots to take from, first expiry first, and the
    drugs whose usable stock does not cover the need."""
    by_drug: dict[str, list[DrugLot]] = {}
    for lot in lots:
        if is_usable(lot, today) and lot.quantity_on_hand > 0:
            by_drug.setdefault(lot.drug_code, []).append(lot)
    plan: dict[str, list[Take]] = {}
    shortages: list[Shortage] = []
    for drug_code, needed in needs:
        candidates = sorted(by_drug.get(drug_code, []), key=lambda lot: (lot.expiry_date, lot.id))
        available = sum(lot.quantity_on_hand for lot in candidates)
        if available < needed:
            shortages.append(Shortage(drug_code, needed, available))
            continue
        takes: list[Take] = []
        left = needed
        for lot in candidates:
            if left == 0:
                break
            quantity = min(left, lot.quantity_on_hand)
            takes.append(Take(lot, quantity))
            left -= quantity
        plan[drug_code] = takes
    return plan, shortages


def take_from_lot(session: Session, lot_id: int, quantity: int) -> bool:
    """Decrement a lot only if it still holds the quantity (a conditional UPDATE, the
    database's word, not a value read earlier); False when it does not."""
    result = session.execute(
        update(DrugLot)
        .where(DrugLot.id == lot_id, DrugLot.quantity_on_hand >= quantity)
        .values(quantity_on_hand=DrugLot.quantity_on_hand - quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- what is on the shelf ---------------------------------------------------------------


@dataclass(frozen=True)
class LotView:
    id: int
    lot_number: str
    expiry_date: date
    quantity_on_hand: int
    received_at: datetime
    expired: bool
    expiring_soon: bool


@dataclass(frozen=True)
class DrugStock:
    drug: Drug
    usable: int  # units in lots not expired
    lots: list[LotView]
    low: bool
    expiring_soon: bool  # a usable lot with stock expires within EXPIRING_WITHIN_DAYS
    has_expired_stock: bool  # units still on the shelf past their date: to be removed


def lot_view(lot: DrugLot, today: date) -> LotView:
    usable = is_usable(lot, today)
    return LotView(
        id=lot.id,
        lot_number=lot.lot_number,
        expiry_date=lot.expiry_date,
        quantity_on_hand=lot.quantity_on_hand,
        received_at=lot.received_at,
        expired=not usable,
        expiring_soon=usable and lot.expiry_date <= today + timedelta(days=EXPIRING_WITHIN_DAYS),
    )


def stock_list(session: Session, actor: Principal) -> list[DrugStock]:
    """Every catalogue drug with its lots (first expiry first) and its alerts."""
    today = hospital_today()
    lots = lots_of(session, actor.facility_code, drugs().keys())
    by_drug: dict[str, list[DrugLot]] = {}
    for lot in lots:
        by_drug.setdefault(lot.drug_code, []).append(lot)
    result: list[DrugStock] = []
    for drug in drugs().values():
        views = [lot_view(lot, today) for lot in by_drug.get(drug.code, [])]
        usable = sum(v.quantity_on_hand for v in views if not v.expired)
        result.append(
            DrugStock(
                drug=drug,
                usable=usable,
                lots=views,
                low=usable < LOW_STOCK_UNITS,
                expiring_soon=any(v.expiring_soon and v.quantity_on_hand for v in views),
                has_expired_stock=any(v.expired and v.quantity_on_hand for v in views),
            )
        )
    audit.record(session, actor, "pharmacy.stock.read", detail={"lots": len(lots)})
    return result


# --- the demo pharmacy ------------------------------------------------------------------

# The drug whose stock is nearly out in the demo, so the screen shows a low-stock alert.
DEMO_NEARLY_OUT = "T-FILG300"


def seed_demo_stock(session: Session, facility_code: str) -> int:
    """Two lots of every demo catalogue drug: an older lot expiring within a few months
    (dispensed first) and a newer one; one drug nearly out. Returns the lots written (0
    when the pharmacy already has stock)."""
    existing = session.execute(
        select(DrugLot.id).where(DrugLot.facility_code == facility_code).limit(1)
    ).first()
    if existing is not None:
        return 0
    actor = system_principal(facility_code, source="demo")
    today = hospital_today()
    count = 0
    for index, drug in enumerate(drugs().values()):
        older_quantity, newer_quantity = 40 + 10 * (index % 5), 300 + 50 * (index % 4)
        if drug.code == DEMO_NEARLY_OUT:
            older_quantity, newer_quantity = 1, 2
        # The older lot expires in 2-5 months (some within the alert window), the newer in
        # 18-29 months: the screen then shows both alerts and FEFO has a choice to make.
        older_expiry = today + timedelta(days=60 + 30 * (index % 4))
        newer_expiry = today + timedelta(days=540 + 30 * (index % 12))
        suffix = drug.code.removeprefix("T-")[:12]
        for lot_number, expiry, quantity in (
            (f"{suffix}-{older_expiry:%y%m}A", older_expiry, older_quantity),
            (f"{suffix}-{newer_expiry:%y%m}B", newer_expiry, newer_quantity),
        ):
            receive_lot(
                session,
                actor,
                drug.code,
                lot_number,
                expiry,
                quantity,
                unit_cost_vnd=drug.price_vnd * 85 // 100,
            )
            count += 1
    return count
