"""The visit's invoice: its charges split between the insurance fund and the patient by
the co-payment engine, stored with each line's share and its Vietnamese explanation.

An open (unpaid) invoice follows its inputs: when charges, the category or the card change,
the next look voids it and writes the next version under the same number. A paid invoice
never changes; charges added after payment go on a new invoice of their own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.billing.charges import active_charges, cancel_charges_of_cancelled_items
from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import MAX_ID, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.inpatient.bed_days import charge_bed_days
from smarthis.inpatient.models import Stay
from smarthis.insurance import copay
from smarthis.patients.identifiers.bhyt import parse_bhyt
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.principal import Principal

SELF_PAY_CATEGORY = "9"  # MA_DOITUONG_KCB 9: not using the card
# The engine needs a level even when nobody uses a card; with category 9 it pays nothing.
_NEUTRAL_LEVEL = 4
OPEN, PAID, VOIDED, REFUNDED = "open", "paid", "voided", "refunded"


@dataclass(frozen=True)
class SplitBasis:
    category: str
    benefit_level: int | None
    visit_date: date
    copay_paid_before: int
    warnings_vi: tuple[str, ...]
    inpatient: bool = False  # the visit is an inpatient stay's encounter


def hospital_day(moment: datetime) -> date:
    return moment.astimezone(HOSPITAL_TZ).date()


def visit_for(session: Session, actor: Principal, visit_id: int, *, lock: bool = False) -> Visit:
    visit = None
    if 1 <= visit_id <= MAX_ID:
        query = select(Visit).where(Visit.id == visit_id)
        visit = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if visit is None or visit.facility_code != actor.facility_code:
        raise NotFound(
            "visit_not_found",
            f"Không có lượt khám số {visit_id}",
            f"No visit {visit_id}",
            field="visit_id",
        )
    return visit


def _card_level(visit: Visit) -> tuple[int | None, str | None]:
    """The benefit level of a card the portal verified; else why the visit is self-paid."""
    if not visit.uses_insurance or visit.proposed_category == SELF_PAY_CATEGORY:
        return None, None
    if visit.card_check_status != "verified":
        return None, (
            "Thẻ BHYT chưa được xác minh với cổng BHXH: tạm tính không hưởng BHYT; "
            "hoá đơn được tính lại khi thẻ được xác minh"
        )
    try:
        level = parse_bhyt(visit.bhyt_code or "").benefit_level
    except DomainError:
        level = None
    if level is None:
        return None, "Không đọc được mức hưởng từ mã thẻ BHYT: tạm tính không hưởng BHYT"
    return level, None


def copay_paid_this_year(
    session: Session, visit: Visit, on: date, excluding: int | None = None
) -> int:
    """Co-payments of this patient's paid invoices of the calendar year (earlier visits and
    earlier invoices of this visit): the five-year cap counts them."""
    start = datetime(on.year, 1, 1, tzinfo=HOSPITAL_TZ)
    end = datetime(on.year + 1, 1, 1, tzinfo=HOSPITAL_TZ)
    query = select(func.coalesce(func.sum(Invoice.patient_copay), 0)).where(
        Invoice.facility_code == visit.facility_code,
        Invoice.patient_id == visit.patient_id,
        Invoice.status == PAID,
        Invoice.created_at >= start,
        Invoice.created_at < end,
    )
    if excluding is not None:
        query = query.where(Invoice.id != excluding)
    return int(session.execute(query).scalar_one())


def split_basis(session: Session, visit: Visit) -> SplitBasis:
    level, why = _card_level(visit)
    on = hospital_day(visit.registered_at)
    chosen = visit.confirmed_category or visit.proposed_category  # confirmed at conclusion
    category = chosen if level is not None else SELF_PAY_CATEGORY
    return SplitBasis(
        category=category or SELF_PAY_CATEGORY,
        benefit_level=level,
        visit_date=on,
        copay_paid_before=copay_paid_this_year(session, visit, on),
        warnings_vi=(why,) if why else (),
        inpatient=stay_of_visit(session, visit.id) is not None,
    )


def stay_of_visit(session: Session, visit_id: int) -> Stay | None:
    """The inpatient stay whose encounter the visit is: billed with the inpatient rules."""
    return session.execute(
        select(Stay).where(Stay.visit_id == visit_id).order_by(Stay.id.desc()).limit(1)
    ).scalar_one_or_none()


def engine_visit(basis: SplitBasis, charges: list[Charge]) -> copay.Visit:
    return copay.Visit(
        visit_date=basis.visit_date,
        benefit_level=basis.benefit_level or _NEUTRAL_LEVEL,
        category=basis.category,
        inpatient=basis.inpatient,
        five_years_reached_on=None,  # the portal's ngayDu5Nam is not kept on the visit yet
        copay_paid_this_year=basis.copay_paid_before,
        lines=tuple(
            copay.ChargeLine(
                quantity=Decimal(c.quantity),
                hospital_price=Decimal(c.hospital_price_vnd),
                insurance_price=Decimal(c.insurance_price_vnd),
                ratio_service=Decimal(c.ratio_service),
                ratio_insurance=Decimal(c.ratio_insurance),
                in_benefit_list=c.in_benefit_list,
            )
            for c in charges
        ),
    )


def _digest(basis: SplitBasis, charges: list[Charge]) -> str:
    data = {
        "basis": [basis.category, basis.benefit_level, str(basis.visit_date), basis.inpatient],
        "copay_before": basis.copay_paid_before,
        "charges": [
            [
                c.id,
                c.quantity,
                c.hospital_price_vnd,
                c.insurance_price_vnd,
                c.ratio_service,
                c.ratio_insurance,
                c.in_benefit_list,
            ]
            for c in charges
        ],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def invoices_of_visit(session: Session, visit_id: int, *, lock: bool = False) -> list[Invoice]:
    query = select(Invoice).where(Invoice.visit_id == visit_id).order_by(Invoice.id)
    if lock:
        # A bank notification may be paying the open invoice right now: wait for it and
        # read what it wrote, rather than voiding an invoice that has just been paid.
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.execute(query).scalars())


def lines_of(session: Session, invoice_id: int) -> list[InvoiceLine]:
    return list(
        session.execute(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        ).scalars()
    )


def _settled_charge_ids(session: Session, visit_id: int) -> set[int]:
    """Charges already on a paid invoice, or on one refunded (the money given back on
    purpose, with a reason): never billed again by themselves."""
    return set(
        session.execute(
            select(InvoiceLine.charge_id)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.visit_id == visit_id, Invoice.status.in_((PAID, REFUNDED)))
        ).scalars()
    )


def _new_number(session: Session, facility_code: str) -> str:
    day = hospital_day(utcnow()).strftime("%y%m%d")
    sequence = next_value(session, f"invoice:{facility_code}:{day}")
    return f"{day}{sequence:05d}"


def payment_reference(number: str, version: int) -> str:
    """What the transfer's purpose carries, e.g. HD26112600001V2 (ASCII, under 25 chars)."""
    return f"HD{number}V{version}"


def _void(invoice: Invoice, reason: str, by: str) -> None:
    invoice.status = VOIDED
    invoice.voided_at = utcnow()
    invoice.void_reason = reason
    invoice.voided_by = by


def _write_invoice(
    session: Session,
    visit: Visit,
    basis: SplitBasis,
    charges: list[Charge],
    digest: str,
    by: str,
    previous: Invoice | None,
) -> Invoice:
    split = copay.split_visit(engine_visit(basis, charges))
    number = previous.invoice_number if previous else _new_number(session, visit.facility_code)
    version = previous.version + 1 if previous else 1
    totals = split.totals
    invoice = Invoice(
        facility_code=visit.facility_code,
        visit_id=visit.id,
        patient_id=visit.patient_id,
        invoice_number=number,
        version=version,
        payment_reference=payment_reference(number, version),
        status=OPEN,
        category=basis.category,
        benefit_level=basis.benefit_level,
        muc_huong=split.muc_huong,
        copay_paid_before=basis.copay_paid_before,
        hospital_total=totals.hospital_total,
        insurance_scope_total=totals.insurance_scope_total,
        fund_pays=totals.fund_pays,
        patient_copay=totals.patient_copay,
        patient_self_pay=totals.patient_self_pay,
        amount_due=totals.patient_copay + totals.patient_self_pay,
        paid_vnd=0,
        explanation_vi=split.explanation_vi,
        warnings_vi="\n".join(basis.warnings_vi + split.warnings_vi),
        inputs_digest=digest,
        created_at=utcnow(),
        created_by=by,
    )
    session.add(invoice)
    session.flush()
    for position, (charge, line) in enumerate(zip(charges, split.lines, strict=True)):
        session.add(
            InvoiceLine(
                facility_code=visit.facility_code,
                invoice_id=invoice.id,
                charge_id=charge.id,
                position=position,
                name=charge.name,
                quantity=charge.quantity,
                unit=charge.unit,
                cost_group=charge.cost_group,
                hospital_amount=line.hospital_amount,
                insurance_scope=line.insurance_scope,
                fund_pays=line.fund_pays,
                patient_copay=line.patient_copay,
                patient_self_pay=line.patient_self_pay,
                explanation_vi=line.explanation_vi,
            )
        )
    session.flush()
    return invoice


def current_invoice(session: Session, actor: Principal, visit_id: int) -> Invoice | None:
    """The invoice to pay now for the visit, computed or brought up to date; the latest
    paid one when nothing is left to pay; None when the visit has no charges at all.

    The visit row is locked: two screens opening the bill at once write one invoice."""
    visit = visit_for(session, actor, visit_id, lock=True)
    stay = stay_of_visit(session, visit.id)
    if stay is not None:  # the bed days up to today are on the bill the cashier opens
        charge_bed_days(session, actor, stay)
    cancel_charges_of_cancelled_items(session, visit.id)
    settled = _settled_charge_ids(session, visit.id)
    charges = [c for c in active_charges(session, visit.id) if c.id not in settled]
    invoices = invoices_of_visit(session, visit.id, lock=True)
    open_one = next((i for i in reversed(invoices) if i.status == OPEN), None)
    if open_one is not None and open_one.paid_vnd > 0:
        return open_one  # partly paid: frozen until the cashier settles it
    if not charges:
        if open_one is not None:
            _void(open_one, "Không còn chi phí chưa thanh toán", actor.name)
        return next((i for i in reversed(invoices) if i.status != VOIDED), None)
    basis = split_basis(session, visit)
    digest = _digest(basis, charges)
    if open_one is not None and open_one.inputs_digest == digest:
        return open_one
    if open_one is not None:
        _void(open_one, "Chi phí hoặc thông tin thẻ thay đổi: tính lại", actor.name)
    return _write_invoice(session, visit, basis, charges, digest, actor.name, open_one)


def lock_invoice(session: Session, invoice_id: int) -> Invoice | None:
    """Lock the invoice's visit, then the invoice: every writer of billing rows takes the
    visit first (and the audit head last), so two writers never wait on each other in a
    circle. The invoice is read again after the wait: what a concurrent payment wrote."""
    visit_id = session.execute(select(Invoice.visit_id).where(Invoice.id == invoice_id)).scalar()
    if visit_id is None:
        return None
    session.execute(select(Visit.id).where(Visit.id == visit_id).with_for_update())
    return session.execute(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def invoice_for(
    session: Session, actor: Principal, invoice_id: int, *, lock: bool = False
) -> Invoice:
    invoice = None
    if 1 <= invoice_id <= MAX_ID:
        if lock:
            invoice = lock_invoice(session, invoice_id)
        else:
            query = select(Invoice).where(Invoice.id == invoice_id)
            invoice = session.execute(query).scalar_one_or_none()
    if invoice is None or invoice.facility_code != actor.facility_code:
        raise NotFound(
            "invoice_not_found",
            f"Không có hoá đơn số {invoice_id}",
            f"No invoice {invoice_id}",
            field="invoice_id",
        )
    return invoice


def cancel_invoice(session: Session, actor: Principal, invoice_id: int, reason: str) -> Invoice:
    """Void an unpaid invoice with a reason (e.g. the patient leaves before paying); a
    paid one is refunded instead."""
    invoice = invoice_for(session, actor, invoice_id, lock=True)
    if invoice.status != OPEN or invoice.paid_vnd > 0:
        raise Conflict(
            "invoice_not_cancellable",
            "Chỉ huỷ được hoá đơn chưa thu tiền; hoá đơn đã thu thì hoàn tiền",
            "Only an unpaid invoice can be cancelled; refund a paid one",
            field="invoice_id",
        )
    _void(invoice, reason, actor.name)
    return invoice
