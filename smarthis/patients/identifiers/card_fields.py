"""Reading the values printed on or stored in a CCCD card: sex words and dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from smarthis.errors import DomainError
from smarthis.text import fold

Sex = Literal["male", "female"]

# Folded, so "Nữ", "NỮ", "Nu" and "nữ" in decomposed form all land on "nu".
_SEX_WORDS: dict[str, Sex] = {
    "nam": "male",
    "male": "male",
    "nu": "female",
    "female": "female",
}

# QR text uses ddMMyyyy, chip readers dd/MM/yyyy, some middleware ISO.
_DATE_SHAPES = (
    re.compile(r"(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})"),
    re.compile(r"(?P<d>[0-9]{2})(?P<m>[0-9]{2})(?P<y>[0-9]{4})"),
    re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"),
)


def parse_sex(word: str, field: str = "sex") -> Sex:
    """'Nam'/'Nữ' as printed (also 'Nu', 'male', 'female', any case) -> 'male'/'female'."""
    sex = _SEX_WORDS.get(fold(word))
    if sex is None:
        raise DomainError(
            "cccd_sex",
            f"Giới tính {word!r} không hợp lệ (cần Nam hoặc Nữ)",
            f"Sex {word!r} is not valid (expected Nam or Nữ)",
            field,
        )
    return sex


def parse_card_date(text: str, field: str) -> date:
    """Read dd/MM/yyyy, ddMMyyyy or yyyy-MM-dd; refuse days that do not exist (31/02)."""
    value = text.strip()
    for pattern in _DATE_SHAPES:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise DomainError(
                "cccd_date_invalid",
                f"Ngày {value} không tồn tại",
                f"Date {value} does not exist",
                field,
            ) from None
    raise DomainError(
        "cccd_date_format",
        f"Ngày {value!r} không đúng định dạng (ddMMyyyy, dd/MM/yyyy hoặc yyyy-MM-dd)",
        f"Date {value!r} is not in a known format (ddMMyyyy, dd/MM/yyyy or yyyy-MM-dd)",
        field,
    )


def reject_future(value: date, today: date, field: str) -> None:
    if value > today:
        raise DomainError(
            "cccd_date_future",
            f"Ngày {value:%d/%m/%Y} nằm trong tương lai",
            f"Date {value.isoformat()} is in the future",
            field,
        )
