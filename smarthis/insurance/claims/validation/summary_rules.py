"""Table 1 against the lines of tables 2 and 3: the totals and the treatment days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.formats import number
from smarthis.insurance.claims.validation.issues import ValidationIssue, issue
from smarthis.insurance.claims.validation.values import as_decimal, moment

TOLERANCE = Decimal("0.01")
ZERO_DAY_KINDS = frozenset({"01", "07", "09"})
CALENDAR_DAY_KINDS = frozenset({"02", "03", "04", "06"})

LinePredicate = Callable[[str, Record], bool]


def _all(file: str, record: Record) -> bool:
    return True


def _drugs(file: str, record: Record) -> bool:
    return file == "XML2"


def _supplies(file: str, record: Record) -> bool:
    return file == "XML3" and bool(record.get("MA_VAT_TU"))


def _fee_for_service(file: str, record: Record) -> bool:
    return record.get("MA_PTTT") == "1"


# (total field, line field, which lines, how the sum is named in the message)
SUMS: tuple[tuple[str, str, LinePredicate, str], ...] = (
    ("T_THUOC", "THANH_TIEN_BV", _drugs, "Σ THANH_TIEN_BV (XML2)"),
    ("T_VTYT", "THANH_TIEN_BV", _supplies, "Σ THANH_TIEN_BV (XML3, VTYT)"),
    ("T_TONGCHI_BV", "THANH_TIEN_BV", _all, "Σ THANH_TIEN_BV (XML2 + XML3)"),
    ("T_TONGCHI_BH", "THANH_TIEN_BH", _all, "Σ THANH_TIEN_BH (XML2 + XML3)"),
    ("T_BNTT", "T_BNTT", _all, "Σ T_BNTT (XML2 + XML3)"),
    ("T_BNCCT", "T_BNCCT", _all, "Σ T_BNCCT (XML2 + XML3)"),
    ("T_BHTT", "T_BHTT", _all, "Σ T_BHTT (XML2 + XML3)"),
    ("T_NGUONKHAC", "T_NGUONKHAC", _all, "Σ T_NGUONKHAC (XML2 + XML3)"),
    ("T_BHTT_GDV", "T_BHTT", _fee_for_service, "Σ T_BHTT (XML2 + XML3, MA_PTTT = 1)"),
)


def _total_issue(field: str, actual: Decimal, expected: Decimal, detail: str) -> ValidationIssue:
    return issue(
        "XML1",
        1,
        field,
        "total",
        value=number(actual, 2),
        expected=number(expected, 2),
        detail=detail,
    )


def check_totals(summary: Record, lines: list[tuple[str, Record]]) -> list[ValidationIssue]:
    found: list[ValidationIssue] = []
    totals = {name: as_decimal(summary.get(name)) for name, *_ in SUMS}
    sums = dict.fromkeys(totals, Decimal(0))
    for file, record in lines:  # one pass over the lines for every total
        amounts: dict[str, Decimal] = {}
        for name, line_field, wanted, _ in SUMS:
            if wanted(file, record):
                if line_field not in amounts:
                    amounts[line_field] = as_decimal(record.get(line_field)) or Decimal(0)
                sums[name] += amounts[line_field]
    for name, _, _, detail in SUMS:
        actual, expected = totals[name], sums[name]
        if actual is not None and abs(actual - expected) > TOLERANCE:
            found.append(_total_issue(name, actual, expected, detail))
    values = [totals[n] for n in ("T_TONGCHI_BV", "T_TONGCHI_BH", "T_BNCCT", "T_BHTT")]
    other, self_pay = totals["T_NGUONKHAC"], totals["T_BNTT"]
    if all(v is not None for v in values) and other is not None and self_pay is not None:
        total_bv, total_bh, copay, fund = values  # type: ignore[misc]
        if other == 0 and abs(fund - (total_bh - copay)) > TOLERANCE:
            found.append(_total_issue("T_BHTT", fund, total_bh - copay, "T_TONGCHI_BH − T_BNCCT"))
        balance = fund + copay + self_pay + other
        if abs(total_bv - balance) > TOLERANCE:
            found.append(
                _total_issue(
                    "T_TONGCHI_BV", total_bv, balance, "T_BHTT + T_BNCCT + T_BNTT + T_NGUONKHAC"
                )
            )
    return found


def _day(text: str | None) -> datetime | None:
    when = moment(text)
    return None if when is None else when.replace(hour=0, minute=0)


def check_treatment_days(summary: Record) -> list[ValidationIssue]:
    kind, given = summary.get("MA_LOAI_KCB"), summary.get("SO_NGAY_DTRI")
    if not given or not given.isdigit():
        return []
    if kind in ZERO_DAY_KINDS:
        expected = 0
    elif kind in CALENDAR_DAY_KINDS:
        start, end = _day(summary.get("NGAY_VAO")), _day(summary.get("NGAY_RA"))
        if start is None or end is None:
            return []
        expected = (end - start).days + 1
    else:
        return []  # kinds 05 and 08 count drug or service days the file cannot show
    if int(given) == expected:
        return []
    return [
        issue(
            "XML1", 1, "SO_NGAY_DTRI", "treatment_days", value=given, expected=expected, detail=kind
        )
    ]
