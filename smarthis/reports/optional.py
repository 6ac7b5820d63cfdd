"""Figures whose tables belong to modules built beside this one (inpatient beds, signed
documents). Each is read only when its module is there at import time; otherwise the
dashboard says "chưa có dữ liệu" instead of showing figures nobody measured."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.reports.sql import day_bounds, seconds_between
from smarthis.reports.tables import Table

try:
    from smarthis.inpatient.models import Bed, Stay, Ward
except ImportError:  # the inpatient module is not part of this build
    Bed = Stay = Ward = None  # type: ignore[assignment,misc]

try:
    from smarthis.documents.models import Document, DocumentSignature
except ImportError:  # the signed-documents module is not part of this build
    Document = DocumentSignature = None  # type: ignore[assignment,misc]

# Beds out of service are not beds a patient can be given.
COUNTED_BED_STATUSES = ("available", "occupied", "cleaning")
# A clinical paper is signed late when its first signature comes more than this long after
# it was filed (or it is still unsigned after it): the hospital's rule, shown on the screen.
SIGNING_DEADLINE = timedelta(hours=24)


def bed_occupancy(session: Session, facility_code: str, first: date, last: date) -> Table:
    """Per ward: usable beds and occupied beds now, and the range's occupancy — patient-
    days spent in a bed over bed-days available (today's bed count over the range's days)."""
    table = Table(
        key="beds",
        title_vi="Công suất sử dụng giường",
        columns=[
            ("ward", "Khoa/buồng điều trị"),
            ("beds", "Số giường sử dụng được"),
            ("occupied", "Đang có người bệnh"),
            ("occupancy", "Công suất hiện tại"),
            ("bed_days", "Ngày giường sử dụng trong kỳ"),
            ("range_occupancy", "Công suất trong kỳ"),
        ],
    )
    if Bed is None or Ward is None or Stay is None:
        table.available = False
        return table
    days = (last - first).days + 1
    occupied = func.sum(case((Bed.status == "occupied", 1), else_=0))
    rows = session.execute(
        select(Ward.id, Ward.name, func.count(Bed.id), occupied)
        .join(Bed, Bed.ward_id == Ward.id)
        .where(Ward.facility_code == facility_code, Bed.status.in_(COUNTED_BED_STATUSES))
        .group_by(Ward.id, Ward.name)
        .order_by(Ward.name)
    ).all()
    used_days = _bed_days(session, facility_code, first, last)
    for ward_id, name, beds, used in rows:
        beds, used = int(beds), int(used or 0)
        bed_days = round(used_days.get(ward_id, 0.0), 1)
        table.rows.append(
            {
                "ward": name,
                "beds": beds,
                "occupied": used,
                "occupancy": round(used / beds, 3) if beds else None,
                "bed_days": bed_days,
                "range_occupancy": round(bed_days / (beds * days), 3) if beds else None,
            }
        )
    beds = sum(r["beds"] for r in table.rows)
    used = sum(r["occupied"] for r in table.rows)
    bed_days = sum(r["bed_days"] for r in table.rows)
    table.summary = {
        "beds": beds,
        "occupied": used,
        "occupancy": round(used / beds, 3) if beds else None,
        "range_occupancy": round(bed_days / (beds * days), 3) if beds else None,
    }
    return table


def _bed_days(session: Session, facility_code: str, first: date, last: date) -> dict[int, float]:
    """ward id -> days patients spent in a bed within the range (stays cut at its ends;
    a stay still open counts until the range's end or now, whichever comes first)."""
    start, end = day_bounds(first, last)
    until = min(end, utcnow())
    rows = session.execute(
        select(Stay.ward_id, Stay.admitted_at, Stay.discharged_at).where(
            Stay.facility_code == facility_code,
            Stay.bed_id.is_not(None),
            Stay.admitted_at < until,
            or_(Stay.discharged_at.is_(None), Stay.discharged_at > start),
        )
    ).all()
    days: dict[int, float] = {}
    for ward_id, admitted, discharged in rows:
        inside = min(discharged or until, until) - max(admitted, start)
        days[ward_id] = days.get(ward_id, 0.0) + max(0.0, inside.total_seconds() / 86400)
    return days


def late_signatures(
    session: Session, facility_code: str, first: date, last: date, now: datetime | None = None
) -> dict[str, int] | None:
    """Author's login -> documents filed in the range and signed after the deadline (or
    unsigned past it); None when the signing module is not part of this build."""
    if Document is None or DocumentSignature is None:
        return None
    start, end = day_bounds(first, last)
    first_signed = (
        select(DocumentSignature.document_id, func.min(DocumentSignature.signed_at).label("at"))
        .group_by(DocumentSignature.document_id)
        .subquery()
    )
    late = or_(
        seconds_between(session, Document.created_at, first_signed.c.at)
        > SIGNING_DEADLINE.total_seconds(),
        and_(
            first_signed.c.at.is_(None),
            Document.created_at < (now or utcnow()) - SIGNING_DEADLINE,
        ),
    )
    rows = session.execute(
        select(Document.created_by, func.count())
        .outerjoin(first_signed, first_signed.c.document_id == Document.id)
        .where(
            Document.facility_code == facility_code,
            Document.created_at >= start,
            Document.created_at < end,
            late,
        )
        .group_by(Document.created_by)
    ).all()
    return {login: int(n) for login, n in rows if login}
