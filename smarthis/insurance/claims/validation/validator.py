"""Runs every check on a claim's tables (records as built, or as parsed back from files)."""

from __future__ import annotations

from typing import Protocol

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.structure import CLAIM_TABLES
from smarthis.insurance.claims.validation.cross_rules import (
    check_link_and_numbering,
    check_required_tables,
    check_within_stay,
)
from smarthis.insurance.claims.validation.field_rules import check_fields, unknown_fields
from smarthis.insurance.claims.validation.icd10_rules import check_diagnoses
from smarthis.insurance.claims.validation.issues import ValidationIssue
from smarthis.insurance.claims.validation.line_rules import check_line
from smarthis.insurance.claims.validation.record_rules import check_record
from smarthis.insurance.claims.validation.summary_rules import (
    check_totals,
    check_treatment_days,
)


def _check_file(file: str, records: list[Record], *, parsed: bool) -> list[ValidationIssue]:
    found: list[ValidationIssue] = []
    for position, record in enumerate(records, start=1):
        if parsed:
            found += unknown_fields(file, position, record)
        found += check_fields(file, position, record)
        found += check_record(file, position, record)
        if file in ("XML2", "XML3"):
            found += check_line(file, position, record)
    return found


def validate_tables(
    tables: dict[str, list[Record]], *, parsed: bool = False
) -> list[ValidationIssue]:
    """All issues of one claim: `tables` maps XML1..XML5 to their records. `parsed`: the
    records were read from files (so they may carry elements the tables do not define)."""
    found = check_required_tables(tables)
    summary = (tables.get("XML1") or [{}])[0]
    claim_code = summary.get("MA_LK")
    for file in CLAIM_TABLES:
        records = tables.get(file) or []
        found += _check_file(file, records, parsed=parsed)
        found += check_link_and_numbering(file, records, claim_code)
    if len(tables.get("XML1") or []) == 1:
        lines = [("XML2", r) for r in tables.get("XML2", ())]
        lines += [("XML3", r) for r in tables.get("XML3", ())]
        found += check_totals(summary, lines)
        found += check_treatment_days(summary)
        found += check_within_stay(summary, tables)
        found += check_diagnoses(summary, tables.get("XML3") or [])
    return found


class HasTables(Protocol):
    tables: dict[str, list[Record]]


def validate_claim(claim: HasTables) -> list[ValidationIssue]:
    """Issues of a built claim (BuiltClaim, or anything holding its tables)."""
    return validate_tables(claim.tables)


def validate_checkin(records: list[Record], *, parsed: bool = False) -> list[ValidationIssue]:
    """Issues of a check-in file: one record per visit, so MA_LK differs between records."""
    return _check_file("XML0", records, parsed=parsed) + check_link_and_numbering(
        "XML0", records, None
    )
