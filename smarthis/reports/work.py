"""Work monitoring per staff member and department: patients seen and the examination's
length (by the doctor who started it), result turnaround from order to verification (by
the person who verified), and documents signed late (when the signing module exists)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import Examination
from smarthis.orders.models import LabResult, Order, OrderItem, Report
from smarthis.reports.optional import late_signatures
from smarthis.reports.sql import day_bounds, seconds_between
from smarthis.reports.tables import Table, minutes
from smarthis.security.models import Staff
from smarthis.staff.models import StaffProfile

UNKNOWN_DEPARTMENT = "(chưa gán khoa)"


@dataclass
class _Work:
    examinations: int = 0
    concluded: int = 0
    exam_seconds: float = 0.0
    results: int = 0
    turnaround_seconds: float = 0.0
    late_documents: int | None = None
    logins: set[str] = field(default_factory=set)


def _examinations(
    session: Session, facility_code: str, first: date, last: date
) -> dict[str, tuple[int, int, float]]:
    """login -> (examinations started, concluded, total seconds of the concluded ones)."""
    start, end = day_bounds(first, last)
    length = seconds_between(session, Examination.started_at, Examination.concluded_at)
    rows = session.execute(
        select(
            Examination.started_by,
            func.count(),
            func.count(Examination.concluded_at),
            func.sum(length),
        )
        .where(
            Examination.facility_code == facility_code,
            Examination.started_at >= start,
            Examination.started_at < end,
        )
        .group_by(Examination.started_by)
    ).all()
    return {login: (int(n), int(done), float(total or 0)) for login, n, done, total in rows}


def _turnarounds(
    session: Session, facility_code: str, first: date, last: date
) -> dict[str, tuple[int, float]]:
    """login of the verifier -> (items verified, total seconds from order to verification),
    for items ordered in the range; an item's first verification is the one that counts."""
    start, end = day_bounds(first, last)
    verified = union_all(
        select(LabResult.order_item_id, LabResult.verified_at, LabResult.verified_by).where(
            LabResult.facility_code == facility_code, LabResult.verified_at.is_not(None)
        ),
        select(Report.order_item_id, Report.verified_at, Report.verified_by).where(
            Report.facility_code == facility_code, Report.verified_at.is_not(None)
        ),
    ).subquery()
    first_verified = (
        select(verified.c.order_item_id, func.min(verified.c.verified_at).label("at"))
        .group_by(verified.c.order_item_id)
        .subquery()
    )
    rows = session.execute(
        select(
            verified.c.verified_by,
            func.count(func.distinct(OrderItem.id)),
            func.sum(seconds_between(session, Order.ordered_at, first_verified.c.at)),
        )
        .select_from(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .join(first_verified, first_verified.c.order_item_id == OrderItem.id)
        .join(
            verified,
            (verified.c.order_item_id == OrderItem.id)
            & (verified.c.verified_at == first_verified.c.at),
        )
        .where(
            Order.facility_code == facility_code,
            Order.ordered_at >= start,
            Order.ordered_at < end,
        )
        .group_by(verified.c.verified_by)
    ).all()
    return {login: (int(n), float(total or 0)) for login, n, total in rows}


def _people(session: Session, facility_code: str) -> dict[str, tuple[str, str, str]]:
    """login -> (full name, title, department) from the staff profile (or the account)."""
    rows = session.execute(
        select(Staff.login, Staff.full_name, Staff.department_code, StaffProfile)
        .outerjoin(StaffProfile, StaffProfile.staff_id == Staff.id)
        .where(Staff.facility_code == facility_code)
    ).all()
    return {
        login: (
            name,
            (profile.title if profile else None) or "",
            (profile.department_code if profile else None) or department or UNKNOWN_DEPARTMENT,
        )
        for login, name, department, profile in rows
    }


def _averages(work: _Work) -> dict[str, Any]:
    return {
        "patients_seen": work.examinations,
        "avg_exam_minutes": minutes(work.exam_seconds / work.concluded) if work.concluded else None,
        "results_verified": work.results,
        "avg_turnaround_minutes": minutes(work.turnaround_seconds / work.results)
        if work.results
        else None,
        "late_documents": work.late_documents,
    }


COLUMNS = [
    ("patients_seen", "Số bệnh nhân đã khám"),
    ("avg_exam_minutes", "Thời gian khám TB (phút)"),
    ("results_verified", "Số kết quả đã duyệt"),
    ("avg_turnaround_minutes", "Thời gian trả kết quả TB (phút)"),
    ("late_documents", "Văn bản ký muộn"),
]


def work_tables(
    session: Session, facility_code: str, first: date, last: date
) -> tuple[Table, Table]:
    exams = _examinations(session, facility_code, first, last)
    turnarounds = _turnarounds(session, facility_code, first, last)
    late = late_signatures(session, facility_code, first, last)  # None: no signing module
    people = _people(session, facility_code)
    per_staff: dict[str, _Work] = defaultdict(_Work)
    for login, (n, done, seconds) in exams.items():
        per_staff[login].examinations, per_staff[login].concluded = n, done
        per_staff[login].exam_seconds = seconds
    for login, (n, seconds) in turnarounds.items():
        per_staff[login].results, per_staff[login].turnaround_seconds = n, seconds
    for login, n in (late or {}).items():
        per_staff[login].late_documents = n
    if late is not None:
        for work in per_staff.values():
            work.late_documents = work.late_documents or 0
    per_department: dict[str, _Work] = defaultdict(_Work)
    staff_rows = []
    for login in sorted(per_staff, key=lambda x: (people.get(x, ("",) * 3)[2], x)):
        work = per_staff[login]
        name, title, department = people.get(login, (login, "", UNKNOWN_DEPARTMENT))
        staff_rows.append(
            {"login": login, "name": name, "title": title, "department": department}
            | _averages(work)
        )
        total = per_department[department]
        total.examinations += work.examinations
        total.concluded += work.concluded
        total.exam_seconds += work.exam_seconds
        total.results += work.results
        total.turnaround_seconds += work.turnaround_seconds
        if late is not None:
            total.late_documents = (total.late_documents or 0) + (work.late_documents or 0)
        total.logins.add(login)
    department_rows = [
        {"department": department, "staff": len(work.logins)} | _averages(work)
        for department, work in sorted(per_department.items())
    ]
    staff_table = Table(
        key="staff_work",
        title_vi="Theo dõi công việc theo nhân viên",
        columns=[
            ("name", "Họ tên"),
            ("title", "Chức danh"),
            ("login", "Tài khoản"),
            ("department", "Khoa"),
            *COLUMNS,
        ],
        rows=staff_rows,
        summary={"late_documents_available": late is not None},
    )
    department_table = Table(
        key="department_work",
        title_vi="Theo dõi công việc theo khoa",
        columns=[("department", "Khoa"), ("staff", "Số nhân viên"), *COLUMNS],
        rows=department_rows,
        summary={"late_documents_available": late is not None},
    )
    return staff_table, department_table
