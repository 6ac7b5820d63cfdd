"""The patients' day: visits per day with the kiosk's share, and the wait between steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import VisitStep
from smarthis.clinical.models import Visit
from smarthis.queueing.models import Ticket
from smarthis.reports.sql import as_date, day_bounds, local_day
from smarthis.reports.tables import Table, median_of, minutes, p90_of

# Pairs of milestones whose gap is a wait the hospital reports (VisitStep names).
STEP_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("registered", "called", "Đăng ký → được gọi vào phòng khám"),
    ("called", "examination_started", "Được gọi → bắt đầu khám"),
    ("examination_started", "concluded", "Bắt đầu khám → kết luận"),
    ("concluded", "paid", "Kết luận → thanh toán xong"),
    ("registered", "concluded", "Cả lượt: đăng ký → kết luận"),
)


def visits_per_day(session: Session, facility_code: str, first: date, last: date) -> Table:
    start, end = day_bounds(first, last)
    day = local_day(session, Visit.registered_at)
    rows = session.execute(
        select(
            day,
            func.count(),
            func.sum(case((Visit.registered_via == "kiosk", 1), else_=0)),
        )
        .where(
            Visit.facility_code == facility_code,
            Visit.registered_at >= start,
            Visit.registered_at < end,
        )
        .group_by(day)
    ).all()
    counts = {as_date(d): (int(total), int(kiosk or 0)) for d, total, kiosk in rows}
    table_rows = []
    current = first
    while current <= last:
        total, kiosk = counts.get(current, (0, 0))
        table_rows.append(
            {
                "day": current.isoformat(),
                "visits": total,
                "kiosk": kiosk,
                "reception": total - kiosk,
                "kiosk_share": round(kiosk / total, 3) if total else None,
            }
        )
        current += timedelta(days=1)
    total = sum(r["visits"] for r in table_rows)
    kiosk = sum(r["kiosk"] for r in table_rows)
    return Table(
        key="visits",
        title_vi="Lượt khám theo ngày",
        columns=[
            ("day", "Ngày"),
            ("visits", "Lượt khám"),
            ("kiosk", "Đăng ký tại kiosk"),
            ("reception", "Đăng ký tại quầy"),
            ("kiosk_share", "Tỷ lệ kiosk"),
        ],
        rows=table_rows,
        summary={
            "visits": total,
            "kiosk": kiosk,
            "kiosk_share": round(kiosk / total, 3) if total else None,
        },
    )


def _milestones(
    session: Session, facility_code: str, first: date, last: date
) -> list[dict[str, datetime | None]]:
    """Per visit registered in the range: when each milestone was first reached."""
    start, end = day_bounds(first, last)
    in_range = (
        select(Visit.id)
        .where(
            Visit.facility_code == facility_code,
            Visit.registered_at >= start,
            Visit.registered_at < end,
        )
        .scalar_subquery()
    )
    called = (
        select(Ticket.visit_id, func.min(Ticket.called_at).label("called"))
        .where(Ticket.visit_id.in_(in_range), Ticket.called_at.is_not(None))
        .group_by(Ticket.visit_id)
        .subquery()
    )

    def first_at(step: str):  # noqa: ANN202 - an SQL expression
        return func.min(case((VisitStep.step == step, VisitStep.at))).label(step)

    steps = (
        select(
            VisitStep.visit_id,
            first_at("called"),
            first_at("examination_started"),
            first_at("concluded"),
            first_at("paid"),
        )
        .where(VisitStep.visit_id.in_(in_range))
        .group_by(VisitStep.visit_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Visit.registered_at,
            called.c.called,
            steps.c.called,
            steps.c.examination_started,
            steps.c.concluded,
            steps.c.paid,
        )
        .outerjoin(called, called.c.visit_id == Visit.id)
        .outerjoin(steps, steps.c.visit_id == Visit.id)
        .where(Visit.id.in_(in_range))
    ).all()
    return [
        {
            "registered": registered,
            # The queue's first call; a "called" step written by a workstation also counts.
            "called": min((t for t in (ticket_called, step_called) if t), default=None),
            "examination_started": started,
            "concluded": concluded,
            "paid": paid,
        }
        for registered, ticket_called, step_called, started, concluded, paid in rows
    ]


def waits_per_step(session: Session, facility_code: str, first: date, last: date) -> Table:
    visits = _milestones(session, facility_code, first, last)
    rows = []
    for before, after, name in STEP_PAIRS:
        gaps = [
            (v[after] - v[before]).total_seconds()  # type: ignore[operator]
            for v in visits
            if v[before] is not None and v[after] is not None and v[after] >= v[before]  # type: ignore[operator]
        ]
        rows.append(
            {
                "step": f"{before}->{after}",
                "name": name,
                "visits": len(gaps),
                "median_minutes": minutes(median_of(gaps)),
                "p90_minutes": minutes(p90_of(gaps)),
            }
        )
    return Table(
        key="waits",
        title_vi="Thời gian chờ theo bước (phút)",
        columns=[
            ("name", "Bước"),
            ("visits", "Số lượt đo được"),
            ("median_minutes", "Trung vị (phút)"),
            ("p90_minutes", "P90 (phút)"),
        ],
        rows=rows,
    )
