"""Each field against its table entry: required flag, type, size, decimals and format."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.fields import FieldSpec, table
from smarthis.insurance.claims.formats import LIST_SEPARATOR
from smarthis.insurance.claims.validation.issues import ValidationIssue, issue
from smarthis.insurance.claims.validation.values import (
    NUMBER_RE,
    is_birth,
    is_date,
    is_datetime,
)

# A check gets the text and answers (rule, expected) when the value is wrong.
Check = Callable[[str], tuple[str, object] | None]

_FORMAT_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "date": (is_date, "format_date"),
    "datetime": (is_datetime, "format_datetime"),
    "birth": (is_birth, "format_birth"),
}


def _number_check(spec: FieldSpec) -> Check:
    def check(text: str) -> tuple[str, object] | None:
        if not NUMBER_RE.match(text):
            return "type_number", ""
        whole, _, fraction = text.lstrip("-").partition(".")
        if len(fraction) > spec.decimals:
            return "decimals", spec.decimals
        # The size of a number counts its digits, not the point or the sign.
        if spec.size is not None and len(whole) + len(fraction) > spec.size:
            return "max_size", spec.size
        return None

    return check


def _format_check(spec: FieldSpec) -> Check | None:
    fmt = spec.format
    listed = fmt.endswith("_list")
    base = fmt.removesuffix("_list")
    if base not in _FORMAT_CHECKS:
        return None
    valid, rule = _FORMAT_CHECKS[base]

    def check(text: str) -> tuple[str, object] | None:
        parts = text.split(LIST_SEPARATOR) if listed else (text,)
        return None if all(valid(p) for p in parts) else (rule, "")

    return check


def _size_check(spec: FieldSpec) -> Check | None:
    if spec.size is None:
        return None
    size = spec.size

    def check(text: str) -> tuple[str, object] | None:
        return ("max_size", size) if len(text) > size else None

    return check


@cache
def _checks(table_key: str) -> tuple[tuple[str, ...], dict[str, tuple[Check, ...]]]:
    """The always-required names in table order, and the checks of each field's value."""
    required = tuple(f.name for f in table(table_key).fields if f.required == "always")
    checks: dict[str, tuple[Check, ...]] = {}
    for spec in table(table_key).fields:
        if spec.type == "number":
            candidates: list[Check | None] = [_number_check(spec)]
        else:
            # The format first: "2026-11-02 08:15" is a wrong format more than too long.
            candidates = [_format_check(spec), _size_check(spec)]
        checks[spec.name] = tuple(c for c in candidates if c is not None)
    return required, checks


def check_fields(table_key: str, position: int, record: Record) -> list[ValidationIssue]:
    required, checks = _checks(table_key)
    found = [
        issue(table_key, position, name, "required") for name in required if not record.get(name)
    ]
    verdicts = _verdicts(table_key)
    for name, text in record.items():
        # Unknown names are reported by unknown_fields; blank text counts as absent.
        if not text or name not in checks:
            continue
        key = (name, text)
        failed = verdicts.get(key, _UNSEEN)
        if failed is _UNSEEN:
            failed = next((f for c in checks[name] if (f := c(text)) is not None), None)
            if len(verdicts) >= _MAX_VERDICTS:
                verdicts.clear()
            verdicts[key] = failed
        if failed is not None:
            rule, expected = failed
            value = len(text) if rule == "max_size" and not NUMBER_RE.match(text) else text
            found.append(issue(table_key, position, name, rule, value=value, expected=expected))
    return found


# A month of claims repeats most values (codes, prices, times): each (field, text) is
# judged once. Bounded, so a long-running process does not grow without end.
_UNSEEN = object()
_MAX_VERDICTS = 200_000


@cache
def _verdicts(table_key: str) -> dict[tuple[str, str], tuple[str, object] | None]:
    return {}


def unknown_fields(table_key: str, position: int, record: Record) -> list[ValidationIssue]:
    """Elements the table does not define (a parsed file may carry them)."""
    names = set(table(table_key).names)
    return [
        issue(table_key, position, name, "unknown_field", detail=table_key)
        for name in record
        if name not in names
    ]
