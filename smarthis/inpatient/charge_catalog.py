"""The ward's price lists: bed-day services (`demo_bed_days.csv`) and medical supplies
(`demo_supplies.csv`). Prices in both files are demo values, not tariffs; the files say so.

A bad row fails loudly at first read, naming the file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from smarthis.catalogs.csv_source import data_file, reject_row, require_match
from smarthis.catalogs.service_catalog import read_annotated_rows
from smarthis.errors import NotFound

BED_DAYS_FILE = "demo_bed_days.csv"
SUPPLIES_FILE = "demo_supplies.csv"
BED_DAY_KINDS = ("regular", "icu", "day_care")
ANY_DEPARTMENT = "*"
# MA_NHOM of XML 130: 15 inpatient bed day, 14 day-care bed day; 10 supply in the list
# paid in full, 11 supply paid at a ratio (TYLE_TT_BH).
BED_DAY_COST_GROUPS = {"regular": 15, "icu": 15, "day_care": 14}
SUPPLY_COST_GROUPS = (10, 11)

_CODE = re.compile(r"[A-Z0-9][A-Z0-9.\-]{1,31}")
_MONEY = re.compile(r"[0-9]{1,9}")
_RATIO = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class BedDayService:
    code: str
    national_code: str
    name_vi: str
    kind: str  # regular | icu | day_care
    department_code: str  # "*" for the default row
    hospital_price_vnd: int  # DEMO
    insurance_price_vnd: int  # DEMO
    cost_group: int


@dataclass(frozen=True)
class Supply:
    code: str
    national_code: str | None  # MA_VAT_TU (demo-shaped); None outside the insurance list
    name_vi: str
    unit: str
    hospital_price_vnd: int  # DEMO
    insurance_price_vnd: int | None  # DEMO; None: the fund pays none of it
    cost_group: int  # 10 | 11
    insurance_ratio: int  # TYLE_TT_BH, 100 for group 10
    tender_info: str | None = None  # TT_THAU of XML 130 (DEMO), the claim needs it


def _money(path: Path, line: int, row: dict[str, str], column: str) -> int:
    return int(require_match(_MONEY, row[column], path=path, line=line, column=column, shape="VND"))


@lru_cache(maxsize=1)
def bed_day_services() -> tuple[BedDayService, ...]:
    path = data_file(BED_DAYS_FILE)
    columns = ("code", "national_code", "name_vi", "kind", "department_code")
    columns += ("hospital_price_vnd", "insurance_price_vnd", "cost_group")
    found: list[BedDayService] = []
    for line, row in read_annotated_rows(path, columns):
        code = require_match(_CODE, row["code"], path=path, line=line, column="code", shape="mã")
        kind = row["kind"]
        if kind not in BED_DAY_KINDS:
            raise reject_row(path, line, "kind", "loại giường không hợp lệ", "unknown kind")
        cost_group = int(row["cost_group"] or 0)
        if cost_group != BED_DAY_COST_GROUPS[kind]:
            raise reject_row(
                path, line, "cost_group", "nhóm chi phí không khớp loại giường", "wrong group"
            )
        found.append(
            BedDayService(
                code=code,
                national_code=row["national_code"],
                name_vi=row["name_vi"],
                kind=kind,
                department_code=row["department_code"] or ANY_DEPARTMENT,
                hospital_price_vnd=_money(path, line, row, "hospital_price_vnd"),
                insurance_price_vnd=_money(path, line, row, "insurance_price_vnd"),
                cost_group=cost_group,
            )
        )
    return tuple(found)


def bed_day_service_for(department_code: str, day_care: bool) -> BedDayService:
    """The ward's own row, else the default (*) row. For a full day, the department's
    `regular` or `icu` row (an ICU or recovery ward's bed day is its `icu` row); for day
    care, its `day_care` row."""
    kinds = ("day_care",) if day_care else ("regular", "icu")
    rows = [s for s in bed_day_services() if s.kind in kinds]
    for wanted in (department_code, ANY_DEPARTMENT):
        for service in rows:
            if service.department_code == wanted:
                return service
    raise NotFound(
        "bed_day_service_missing",
        f"Chưa có giá ngày giường cho khoa {department_code}",
        f"No bed-day service for department {department_code}",
        field="ward",
    )


def find_bed_day_service(code: str) -> BedDayService | None:
    return next((s for s in bed_day_services() if s.code == code), None)


@lru_cache(maxsize=1)
def supplies() -> tuple[Supply, ...]:
    path = data_file(SUPPLIES_FILE)
    columns = ("code", "national_code", "name_vi", "unit", "hospital_price_vnd")
    columns += ("insurance_price_vnd", "cost_group", "insurance_ratio", "tender_info")
    found: list[Supply] = []
    for line, row in read_annotated_rows(path, columns):
        code = require_match(_CODE, row["code"], path=path, line=line, column="code", shape="mã")
        cost_group = int(row["cost_group"] or 0)
        if cost_group not in SUPPLY_COST_GROUPS:
            raise reject_row(path, line, "cost_group", "vật tư thuộc nhóm 10 hoặc 11", "10 or 11")
        ratio = int(
            require_match(
                _RATIO,
                row["insurance_ratio"],
                path=path,
                line=line,
                column="insurance_ratio",
                shape="%",
            )
        )
        if not 0 < ratio <= 100 or (cost_group == 10 and ratio != 100):
            raise reject_row(
                path, line, "insurance_ratio", "tỷ lệ thanh toán không hợp lệ", "bad ratio"
            )
        insured = row["insurance_price_vnd"] != ""
        found.append(
            Supply(
                code=code,
                national_code=row["national_code"] or None,
                name_vi=row["name_vi"],
                unit=row["unit"],
                hospital_price_vnd=_money(path, line, row, "hospital_price_vnd"),
                insurance_price_vnd=_money(path, line, row, "insurance_price_vnd")
                if insured
                else None,
                cost_group=cost_group,
                insurance_ratio=ratio,
                tender_info=row["tender_info"] or None,
            )
        )
    return tuple(found)


def find_supply(code: str) -> Supply:
    wanted = code.strip().upper()
    for supply in supplies():
        if supply.code == wanted:
            return supply
    raise NotFound(
        "supply_not_found",
        f"Không có vật tư '{code}' trong danh mục",
        f"No supply '{code}' in the catalogue",
        field="code",
    )
