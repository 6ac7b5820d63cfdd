"""The two SQL expressions reports need that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, cast, func, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from smarthis.queueing.clock import HOSPITAL_TZ

# Vietnam keeps one offset all year (no summer time), so SQLite can shift by a constant.
HOSPITAL_OFFSET_HOURS = 7


def dialect_of(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def local_day(session: Session, column: Any) -> ColumnElement[Any]:
    """The hospital's calendar day of a UTC timestamp column."""
    if dialect_of(session) == "sqlite":
        return func.date(column, f"+{HOSPITAL_OFFSET_HOURS} hours")
    return func.date(func.timezone(literal_column("'Asia/Ho_Chi_Minh'"), column))


def seconds_between(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    if dialect_of(session) == "sqlite":
        return cast((func.julianday(end) - func.julianday(start)) * 86400.0, Float)
    return cast(func.extract("epoch", end - start), Float)


def as_date(value: Any) -> date:
    """A day as the database returned it (a date on PostgreSQL, text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[midnight of the first day, midnight after the last day) in UTC, for indexed ranges."""
    start = datetime.combine(first, time.min, HOSPITAL_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, HOSPITAL_TZ).astimezone(UTC)
    return start, end
