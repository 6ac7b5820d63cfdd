"""Pre-submission checks of a claim against the packaged field tables and the standard's
formulas; every issue names the file, the record, the field and the rule, in Vietnamese and
English. `RULES` lists what is checked; `NOT_CHECKED` what is knowingly left out."""

from smarthis.insurance.claims.validation.issues import NOT_CHECKED, RULES, ValidationIssue
from smarthis.insurance.claims.validation.validator import (
    validate_checkin,
    validate_claim,
    validate_tables,
)

__all__ = [
    "NOT_CHECKED",
    "RULES",
    "ValidationIssue",
    "validate_checkin",
    "validate_claim",
    "validate_tables",
]
