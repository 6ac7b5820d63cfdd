"""Provinces, districts and wards of Vietnam as listed on 11/06/2024.

The 2025 reorganisation (34 provinces, no districts) is not reflected: citizen-ID numbers,
insurance cards and most addresses already on file still use these codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from smarthis.catalogs.csv_source import data_file, read_rows, reject_row, require_match

ADMIN_UNITS_FILE = "admin_units_vn_2024.csv"
WARD_LEVELS = ("Phường", "Xã", "Thị trấn")
# Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have no commune-level
# unit; the list carries them as a row whose ward level is the district itself.
DISTRICT_WITHOUT_WARDS = "Huyện"

_COLUMNS = (
    "province_code",
    "province",
    "district_code",
    "district",
    "ward_code",
    "ward",
    "ward_level",
)
_PROVINCE = re.compile(r"\d{2}")
_DISTRICT = re.compile(r"\d{3}")
_WARD = re.compile(r"\d{5}")


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """One row of the list: a ward with the district and province it belongs to."""

    province_code: str  # 2 digits, e.g. "48"
    province_name: str
    district_code: str  # 3 digits
    district_name: str
    ward_code: str | None  # 5 digits; None for an island district without wards
    ward_name: str | None
    ward_level: str  # "Phường", "Xã", "Thị trấn" (or "Huyện" when there is no ward)


def _parse_row(path: Path, line: int, row: dict[str, str]) -> AdminUnit:
    def check(column: str, pattern: re.Pattern[str], shape: str) -> str:
        return require_match(pattern, row[column], path=path, line=line, column=column, shape=shape)

    level = row["ward_level"]
    has_ward = level != DISTRICT_WITHOUT_WARDS
    if has_ward and level not in WARD_LEVELS:
        raise reject_row(
            path, line, "ward_level", f"cấp {level!r} không được biết", f"unknown level {level!r}"
        )
    if not has_ward and (row["ward_code"] or row["ward"]):
        raise reject_row(
            path,
            line,
            "ward_code",
            "huyện không có xã lại có mã xã",
            "district row has a ward code",
        )
    for column in ("province", "district") + (("ward",) if has_ward else ()):
        if not row[column]:
            raise reject_row(path, line, column, "trống", "is empty")
    return AdminUnit(
        province_code=check("province_code", _PROVINCE, "NN"),
        province_name=row["province"],
        district_code=check("district_code", _DISTRICT, "NNN"),
        district_name=row["district"],
        ward_code=check("ward_code", _WARD, "NNNNN") if has_ward else None,
        ward_name=row["ward"] if has_ward else None,
        ward_level=level,
    )


def load_admin_units(path: Path) -> tuple[AdminUnit, ...]:
    units: list[AdminUnit] = []
    province_names: dict[str, str] = {}
    district_owner: dict[str, tuple[str, str]] = {}
    ward_codes: set[str] = set()
    for line, row in read_rows(path, _COLUMNS):
        unit = _parse_row(path, line, row)
        # The same code must always mean the same place, or lookups would depend on row order.
        known = province_names.setdefault(unit.province_code, unit.province_name)
        if known != unit.province_name:
            raise reject_row(
                path,
                line,
                "province",
                f"mã tỉnh đã dùng cho {known}",
                f"code already used for {known}",
            )
        owner = (unit.province_code, unit.district_name)
        if district_owner.setdefault(unit.district_code, owner) != owner:
            raise reject_row(
                path, line, "district_code", "mã huyện bị dùng lại", "district code reused"
            )
        if unit.ward_code is not None:
            if unit.ward_code in ward_codes:
                raise reject_row(path, line, "ward_code", "mã xã bị trùng", "duplicate ward code")
            ward_codes.add(unit.ward_code)
        units.append(unit)
    return tuple(units)


@lru_cache(maxsize=1)
def admin_units() -> tuple[AdminUnit, ...]:
    return load_admin_units(data_file(ADMIN_UNITS_FILE))


@lru_cache(maxsize=1)
def _province_names() -> Mapping[str, str]:
    return MappingProxyType({unit.province_code: unit.province_name for unit in admin_units()})


def provinces() -> dict[str, str]:
    """2-digit province code -> name, e.g. "01" -> "Thành phố Hà Nội" (a fresh copy)."""
    return dict(_province_names())


def province_name(code: str) -> str | None:
    return _province_names().get(code)


@lru_cache(maxsize=1)
def _units_by_province() -> Mapping[str, tuple[AdminUnit, ...]]:
    grouped: dict[str, list[AdminUnit]] = {}
    for unit in admin_units():
        grouped.setdefault(unit.province_code, []).append(unit)
    return MappingProxyType({code: tuple(units) for code, units in grouped.items()})


def districts(province_code: str) -> dict[str, str]:
    """District code -> name within a province (empty for an unknown province)."""
    units = _units_by_province().get(province_code, ())
    return {unit.district_code: unit.district_name for unit in units}


def wards(district_code: str) -> dict[str, str]:
    """Ward code -> name within a district (empty for an unknown district or an island one)."""
    return {
        unit.ward_code: unit.ward_name
        for unit in admin_units()
        if unit.district_code == district_code
        and unit.ward_code is not None
        and unit.ward_name is not None
    }


def wards_in_province(province_code: str) -> tuple[AdminUnit, ...]:
    """Every ward of a province with its district, in list order (island districts left out)."""
    units = _units_by_province().get(province_code, ())
    return tuple(unit for unit in units if unit.ward_code is not None)
