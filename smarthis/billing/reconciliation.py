"""The cashier's day-end reconciliation: what each cashier (and the bank) took and gave
back on one hospital day, by method: counts and sums to match the drawer and the statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.billing.models import Payment, Refund
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.principal import Principal


@dataclass
class MethodTotals:
    method: str
    payments: int = 0
    received_vnd: int = 0
    refunds: int = 0
    refunded_vnd: int = 0

    @property
    def net_vnd(self) -> int:
        return self.received_vnd - self.refunded_vnd


@dataclass
class CashierTotals:
    cashier: str  # login, or "bank" for transfers
    methods: dict[str, MethodTotals] = field(default_factory=dict)

    def method(self, name: str) -> MethodTotals:
        return self.methods.setdefault(name, MethodTotals(name))

    @property
    def net_vnd(self) -> int:
        return sum(m.net_vnd for m in self.methods.values())


@dataclass
class DayEnd:
    day: date
    cashiers: list[CashierTotals]
    needs_review: int

    @property
    def received_vnd(self) -> int:
        return sum(m.received_vnd for c in self.cashiers for m in c.methods.values())

    @property
    def refunded_vnd(self) -> int:
        return sum(m.refunded_vnd for c in self.cashiers for m in c.methods.values())


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=HOSPITAL_TZ)
    return start, start + timedelta(days=1)


def day_end(session: Session, actor: Principal, day: date) -> DayEnd:
    start, end = _day_bounds(day)
    cashiers: dict[str, CashierTotals] = {}
    received = session.execute(
        select(
            Payment.received_by,
            Payment.method,
            func.count(Payment.id),
            func.coalesce(func.sum(Payment.amount_vnd), 0),
        )
        .where(
            Payment.facility_code == actor.facility_code,
            Payment.received_at >= start,
            Payment.received_at < end,
        )
        .group_by(Payment.received_by, Payment.method)
    ).all()
    for who, method, count, total in received:
        totals = cashiers.setdefault(who, CashierTotals(who)).method(method)
        totals.payments, totals.received_vnd = int(count), int(total)
    given_back = session.execute(
        select(
            Refund.refunded_by,
            Refund.method,
            func.count(Refund.id),
            func.coalesce(func.sum(Refund.amount_vnd), 0),
        )
        .where(
            Refund.facility_code == actor.facility_code,
            Refund.refunded_at >= start,
            Refund.refunded_at < end,
        )
        .group_by(Refund.refunded_by, Refund.method)
    ).all()
    for who, method, count, total in given_back:
        totals = cashiers.setdefault(who, CashierTotals(who)).method(method)
        totals.refunds, totals.refunded_vnd = int(count), int(total)
    flagged = session.execute(
        select(func.count(Payment.id)).where(
            Payment.facility_code == actor.facility_code,
            Payment.status == "needs_review",
            Payment.received_at < end,
        )
    ).scalar_one()
    return DayEnd(day, sorted(cashiers.values(), key=lambda c: c.cashier), int(flagged))


def day_end_json(report: DayEnd) -> dict[str, object]:
    return {
        "day": report.day.isoformat(),
        "received_vnd": report.received_vnd,
        "refunded_vnd": report.refunded_vnd,
        "net_vnd": report.received_vnd - report.refunded_vnd,
        "needs_review": report.needs_review,
        "cashiers": [
            {
                "cashier": c.cashier,
                "net_vnd": c.net_vnd,
                "methods": [
                    {
                        "method": m.method,
                        "payments": m.payments,
                        "received_vnd": m.received_vnd,
                        "refunds": m.refunds,
                        "refunded_vnd": m.refunded_vnd,
                        "net_vnd": m.net_vnd,
                    }
                    for m in sorted(c.methods.values(), key=lambda m: m.method)
                ],
            }
            for c in report.cashiers
        ],
    }
