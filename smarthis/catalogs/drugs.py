"""The demo clinic's drug catalogue, and finding a drug as a doctor types it.

Prices, insurance coverage and payment ratios in `demo_drugs.csv` are demo values, not
checked against Circular 20/2022/TT-BYT. Drugs marked "gây nghiện" (narcotic) or "hướng
thần" (psychotropic) must be prescribed on the special forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from smarthis.catalogs.csv_source import data_file, reject_row, require_match
from smarthis.catalogs.service_catalog import read_annotated_rows
from smarthis.errors import DomainError, NotFound
from smarthis.text import fold

DEMO_DRUGS_FILE = "demo_drugs.csv"

Controlled = Literal["gây nghiện", "hướng thần", "tiền chất"]
CONTROLLED_CLASSES: tuple[Controlled, ...] = ("gây nghiện", "hướng thần", "tiền chất")
DOSAGE_FORMS = frozenset(
    {
        "viên nén",
        "viên nén bao phim",
        "viên nén giải phóng kéo dài",
        "viên nang",
        "viên sủi",
        "ống tiêm",
        "lọ tiêm",
        "bơm tiêm đóng sẵn",
        "chai truyền",
        "gói",
        "dung dịch uống",
        "hỗn dịch uống",
    }
)
ROUTES = frozenset(
    {
        "uống",
        "tiêm tĩnh mạch",
        "truyền tĩnh mạch",
        "tiêm bắp",
        "tiêm dưới da",
        "đặt trực tràng",
        "dùng ngoài",
    }
)
UNITS = frozenset({"viên", "ống", "lọ", "chai", "gói", "bơm tiêm", "tuýp"})

_COLUMNS = (
    "code",
    "active_ingredient",
    "brand_name",
    "strength",
    "dosage_form",
    "route",
    "unit",
    "price_vnd",
    "insurance_covered",
    "insurance_ratio",
    "controlled",
    "note",
)  # and, optionally, tender_info
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_PRICE = re.compile(r"\d+")
_RATIO = re.compile(r"\d{1,3}")
_BOOL = {"true": True, "false": False}
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Drug:
    code: str
    active_ingredient: str
    brand_name: str | None
    strength: str  # as printed on the pack, e.g. "500 mg", "10 mg/1 mL"
    dosage_form: str  # viên nén, viên nang, ống tiêm, gói ...
    route: str  # uống, tiêm tĩnh mạch ...
    unit: str  # what is counted on the prescription: viên, ống, gói ...
    price_vnd: int  # DEMO, per unit
    insurance_covered: bool  # DEMO
    insurance_ratio: int | None  # percent the fund pays of the price; DEMO, unverified
    controlled: Controlled | None
    note: str | None
    tender_info: str | None = None  # TT_THAU of the claims: the tender the drug was bought under

    @property
    def needs_special_prescription(self) -> bool:
        return self.controlled is not None


def _choice(path: Path, line: int, column: str, value: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise reject_row(
            path, line, column, f"{value!r} không có trong danh sách", f"{value!r} is not allowed"
        )
    return value


def _parse_row(path: Path, line: int, row: dict[str, str]) -> Drug:
    def check(column: str, pattern: re.Pattern[str], shape: str) -> str:
        return require_match(pattern, row[column], path=path, line=line, column=column, shape=shape)

    code = check("code", _CODE, "T-PARA500")
    for column in ("active_ingredient", "strength"):
        if not row[column]:
            raise reject_row(path, line, column, "trống", "is empty")
    covered = _BOOL.get(row["insurance_covered"])
    if covered is None:
        raise reject_row(path, line, "insurance_covered", "phải là true/false", "not true/false")
    ratio: int | None = None
    if covered:
        ratio = int(check("insurance_ratio", _RATIO, "1-100"))
        if not 1 <= ratio <= 100:
            raise reject_row(path, line, "insurance_ratio", "phải từ 1 đến 100", "not in 1-100")
    elif row["insurance_ratio"]:
        raise reject_row(
            path, line, "insurance_ratio", "thuốc không BHYT không có tỷ lệ", "set but not covered"
        )
    controlled = row["controlled"] or None
    if controlled is not None and controlled not in CONTROLLED_CLASSES:
        raise reject_row(
            path, line, "controlled", f"{controlled!r} không hợp lệ", f"{controlled!r} unknown"
        )
    return Drug(
        code=code,
        active_ingredient=row["active_ingredient"],
        brand_name=row["brand_name"] or None,
        strength=row["strength"],
        dosage_form=_choice(path, line, "dosage_form", row["dosage_form"], DOSAGE_FORMS),
        route=_choice(path, line, "route", row["route"], ROUTES),
        unit=_choice(path, line, "unit", row["unit"], UNITS),
        price_vnd=int(check("price_vnd", _PRICE, "VND (integer)")),
        insurance_covered=covered,
        insurance_ratio=ratio,
        controlled=controlled,  # type: ignore[arg-type]
        note=row["note"] or None,
        tender_info=row.get("tender_info") or None,
    )


def load_drugs(path: Path) -> Mapping[str, Drug]:
    drugs: dict[str, Drug] = {}
    for line, row in read_annotated_rows(path, _COLUMNS):
        drug = _parse_row(path, line, row)
        if drug.code in drugs:
            raise reject_row(path, line, "code", "mã bị trùng", "duplicate code")
        drugs[drug.code] = drug
    return MappingProxyType(drugs)


@lru_cache(maxsize=1)
def drugs() -> Mapping[str, Drug]:
    """Drug code -> drug, in file order (read-only)."""
    return load_drugs(data_file(DEMO_DRUGS_FILE))


def find_drug(code: str) -> Drug:
    drug = drugs().get(code)
    if drug is None:
        raise NotFound(
            "drug_unknown",
            f"Thuốc '{code}' không có trong danh mục",
            f"drug '{code}' is not in the catalogue",
            field="drug_code",
        )
    return drug


@lru_cache(maxsize=1)
def _search_keys() -> tuple[tuple[Drug, str, str, frozenset[str]], ...]:
    """(drug, folded ingredient, folded brand, words of both) for each drug."""
    keys = []
    for drug in drugs().values():
        ingredient = " ".join(_WORD.findall(fold(drug.active_ingredient)))
        brand = " ".join(_WORD.findall(fold(drug.brand_name or "")))
        keys.append((drug, ingredient, brand, frozenset(f"{ingredient} {brand}".split())))
    return tuple(keys)


def search_drugs(text: str, limit: int = 20) -> list[Drug]:
    """Drugs whose active ingredient or brand matches, ignoring case and diacritics.

    Every typed word must start a word of the ingredient or brand ("morphin", "amox clav",
    "sat"). Ingredient starting with the text comes first, then brand starting with it,
    then the rest; ties by ingredient, then catalogue order.
    """
    if limit < 1:
        raise DomainError(
            "search_limit",
            "Số kết quả tối đa phải từ 1 trở lên",
            "limit must be at least 1",
            field="limit",
        )
    words = _WORD.findall(fold(text))
    if not words:
        return []
    typed = " ".join(words)
    ranked: list[tuple[int, str, int, Drug]] = []
    for position, (drug, ingredient, brand, key_words) in enumerate(_search_keys()):
        if not all(any(key.startswith(word) for key in key_words) for word in words):
            continue
        rank = 0 if ingredient.startswith(typed) else 1 if brand.startswith(typed) else 2
        ranked.append((rank, ingredient, position, drug))
    ranked.sort(key=lambda item: item[:3])
    return [drug for *_, drug in ranked[:limit]]
