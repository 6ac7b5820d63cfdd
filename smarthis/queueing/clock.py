"""The hospital day: tickets are numbered per day as people count days, in Vietnam."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from smarthis.db import utcnow

HOSPITAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def service_day(at: datetime | None = None) -> date:
    return (at or utcnow()).astimezone(HOSPITAL_TZ).date()


def local_time(at: datetime) -> str:
    return at.astimezone(HOSPITAL_TZ).strftime("%H:%M")


def day_start(day: date) -> datetime:
    """Midnight of the hospital day, as an aware UTC timestamp for queries."""
    return datetime.combine(day, time.min, HOSPITAL_TZ).astimezone(UTC)
