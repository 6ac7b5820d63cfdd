"""Readers of field text: numbers, dates and times as the standard writes them."""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
DIGITS_RE = re.compile(r"^\d+$")
MIN_YEAR, MAX_YEAR = 1900, 2100


def as_decimal(text: str | None) -> Decimal | None:
    """The amount a field holds, or None; the field rules report what is malformed."""
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=65536)
def is_date(text: str) -> bool:
    """yyyyMMdd naming a real day (cached: a month of claims repeats few dates)."""
    if len(text) != 8 or not DIGITS_RE.match(text):
        return False
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


@lru_cache(maxsize=65536)
def is_datetime(text: str) -> bool:
    if len(text) != 12 or not is_date(text[:8]):
        return False
    return text[8:].isdigit() and int(text[8:10]) < 24 and int(text[10:]) < 60


@lru_cache(maxsize=65536)
def is_birth(text: str) -> bool:
    """NGAY_SINH: unknown month and day are "00", unknown hour and minute "0000"."""
    if len(text) != 12 or not DIGITS_RE.match(text):
        return False
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    if not MIN_YEAR <= year <= MAX_YEAR or month > 12 or int(text[8:10]) > 23:
        return False
    if int(text[10:]) > 59:
        return False
    if month == 0 or day == 0:
        return day == 0 or month != 0  # a day without a month makes no sense
    return day <= calendar.monthrange(year, month)[1]


def moment(text: str | None) -> datetime | None:
    """yyyyMMddHHmm as a naive wall-clock time, for ordering checks."""
    return _moment(text) if text else None


@lru_cache(maxsize=65536)
def _moment(text: str) -> datetime | None:
    if not is_datetime(text):
        return None
    return datetime(
        int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12])
    )
