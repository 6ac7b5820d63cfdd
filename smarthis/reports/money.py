"""Money in per day (payments less refunds) and where the insurance claims stand."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.billing.models import Payment, Refund
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.reports.sql import as_date, day_bounds, local_day
from smarthis.reports.tables import Table

METHODS = ("cash", "card", "vietqr")
CLAIM_STATUS_VI = {
    "pending": "Chờ gửi",
    "sent": "Đang gửi",
    "accepted": "Cổng BHXH đã tiếp nhận",
    "rejected": "Bị từ chối",
}
DOCUMENT_VI = {"checkin": "Bảng check-in", "claim": "Hồ sơ đề nghị thanh toán (XML 130)"}


def revenue_per_day(session: Session, facility_code: str, first: date, last: date) -> Table:
    """Money counted on an invoice (applied), by the day it was received and its method;
    transfers still waiting for the cashier's review are not revenue yet."""
    start, end = day_bounds(first, last)
    paid_day = local_day(session, Payment.received_at)
    paid = session.execute(
        select(paid_day, Payment.method, func.sum(Payment.amount_vnd))
        .where(
            Payment.facility_code == facility_code,
            Payment.received_at >= start,
            Payment.received_at < end,
            Payment.applied.is_(True),
        )
        .group_by(paid_day, Payment.method)
    ).all()
    refund_day = local_day(session, Refund.refunded_at)
    refunded = session.execute(
        select(refund_day, func.sum(Refund.amount_vnd))
        .where(
            Refund.facility_code == facility_code,
            Refund.refunded_at >= start,
            Refund.refunded_at < end,
        )
        .group_by(refund_day)
    ).all()
    by_day: dict[date, dict[str, int]] = {}
    for day, method, amount in paid:
        by_day.setdefault(as_date(day), {})[method] = int(amount or 0)
    refunds = {as_date(day): int(amount or 0) for day, amount in refunded}
    rows = []
    current = first
    while current <= last:
        methods = by_day.get(current, {})
        received = sum(methods.values())
        row = {"day": current.isoformat(), **{m: methods.get(m, 0) for m in METHODS}}
        row.update(received=received, refunds=refunds.get(current, 0))
        row["net"] = received - row["refunds"]
        rows.append(row)
        current += timedelta(days=1)
    return Table(
        key="revenue",
        title_vi="Doanh thu theo ngày (VNĐ)",
        columns=[
            ("day", "Ngày"),
            ("cash", "Tiền mặt"),
            ("card", "Thẻ"),
            ("vietqr", "VietQR"),
            ("received", "Tổng thu"),
            ("refunds", "Hoàn trả"),
            ("net", "Thực thu"),
        ],
        rows=rows,
        summary={"net": sum(r["net"] for r in rows), "received": sum(r["received"] for r in rows)},
    )


def claims_status(session: Session, facility_code: str, first: date, last: date) -> Table:
    """Claim files written in the range, by document and where the portal has them."""
    start, end = day_bounds(first, last)
    counts = session.execute(
        select(ClaimSubmission.document, ClaimSubmission.status, func.count())
        .where(
            ClaimSubmission.facility_code == facility_code,
            ClaimSubmission.created_at >= start,
            ClaimSubmission.created_at < end,
        )
        .group_by(ClaimSubmission.document, ClaimSubmission.status)
    ).all()
    found = {(doc, status): int(n) for doc, status, n in counts}
    rows = [
        {
            "document": document,
            "document_name": DOCUMENT_VI[document],
            "status": status,
            "status_name": CLAIM_STATUS_VI[status],
            "count": found.get((document, status), 0),
        }
        for document in DOCUMENT_VI
        for status in CLAIM_STATUS_VI
    ]
    return Table(
        key="claims",
        title_vi="Tình trạng hồ sơ BHYT",
        columns=[
            ("document_name", "Loại hồ sơ"),
            ("status_name", "Tình trạng"),
            ("count", "Số hồ sơ"),
        ],
        rows=rows,
    )
