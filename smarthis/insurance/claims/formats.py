"""Value formats of XML 130: times yyyyMMddHHmm and dates yyyyMMdd in Vietnam time, lists
joined by ";", numbers rounded half-up to the field's decimals with "." as separator."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

# The standard's times are the hospital's wall clock, which is Vietnam time.
CLAIMS_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LIST_SEPARATOR = ";"


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; claims take timezone-aware times only")
    return moment.astimezone(CLAIMS_TZ)


def timestamp(moment: datetime | None) -> str | None:
    """yyyyMMddHHmm, e.g. 15:20 on 31/03/2017 -> 201703311520."""
    return None if moment is None else local(moment).strftime("%Y%m%d%H%M")


def day(value: date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%Y%m%d")


def birth(value: date | datetime | None, year: int | None = None) -> str | None:
    """NGAY_SINH: 12 characters; unknown day and month, or hour and minute, are zeros."""
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.strftime("%Y%m%d") + "0000"
    if year is not None:
        return f"{year:04d}00000000"
    return None


def joined(values: Iterable[str | None]) -> str | None:
    items = [v for v in values if v]
    return LIST_SEPARATOR.join(items) if items else None


def rounded(value: Decimal | int, decimals: int) -> Decimal:
    exponent = Decimal(1).scaleb(-decimals)
    return Decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)


def number(value: Decimal | int | None, decimals: int = 0) -> str | None:
    """Rounded to `decimals`, written plainly: no exponent, no trailing zeros after the dot."""
    if value is None:
        return None
    return _number(value, decimals)


# Amounts repeat a lot (0, 100, list prices): each (value, places) is written once. Equal
# Decimals such as 5 and 5.00 share an entry, which is right as both are written "5".
@lru_cache(maxsize=65536)
def _number(value: Decimal | int, decimals: int) -> str:
    if isinstance(value, int):
        return str(value)
    exponent = value.as_tuple().exponent
    # Most amounts already carry no more places than allowed: skip the quantize then.
    if not isinstance(exponent, int) or exponent < -decimals:
        value = rounded(value, decimals)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
