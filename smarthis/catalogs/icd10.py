"""ICD-10 as published by the Ministry of Health (Decision 4469/QĐ-BYT) and its rule lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from types import MappingProxyType

from smarthis.catalogs.csv_source import data_file, read_rows, reject_row, require_match

ICD10_FILE = "icd10_vn.csv"
NOT_MAIN_DIAGNOSIS_FILE = "icd10_vn_not_main_diagnosis.csv"
FEMALE_ONLY_FILE = "icd10_vn_female_only.csv"
MALE_ONLY_FILE = "icd10_vn_male_only.csv"

# Dagger (†) marks the aetiology code and asterisk (*) the manifestation code of a
# dual-classified disease; claims carry neither mark nor dot.
DUAL_CLASSIFICATION_MARKS = "†*"
_CODE = re.compile(r"[A-Z]\d{2}(?:\.\d{1,2})?[†*]?")
_PLAIN = re.compile(r"[A-Z]\d{2,4}")
_RANGE = re.compile(r"[A-Z]\d{2}-[A-Z]\d{2}")
_CATEGORY = re.compile(r"[A-Z]\d{2}[†*]?")
_ASTERISK = re.compile(r"\*?")

_ICD10_COLUMNS = (
    "code",
    "code_plain",
    "name_vi",
    "name_en",
    "chapter",
    "chapter_name_vi",
    "group",
    "group_name_vi",
    "category",
    "category_name_vi",
)


@dataclass(frozen=True, slots=True)
class Icd10Code:
    code: str  # as printed, e.g. "A17.0†"
    code_plain: str  # as claims carry it, e.g. "A170"
    mark: str | None  # "†", "*" or None
    name_vi: str
    name_en: str | None  # one row of the decision has no English name
    chapter: str  # e.g. "A00-B99"
    chapter_name_vi: str
    group: str  # e.g. "A15-A19"
    group_name_vi: str
    category: str  # three-character category, e.g. "A17"
    category_name_vi: str


def plain_icd10(code: str) -> str:
    """'a17.0†' -> 'A170': the form claims and the rule lists use."""
    return re.sub(rf"[\s.{DUAL_CLASSIFICATION_MARKS}]", "", code).upper()


def _checked(
    row: dict[str, str], column: str, pattern: re.Pattern[str], shape: str, *, path: Path, line: int
) -> str:
    return require_match(pattern, row[column], path=path, line=line, column=column, shape=shape)


def load_icd10(path: Path) -> tuple[Icd10Code, ...]:
    codes: list[Icd10Code] = []
    for line, row in read_rows(path, _ICD10_COLUMNS):
        check = partial(_checked, row, path=path, line=line)
        code = check("code", _CODE, "A00 / A00.0 / A00.0† / A00.0*")
        plain = check("code_plain", _PLAIN, "A00 / A000 / A0000")
        if plain != plain_icd10(code):
            raise reject_row(
                path,
                line,
                "code_plain",
                f"phải là {plain_icd10(code)}",
                f"must be {plain_icd10(code)}",
            )
        if not row["name_vi"]:
            raise reject_row(path, line, "name_vi", "trống", "is empty")
        mark = code[-1] if code[-1] in DUAL_CLASSIFICATION_MARKS else None
        codes.append(
            Icd10Code(
                code=code,
                code_plain=plain,
                mark=mark,
                name_vi=row["name_vi"],
                name_en=row["name_en"] or None,
                chapter=check("chapter", _RANGE, "A00-B99"),
                chapter_name_vi=row["chapter_name_vi"],
                group=check("group", _RANGE, "A00-A09"),
                group_name_vi=row["group_name_vi"],
                category=check("category", _CATEGORY, "A00"),
                category_name_vi=row["category_name_vi"],
            )
        )
    return tuple(codes)


def load_code_set(path: Path) -> frozenset[str]:
    """Load one of the rule appendices: a `code` column of plain codes (no dot, no mark)."""
    codes: set[str] = set()
    for line, row in read_rows(path, ("code",)):
        codes.add(
            require_match(_PLAIN, row["code"], path=path, line=line, column="code", shape="A000")
        )
        if "asterisk" in row:
            require_match(
                _ASTERISK, row["asterisk"], path=path, line=line, column="asterisk", shape="*"
            )
    return frozenset(codes)


@lru_cache(maxsize=1)
def icd10_codes() -> tuple[Icd10Code, ...]:
    """Every row of the catalogue in published order (a code may appear with and without a mark)."""
    return load_icd10(data_file(ICD10_FILE))


@lru_cache(maxsize=1)
def icd10_index() -> Mapping[str, Icd10Code]:
    """Plain code -> entry. Where the decision lists a code twice (A17 and A17†), the first wins."""
    index: dict[str, Icd10Code] = {}
    for entry in icd10_codes():
        index.setdefault(entry.code_plain, entry)
    return MappingProxyType(index)


def find_icd10(code: str) -> Icd10Code | None:
    """Look a code up however it was typed: 'a17.0', 'A170' or 'A17.0†'."""
    return icd10_index().get(plain_icd10(code))


@lru_cache(maxsize=1)
def not_main_diagnosis_codes() -> frozenset[str]:
    """Plain codes that may not be recorded as the main diagnosis (appendix A2)."""
    return load_code_set(data_file(NOT_MAIN_DIAGNOSIS_FILE))


@lru_cache(maxsize=1)
def female_only_codes() -> frozenset[str]:
    """Plain codes valid only for female patients (appendix A4.1)."""
    return load_code_set(data_file(FEMALE_ONLY_FILE))


@lru_cache(maxsize=1)
def male_only_codes() -> frozenset[str]:
    """Plain codes valid only for male patients (appendix A4.2)."""
    return load_code_set(data_file(MALE_ONLY_FILE))
