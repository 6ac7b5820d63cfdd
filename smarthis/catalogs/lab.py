"""Lab analytes with reference ranges by sex and age, critical limits, and panels.

`lab_analytes.csv` has one row per (analyte, sex, age band): sex is "all", "male" or
"female"; the band is [age_from_years, age_to_years), an empty upper age meaning no limit.
Limits are inclusive: low <= value <= high is normal. A value is critical when it is below
critical_low or above critical_high. An empty limit means none on that side ("≤ 40 U/L").

The values are the adult ranges commonly printed by Vietnamese laboratories plus a few
paediatric bands; a real laboratory validates its own. Ages no band covers (infants, for
most analytes) have no range on purpose: a result there is shown without a flag rather than
flagged against adult values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from smarthis.catalogs.csv_source import (
    CatalogError,
    data_file,
    read_rows,
    reject_row,
    require_match,
)
from smarthis.errors import DomainError, NotFound

ANALYTES_FILE = "lab_analytes.csv"
PANELS_FILE = "lab_panels.csv"

Sex = Literal["male", "female"]
Flag = Literal["normal", "low", "high", "critical_low", "critical_high"]
SEXES: tuple[Sex, ...] = ("male", "female")

_ANALYTE_COLUMNS = (
    "analyte_code",
    "name_vi",
    "name_en",
    "unit",
    "sex",
    "age_from_years",
    "age_to_years",
    "low",
    "high",
    "critical_low",
    "critical_high",
)
_PANEL_COLUMNS = ("panel_code", "name_vi", "name_en", "analytes")
_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_OPTIONAL_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?)?")


@dataclass(frozen=True, slots=True)
class ReferenceRange:
    sex: Sex | None  # None: both sexes
    age_from_years: float
    age_to_years: float | None  # exclusive; None: no upper age
    low: float | None
    high: float | None
    critical_low: float | None
    critical_high: float | None
    unit: str
    # The limits as the file writes them ("5.0", not "5"), for display.
    low_text: str | None
    high_text: str | None

    @property
    def text(self) -> str:
        """For display: "130–170 g/L", "≤ 40 U/L", "≥ 35 g/L"."""
        if self.low_text is not None and self.high_text is not None:
            shown = f"{self.low_text}–{self.high_text}"
        elif self.high_text is not None:
            shown = f"≤ {self.high_text}"
        else:
            shown = f"≥ {self.low_text}"
        return f"{shown} {self.unit}" if self.unit else shown

    def applies_to(self, sex: Sex, age_years: float) -> bool:
        return (
            (self.sex is None or self.sex == sex)
            and self.age_from_years <= age_years
            and (self.age_to_years is None or age_years < self.age_to_years)
        )


@dataclass(frozen=True, slots=True)
class LabAnalyte:
    code: str
    name_vi: str
    name_en: str
    unit: str  # empty for unitless results (pH, specific gravity, INR)
    ranges: tuple[ReferenceRange, ...]


@dataclass(frozen=True, slots=True)
class LabPanel:
    code: str
    name_vi: str
    name_en: str
    analytes: tuple[str, ...]  # in report order


@dataclass(frozen=True, slots=True)
class ResultFlag:
    analyte_code: str
    value: float
    flag: Flag
    reference: ReferenceRange  # the range the value was judged against

    @property
    def range_text(self) -> str:
        return self.reference.text

    @property
    def is_abnormal(self) -> bool:
        return self.flag != "normal"

    @property
    def is_critical(self) -> bool:
        return self.flag in ("critical_low", "critical_high")


class NoReferenceRange(NotFound):
    """No range covers this patient (e.g. an infant for an adult-only analyte)."""


# --- loading -----------------------------------------------------------------------------


def _number(path: Path, line: int, row: dict[str, str], column: str) -> float | None:
    text = require_match(
        _OPTIONAL_NUMBER, row[column], path=path, line=line, column=column, shape="12.5"
    )
    return float(text) if text else None


def _parse_range(path: Path, line: int, row: dict[str, str]) -> ReferenceRange:
    sex = row["sex"]
    if sex != "all" and sex not in SEXES:
        raise reject_row(path, line, "sex", "phải là all, male hoặc female", "not all/male/female")
    require_match(
        _NUMBER, row["age_from_years"], path=path, line=line, column="age_from_years", shape="18"
    )
    age_from = float(row["age_from_years"])
    age_to = _number(path, line, row, "age_to_years")
    if age_to is not None and age_to <= age_from:
        raise reject_row(path, line, "age_to_years", "không lớn hơn tuổi đầu", "not above age_from")
    low, high = _number(path, line, row, "low"), _number(path, line, row, "high")
    critical_low = _number(path, line, row, "critical_low")
    critical_high = _number(path, line, row, "critical_high")
    if low is None and high is None:
        raise reject_row(path, line, "high", "thiếu cả cận dưới và cận trên", "no limit at all")
    if low is not None and high is not None and low > high:
        raise reject_row(path, line, "low", "lớn hơn cận trên", "above high")
    floor = low if low is not None else high
    ceiling = high if high is not None else low
    if critical_low is not None and floor is not None and critical_low >= floor:
        raise reject_row(
            path, line, "critical_low", "phải nhỏ hơn khoảng tham chiếu", "must be below the range"
        )
    if critical_high is not None and ceiling is not None and critical_high <= ceiling:
        raise reject_row(
            path, line, "critical_high", "phải lớn hơn khoảng tham chiếu", "must be above the range"
        )
    return ReferenceRange(
        sex=None if sex == "all" else sex,  # type: ignore[arg-type]
        age_from_years=age_from,
        age_to_years=age_to,
        low=low,
        high=high,
        critical_low=critical_low,
        critical_high=critical_high,
        unit=row["unit"],
        low_text=row["low"] or None,
        high_text=row["high"] or None,
    )


def _check_no_overlap(path: Path, code: str, ranges: list[ReferenceRange]) -> None:
    """For each sex, at most one band may cover any age: a value gets one verdict."""
    for sex in SEXES:
        bands = sorted((r for r in ranges if r.sex in (None, sex)), key=lambda r: r.age_from_years)
        for before, after in zip(bands, bands[1:], strict=False):
            if before.age_to_years is None or before.age_to_years > after.age_from_years:
                raise CatalogError(
                    "catalog_value",
                    f"{path.name}: {code} có hai khoảng tham chiếu chồng nhau ({sex})",
                    f"{path.name}: {code} has overlapping age bands for {sex}",
                    field="age_from_years",
                )


def load_lab_analytes(path: Path) -> Mapping[str, LabAnalyte]:
    heads: dict[str, tuple[str, str, str]] = {}
    bands: dict[str, list[ReferenceRange]] = {}
    for line, row in read_rows(path, _ANALYTE_COLUMNS):
        code = require_match(
            _CODE, row["analyte_code"], path=path, line=line, column="analyte_code", shape="HGB"
        )
        if not row["name_vi"]:
            raise reject_row(path, line, "name_vi", "trống", "is empty")
        head = (row["name_vi"], row["name_en"], row["unit"])
        if heads.setdefault(code, head) != head:
            raise reject_row(
                path,
                line,
                "analyte_code",
                "tên hoặc đơn vị khác các dòng trước",
                "name or unit differs from earlier rows",
            )
        bands.setdefault(code, []).append(_parse_range(path, line, row))
    analytes: dict[str, LabAnalyte] = {}
    for code, ranges in bands.items():
        _check_no_overlap(path, code, ranges)
        name_vi, name_en, unit = heads[code]
        analytes[code] = LabAnalyte(code, name_vi, name_en, unit, tuple(ranges))
    return MappingProxyType(analytes)


def load_lab_panels(path: Path, analytes: Mapping[str, LabAnalyte]) -> Mapping[str, LabPanel]:
    panels: dict[str, LabPanel] = {}
    for line, row in read_rows(path, _PANEL_COLUMNS):
        code = require_match(
            _CODE, row["panel_code"], path=path, line=line, column="panel_code", shape="CBC"
        )
        if code in panels:
            raise reject_row(path, line, "panel_code", "mã bị trùng", "duplicate code")
        members = tuple(row["analytes"].split())
        if not members:
            raise reject_row(path, line, "analytes", "trống", "is empty")
        unknown = [member for member in members if member not in analytes]
        if unknown:
            raise reject_row(
                path,
                line,
                "analytes",
                f"chỉ số không có: {', '.join(unknown)}",
                f"unknown analytes: {', '.join(unknown)}",
            )
        if len(set(members)) != len(members):
            raise reject_row(path, line, "analytes", "chỉ số bị lặp", "analyte repeated")
        if not row["name_vi"]:
            raise reject_row(path, line, "name_vi", "trống", "is empty")
        panels[code] = LabPanel(code, row["name_vi"], row["name_en"], members)
    return MappingProxyType(panels)


@lru_cache(maxsize=1)
def lab_analytes() -> Mapping[str, LabAnalyte]:
    """Analyte code -> analyte with its reference ranges (read-only)."""
    return load_lab_analytes(data_file(ANALYTES_FILE))


@lru_cache(maxsize=1)
def lab_panels() -> Mapping[str, LabPanel]:
    """Panel code -> panel (read-only)."""
    return load_lab_panels(data_file(PANELS_FILE), lab_analytes())


# --- judging a result --------------------------------------------------------------------


def _find_analyte(code: str) -> LabAnalyte:
    analyte = lab_analytes().get(code)
    if analyte is None:
        raise NotFound(
            "lab_analyte_unknown",
            f"Chỉ số xét nghiệm '{code}' không có trong danh mục",
            f"lab analyte '{code}' is not in the catalogue",
            field="analyte_code",
        )
    return analyte


def _widest(ranges: list[ReferenceRange]) -> ReferenceRange:
    """One range covering several (sex or age unknown): never flags what any of them accepts."""
    if len(ranges) == 1:
        return ranges[0]

    def lowest(values: list[float | None]) -> float | None:
        return None if any(v is None for v in values) else min(v for v in values if v is not None)

    def highest(values: list[float | None]) -> float | None:
        return None if any(v is None for v in values) else max(v for v in values if v is not None)

    low = lowest([r.low for r in ranges])
    high = highest([r.high for r in ranges])
    ages_to = [r.age_to_years for r in ranges]
    return ReferenceRange(
        sex=None,
        age_from_years=min(r.age_from_years for r in ranges),
        age_to_years=None if None in ages_to else max(a for a in ages_to if a is not None),
        low=low,
        high=high,
        critical_low=lowest([r.critical_low for r in ranges]),
        critical_high=highest([r.critical_high for r in ranges]),
        unit=ranges[0].unit,
        low_text=next((r.low_text for r in ranges if r.low == low), None),
        high_text=next((r.high_text for r in ranges if r.high == high), None),
    )


def reference_range(code: str, sex: str | None, age_years: float | None) -> ReferenceRange:
    """The range for this patient. With sex or age unknown, the widest of those that could
    apply. Raises NoReferenceRange when none covers the patient."""
    analyte = _find_analyte(code)
    if sex is not None and sex not in SEXES:
        raise DomainError(
            "patient_sex",
            f"Giới tính '{sex}' không hợp lệ (male hoặc female)",
            f"sex '{sex}' is not valid (male or female)",
            field="sex",
        )
    if age_years is not None and (not math.isfinite(age_years) or age_years < 0):
        raise DomainError("patient_age", "Tuổi không hợp lệ", "age is not valid", field="age_years")
    candidates = [
        band
        for band in analyte.ranges
        if any(
            band.applies_to(one_sex, age_years)
            if age_years is not None
            else band.sex in (None, one_sex)
            for one_sex in ((sex,) if sex is not None else SEXES)
        )
    ]
    if not candidates:
        raise NoReferenceRange(
            "lab_range_missing",
            f"Chưa có khoảng tham chiếu của {analyte.name_vi} cho người bệnh này",
            f"no reference range of {analyte.name_en} for this patient",
            field="analyte_code",
        )
    return _widest(candidates)


def flag_result(
    analyte_code: str, value: float, sex: str | None, age_years: float | None
) -> ResultFlag:
    """Judge a numeric result: normal, low, high, critical_low or critical_high.

    Raises NoReferenceRange when no range covers the patient (record the value unflagged).
    """
    if not math.isfinite(value):
        raise DomainError(
            "lab_value_invalid",
            "Kết quả phải là một số",
            "the result must be a finite number",
            field="value",
        )
    reference = reference_range(analyte_code, sex, age_years)
    flag: Flag
    if reference.critical_low is not None and value < reference.critical_low:
        flag = "critical_low"
    elif reference.critical_high is not None and value > reference.critical_high:
        flag = "critical_high"
    elif reference.low is not None and value < reference.low:
        flag = "low"
    elif reference.high is not None and value > reference.high:
        flag = "high"
    else:
        flag = "normal"
    return ResultFlag(analyte_code=analyte_code, value=value, flag=flag, reference=reference)
