"""Diagnosis codes against the ICD-10 catalogue of Decision 4469/QĐ-BYT (smarthis.catalogs):
the code exists, the main diagnosis is allowed as one (appendix A2), and a sex-specific code
fits the patient's sex (appendices A4.1 / A4.2)."""

from __future__ import annotations

from smarthis.catalogs.icd10 import (
    female_only_codes,
    find_icd10,
    male_only_codes,
    not_main_diagnosis_codes,
)
from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.formats import LIST_SEPARATOR
from smarthis.insurance.claims.validation.issues import ValidationIssue, issue

MALE, FEMALE = "1", "2"


def _codes(record: Record, field: str) -> list[str]:
    return [c for c in (record.get(field) or "").split(LIST_SEPARATOR) if c]


def _check_codes(
    file: str, position: int, record: Record, field: str, sex: str | None
) -> list[ValidationIssue]:
    found = []
    for code in _codes(record, field):
        if find_icd10(code) is None:
            found.append(issue(file, position, field, "icd10_unknown", value=code))
        elif sex == MALE and code in female_only_codes():
            found.append(issue(file, position, field, "icd10_sex", value=code, expected="nữ"))
        elif sex == FEMALE and code in male_only_codes():
            found.append(issue(file, position, field, "icd10_sex", value=code, expected="nam"))
    return found


def check_diagnoses(summary: Record, services: list[Record]) -> list[ValidationIssue]:
    sex = summary.get("GIOI_TINH")
    found = _check_codes("XML1", 1, summary, "MA_BENH_CHINH", sex)
    main = summary.get("MA_BENH_CHINH")
    if main and main in not_main_diagnosis_codes():
        found.append(issue("XML1", 1, "MA_BENH_CHINH", "icd10_not_main", value=main))
    found += _check_codes("XML1", 1, summary, "MA_BENH_KT", sex)
    for position, record in enumerate(services, start=1):
        found += _check_codes("XML3", position, record, "MA_BENH", sex)
    return found
