"""The 12-digit personal identification number printed on the citizen ID card (CCCD).

Layout (Circular 07/2016/TT-BCA, kept by Circular 59/2021): 3 digits for the province
where the birth was registered, 1 digit for century and sex, 2 digits for the last two
digits of the birth year, 6 random digits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from smarthis.catalogs.admin_units import province_name
from smarthis.errors import DomainError
from smarthis.patients.identifiers.card_fields import Sex, parse_sex

# Century/sex digit -> (first year of the century, sex). The circular counts centuries the
# Vietnamese way: 1900-1999 is "thế kỷ 20".
_CENTURY_AND_SEX: dict[str, tuple[int, Sex]] = {
    "0": (1900, "male"),
    "1": (1900, "female"),
    "2": (2000, "male"),
    "3": (2000, "female"),
    "4": (2100, "male"),
    "5": (2100, "female"),
    "6": (2200, "male"),
    "7": (2200, "female"),
    "8": (2300, "male"),
    "9": (2300, "female"),
}
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_SEX_VI = {"male": "Nam", "female": "Nữ"}


@dataclass(frozen=True, slots=True)
class CccdInfo:
    """What the number itself tells, without the card."""

    number: str
    province_code: str  # 3 digits, e.g. "001" Hà Nội
    province_name: str
    sex: Sex
    century: int  # 20 for 1900-1999, as the circular counts
    birth_year: int
    serial: str  # the 6 random digits

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "province_code": self.province_code,
            "province_name": self.province_name,
            "sex": self.sex,
            "century": self.century,
            "birth_year": self.birth_year,
            "serial": self.serial,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def parse_cccd(number: str, *, field: str = "number", today: date | None = None) -> CccdInfo:
    """Decode a 12-digit CCCD / personal identification number.

    Spaces between digit groups and a scanner's BOM are ignored.
    """
    digits = "".join(number.replace("\ufeff", "").split())
    if _TWELVE_DIGITS.fullmatch(digits) is None:
        raise _format_error(digits, field)
    province_code = digits[:3]
    # CCCD province codes are the 2-digit administrative codes with a leading zero.
    name = province_name(province_code[1:]) if province_code.startswith("0") else None
    if name is None:
        raise DomainError(
            "cccd_province",
            f"Mã tỉnh {province_code} không tồn tại",
            f"Province code {province_code} does not exist",
            field,
        )
    century_start, sex = _CENTURY_AND_SEX[digits[3]]
    birth_year = century_start + int(digits[4:6])
    this_year = (today or date.today()).year
    if birth_year > this_year:
        raise DomainError(
            "cccd_birth_year",
            f"Năm sinh {birth_year} theo số CCCD nằm trong tương lai",
            f"Birth year {birth_year} encoded in the number is in the future",
            field,
        )
    return CccdInfo(
        number=digits,
        province_code=province_code,
        province_name=name,
        sex=sex,
        century=century_start // 100 + 1,
        birth_year=birth_year,
        serial=digits[6:],
    )


def _format_error(digits: str, field: str) -> DomainError:
    if not digits.isascii() or not digits.isdigit():
        return DomainError(
            "cccd_format",
            "Số CCCD chỉ được gồm chữ số",
            "The CCCD number may contain digits only",
            field,
        )
    return DomainError(
        "cccd_format",
        f"Số CCCD phải có 12 chữ số (nhận được {len(digits)})",
        f"The CCCD number must have 12 digits (got {len(digits)})",
        field,
    )


def check_cccd_consistency(
    info: CccdInfo,
    date_of_birth: date | None,
    sex: str | None,
    *,
    date_field: str = "date_of_birth",
    sex_field: str = "sex",
) -> None:
    """Refuse a birth date or sex that contradicts what the number encodes (typos, wrong card).

    `sex` may be "male"/"female" or the printed word ("Nam"/"Nữ").
    """
    if date_of_birth is not None and date_of_birth.year != info.birth_year:
        raise DomainError(
            "cccd_birth_year_mismatch",
            f"Năm sinh {date_of_birth.year} không khớp với số CCCD (năm {info.birth_year})",
            f"Birth year {date_of_birth.year} does not match the CCCD number ({info.birth_year})",
            date_field,
        )
    if sex is None:
        return
    given = parse_sex(sex, sex_field)
    if given != info.sex:
        raise DomainError(
            "cccd_sex_mismatch",
            f"Giới tính {_SEX_VI[given]} không khớp với số CCCD ({_SEX_VI[info.sex]})",
            f"Sex {given} does not match the CCCD number ({info.sex})",
            sex_field,
        )
