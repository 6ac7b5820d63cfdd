"""One visit's claim, built: the table records, their files and the envelope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from smarthis.insurance.claims.builders import (
    CheckIn,
    checkin_records,
    course_records,
    drug_records,
    result_records,
    service_records,
    summary_record,
)
from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.envelope import build_envelope
from smarthis.insurance.claims.inputs import ClaimVisit
from smarthis.insurance.claims.validation import ValidationIssue, validate_tables
from smarthis.insurance.claims.xml_io import table_xml


class ClaimInvalid(ValueError):
    """The claim failed validation: nothing may be sent until the issues are fixed."""

    def __init__(self, claim_code: str, issues: list[ValidationIssue]):
        shown = "; ".join(str(i) for i in issues[:5])
        more = f" (+{len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"claim {claim_code} has {len(issues)} issue(s): {shown}{more}")
        self.claim_code = claim_code
        self.issues = issues


@dataclass(slots=True)
class BuiltClaim:
    claim_code: str  # MA_LK
    facility_code: str  # MA_CSKCB
    visit_id: int | None
    tables: dict[str, list[Record]]
    _files: dict[str, bytes] | None = field(default=None, repr=False)

    def files(self) -> dict[str, bytes]:
        """Table files by LOAIHOSO; tables 2-5 only when they have records."""
        if self._files is None:
            self._files = {
                key: table_xml(key, records)
                for key, records in self.tables.items()
                if records or key == "XML1"
            }
        return self._files

    def digest(self) -> str:
        """SHA-256 over the table files: the same claim content gives the same digest on
        any day (the envelope's NGAYLAP does not take part)."""
        hasher = hashlib.sha256()
        for key, content in self.files().items():
            hasher.update(key.encode() + b"\0" + content + b"\0")
        return hasher.hexdigest()

    def envelope(self, created_on: date) -> bytes:
        return build_envelope(self.facility_code, created_on, [self.files()])

    def issues(self) -> list[ValidationIssue]:
        return validate_tables(self.tables)

    def checked(self) -> BuiltClaim:
        """This claim, or ClaimInvalid: the gate before anything leaves the hospital."""
        issues = self.issues()
        if issues:
            raise ClaimInvalid(self.claim_code, issues)
        return self


def build_claim(visit: ClaimVisit) -> BuiltClaim:
    tables = {  # in the order of CLAIM_TABLES, the order files go into the envelope
        "XML1": [summary_record(visit)],
        "XML2": drug_records(visit),
        "XML3": service_records(visit),
        "XML4": result_records(visit),
        "XML5": course_records(visit),
    }
    return BuiltClaim(visit.claim_code, visit.facility_code, visit.visit_id, tables)


def build_checkin(checkins: list[CheckIn]) -> tuple[list[Record], bytes]:
    """The check-in records and their file (sent on its own, not inside GIAMDINHHS)."""
    records = checkin_records(checkins)
    return records, table_xml("XML0", records)
