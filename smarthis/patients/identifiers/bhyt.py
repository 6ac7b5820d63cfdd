"""BHYT (health-insurance) card codes.

Cards printed before 2021 carry 15 characters: group (2 letters), benefit level (1 digit
1-5), province of the issuing office (2 digits), social-insurance number (10 digits), e.g.
`DN4010123456789`. Newer cards print only the 10-digit social-insurance number; the full
code then comes from the insurance portal's card check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from smarthis.catalogs.admin_units import province_name
from smarthis.errors import DomainError
from smarthis.patients.identifiers.bhyt_data import (
    ARMED_FORCES_OFFICES,
    BENEFICIARY_GROUPS,
    BENEFIT_LEVELS,
    BenefitLevel,
)

FULL_CODE_LENGTH = 15
BHXH_NUMBER_LENGTH = 10
_FIELD = "code"
# People type the code the way it is grouped on the card: "DN 4 01 0123456789", "dn4-01-...".
_SEPARATORS = re.compile(r"[\s\-]")
_TWO_LETTERS = re.compile(r"[A-Z]{2}")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class BhytCard:
    bhxh_number: str  # 10-digit social-insurance number, the stable part
    code: str | None = None  # 15-character code; None when only the 10 digits were given
    group: str | None = None
    benefit_level: int | None = None
    province_code: str | None = None  # of the issuing office

    @property
    def coverage(self) -> BenefitLevel | None:
        return BENEFIT_LEVELS[self.benefit_level] if self.benefit_level is not None else None

    @property
    def coverage_percent(self) -> int | None:
        return self.coverage.percent if self.coverage else None

    def as_dict(self) -> dict[str, object]:
        level = self.coverage
        group = BENEFICIARY_GROUPS[self.group] if self.group is not None else None
        return {
            "code": self.code,
            "group": self.group,
            "group_name": group.name_vi if group else None,
            "group_name_en": group.name_en if group else None,
            "benefit_level": self.benefit_level,
            "coverage_percent": self.coverage_percent,
            "coverage": level.description_vi if level else None,
            "coverage_en": level.description_en if level else None,
            "province_code": self.province_code,
            "province_name": issuing_office_name(self.province_code),
            "bhxh_number": self.bhxh_number,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def issuing_office_name(code: str | None) -> str | None:
    if code is None:
        return None
    return ARMED_FORCES_OFFICES.get(code) or province_name(code)


def normalise_bhyt(code: str) -> str:
    return _SEPARATORS.sub("", code).upper()


def parse_bhyt(code: str) -> BhytCard:
    compact = normalise_bhyt(code)
    if len(compact) == BHXH_NUMBER_LENGTH and not compact[:1].isalpha():
        return BhytCard(bhxh_number=_bhxh_number(compact))
    if len(compact) != FULL_CODE_LENGTH:
        raise DomainError(
            "bhyt_length",
            f"Mã thẻ BHYT phải có 15 ký tự hoặc 10 chữ số mã BHXH (nhận được {len(compact)})",
            f"A BHYT code has 15 characters, or 10 digits for the BHXH number (got {len(compact)})",
            _FIELD,
        )
    group, level, province, number = compact[:2], compact[2], compact[3:5], compact[5:]
    if _TWO_LETTERS.fullmatch(group) is None:
        raise DomainError(
            "bhyt_group",
            f"Hai ký tự đầu {group!r} phải là chữ cái (mã đối tượng)",
            f"The first two characters {group!r} must be letters (beneficiary group)",
            _FIELD,
        )
    if group not in BENEFICIARY_GROUPS:
        raise DomainError(
            "bhyt_group_unknown",
            f"Mã đối tượng {group} không có trong danh mục",
            f"Beneficiary group {group} is not in the list",
            _FIELD,
        )
    if level not in "12345":
        raise DomainError(
            "bhyt_benefit_level",
            f"Mức hưởng {level!r} phải là một chữ số từ 1 đến 5",
            f"Benefit level {level!r} must be a digit from 1 to 5",
            _FIELD,
        )
    if _DIGITS.fullmatch(province) is None or issuing_office_name(province) is None:
        raise DomainError(
            "bhyt_province",
            f"Mã tỉnh {province!r} trên thẻ BHYT không tồn tại",
            f"Province code {province!r} on the BHYT card does not exist",
            _FIELD,
        )
    return BhytCard(
        code=compact,
        group=group,
        benefit_level=int(level),
        province_code=province,
        bhxh_number=_bhxh_number(number),
    )


def _bhxh_number(digits: str) -> str:
    if _DIGITS.fullmatch(digits) is None or len(digits) != BHXH_NUMBER_LENGTH:
        raise DomainError(
            "bhyt_bhxh_number",
            f"Mã số BHXH {digits!r} phải gồm 10 chữ số",
            f"The BHXH number {digits!r} must be 10 digits",
            _FIELD,
        )
    return digits
