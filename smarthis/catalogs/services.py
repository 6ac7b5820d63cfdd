"""Technical service codes (XX.YYYY.ZZZZ) mapped to ICD-9-CM procedures (Decision 4440/QĐ-BYT).

XX is the chapter (specialty) of the Ministry's list of techniques, YYYY the technique's
number within it, ZZZZ the price group the technique is billed under.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from smarthis.catalogs.csv_source import data_file, read_rows, reject_row, require_match

TECHNICAL_SERVICES_FILE = "technical_services_vn.csv"

_COLUMNS = (
    "service_code",
    "service_name_vi",
    "specialty_code",
    "classification",
    "category",
    "icd9cm_code",
    "icd9cm_name_vi",
)
# Two published codes (27.205b.0463, 27.208b.0459) are variants of an existing technique
# number with a letter suffix, so the last character of the technique number may be a letter.
_SERVICE_CODE = re.compile(r"\d{2}\.\d{3}[0-9a-z]\.\d{4}")
_SPECIALTY = re.compile(r"(?:\d{1,2})?")
_CLASSIFICATION = re.compile(r"[ABCD]?")
_CATEGORY = re.compile(r"(?:P[123D]|T[123D]|TBD)?")
# The spreadsheet stored ICD-9-CM codes as numbers, losing leading zeros (03.31 -> 3.31).
_ICD9CM = re.compile(r"\d{1,2}(?:\.\d{1,2})?")


@dataclass(frozen=True, slots=True)
class Icd9cmMapping:
    code: str  # e.g. "03.31" (leading zero restored)
    name_vi: str


@dataclass(frozen=True, slots=True)
class TechnicalService:
    code: str
    name_vi: str
    specialty_code: int | None  # chapter of the list of techniques; equals the code's XX
    classification: str | None  # lowest facility tier allowed to perform it: A (central) .. D
    category: str | None  # surgery (P1-P3, PD special) or procedure (T1-T3, TD) class
    icd9cm: tuple[Icd9cmMapping, ...]  # a technique may map to several ICD-9-CM procedures


def _icd9cm(code: str) -> str:
    whole, dot, fraction = code.partition(".")
    return f"{int(whole):02d}{dot}{fraction}"


def _parse_row(path: Path, line: int, row: dict[str, str]) -> TechnicalService:
    def check(column: str, pattern: re.Pattern[str], shape: str) -> str:
        return require_match(pattern, row[column], path=path, line=line, column=column, shape=shape)

    code = check("service_code", _SERVICE_CODE, "NN.NNNN.NNNN")
    specialty = check("specialty_code", _SPECIALTY, "N / NN")
    if specialty and int(specialty) != int(code[:2]):
        raise reject_row(
            path,
            line,
            "specialty_code",
            f"khác chương {code[:2]}",
            f"differs from chapter {code[:2]}",
        )
    if not row["service_name_vi"]:
        raise reject_row(path, line, "service_name_vi", "trống", "is empty")
    return TechnicalService(
        code=code,
        name_vi=row["service_name_vi"],
        specialty_code=int(specialty) if specialty else None,
        classification=check("classification", _CLASSIFICATION, "A-D") or None,
        category=check("category", _CATEGORY, "P1-P3, PD, T1-T3, TD") or None,
        icd9cm=(
            Icd9cmMapping(
                code=_icd9cm(check("icd9cm_code", _ICD9CM, "NN.NN")), name_vi=row["icd9cm_name_vi"]
            ),
        ),
    )


def load_technical_services(path: Path) -> Mapping[str, TechnicalService]:
    services: dict[str, TechnicalService] = {}
    for line, row in read_rows(path, _COLUMNS):
        service = _parse_row(path, line, row)
        known = services.get(service.code)
        if known is None:
            services[service.code] = service
            continue
        # A repeated code is either an exact duplicate row or one more ICD-9-CM mapping;
        # anything else means two different techniques share a code.
        if known.name_vi != service.name_vi:
            raise reject_row(
                path,
                line,
                "service_code",
                "mã trùng với tên khác",
                "code repeated with another name",
            )
        if service.icd9cm[0] not in known.icd9cm:
            services[service.code] = replace(known, icd9cm=known.icd9cm + service.icd9cm)
    return MappingProxyType(services)


@lru_cache(maxsize=1)
def technical_services() -> Mapping[str, TechnicalService]:
    """Service code -> technical service (read-only)."""
    return load_technical_services(data_file(TECHNICAL_SERVICES_FILE))
