"""The management dashboard: every figure for a date range, as report tables."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from smarthis.errors import DomainError, NotFound
from smarthis.reports.consultations import consultation_counts
from smarthis.reports.flow import visits_per_day, waits_per_step
from smarthis.reports.money import claims_status, revenue_per_day
from smarthis.reports.optional import bed_occupancy
from smarthis.reports.tables import Table
from smarthis.reports.work import work_tables

MAX_RANGE_DAYS = 366
TABLE_KEYS = (
    "visits",
    "waits",
    "revenue",
    "claims",
    "beds",
    "consultations",
    "staff_work",
    "department_work",
)


def check_range(first: date, last: date) -> None:
    if last < first:
        raise DomainError(
            "date_range",
            "Đến ngày phải không trước từ ngày",
            "The end date is before the start date",
            field="to",
        )
    if (last - first).days >= MAX_RANGE_DAYS:
        raise DomainError(
            "date_range",
            f"Khoảng ngày tối đa {MAX_RANGE_DAYS} ngày",
            f"At most {MAX_RANGE_DAYS} days",
            field="to",
        )


def dashboard(session: Session, facility_code: str, first: date, last: date) -> list[Table]:
    check_range(first, last)
    staff_work, department_work = work_tables(session, facility_code, first, last)
    return [
        visits_per_day(session, facility_code, first, last),
        waits_per_step(session, facility_code, first, last),
        revenue_per_day(session, facility_code, first, last),
        claims_status(session, facility_code, first, last),
        bed_occupancy(session, facility_code, first, last),
        consultation_counts(session, facility_code, first, last),
        staff_work,
        department_work,
    ]


def one_table(session: Session, facility_code: str, key: str, first: date, last: date) -> Table:
    """One table for its CSV export (only that table's queries run)."""
    check_range(first, last)
    builders = {
        "visits": lambda: visits_per_day(session, facility_code, first, last),
        "waits": lambda: waits_per_step(session, facility_code, first, last),
        "revenue": lambda: revenue_per_day(session, facility_code, first, last),
        "claims": lambda: claims_status(session, facility_code, first, last),
        "beds": lambda: bed_occupancy(session, facility_code, first, last),
        "consultations": lambda: consultation_counts(session, facility_code, first, last),
        "staff_work": lambda: work_tables(session, facility_code, first, last)[0],
        "department_work": lambda: work_tables(session, facility_code, first, last)[1],
    }
    if key not in builders:
        raise NotFound(
            "report_unknown",
            f"Không có bảng báo cáo '{key}' ({', '.join(TABLE_KEYS)})",
            f"No report table '{key}'",
            field="table",
        )
    return builders[key]()
