"""Rules across the files of one claim: the link key, numbering, required tables, times."""

from __future__ import annotations

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.validation.issues import ValidationIssue, issue
from smarthis.insurance.claims.validation.values import moment

# Inpatient, day-care inpatient and station stays have a clinical course to report.
KINDS_NEEDING_COURSE = frozenset({"03", "04", "06"})
LINE_TIMES = {"XML2": ("NGAY_YL",), "XML3": ("NGAY_YL",), "XML5": ("THOI_DIEM_DBLS",)}


def check_link_and_numbering(
    file: str, records: list[Record], claim_code: str | None
) -> list[ValidationIssue]:
    found: list[ValidationIssue] = []
    for position, record in enumerate(records, start=1):
        code = record.get("MA_LK")
        if claim_code and code and code != claim_code:
            found.append(
                issue(file, position, "MA_LK", "ma_lk_mismatch", value=code, expected=claim_code)
            )
        stt = record.get("STT")
        if stt and stt.isdigit() and int(stt) != position:
            found.append(issue(file, position, "STT", "stt_sequence", value=stt, expected=position))
    return found


def check_required_tables(tables: dict[str, list[Record]]) -> list[ValidationIssue]:
    summary = tables.get("XML1") or []
    if len(summary) != 1:
        if not summary:
            return [issue("XML1", None, "XML1", "file_missing", detail="mọi hồ sơ / every claim")]
        return [issue("XML1", None, None, "single_record", value=len(summary))]
    kind = summary[0].get("MA_LOAI_KCB")
    if kind in KINDS_NEEDING_COURSE and not tables.get("XML5"):
        return [issue("XML5", None, "XML5", "file_missing", detail=f"MA_LOAI_KCB = {kind}")]
    return []


def check_within_stay(summary: Record, tables: dict[str, list[Record]]) -> list[ValidationIssue]:
    start, end = moment(summary.get("NGAY_VAO")), moment(summary.get("NGAY_RA"))
    if start is None or end is None:
        return []
    stay = f"{summary['NGAY_VAO']}-{summary['NGAY_RA']}"
    found: list[ValidationIssue] = []
    for file, fields in LINE_TIMES.items():
        for position, record in enumerate(tables.get(file, ()), start=1):
            for field in fields:
                when = moment(record.get(field))
                if when is not None and not start <= when <= end:
                    found.append(
                        issue(
                            file,
                            position,
                            field,
                            "outside_stay",
                            value=record[field],
                            expected=stay,
                        )
                    )
    return found
