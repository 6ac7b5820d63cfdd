"""The monthly batch: one GIAMDINHHS file per visit, and a summary of the month.

Claims are read one at a time (an iterable), so a month of a large hospital never sits in
memory at once. A claim that fails validation gets no file: it is listed in the summary
with its issues, to be fixed and exported again. With `workers` > 1 the claims are built,
validated and written by that many processes, in chunks (a month of 24,000 visits is CPU
work: one core does it in about a minute).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path

from smarthis.insurance.claims.claim import build_claim
from smarthis.insurance.claims.formats import CLAIMS_TZ, number
from smarthis.insurance.claims.inputs import ClaimVisit

SUMMARY_FILE = "summary.json"
# Years a hospital's records can fall in (a datetime needs a year from 1).
MONTH_RE = re.compile(r"^(19\d\d|2\d\d\d)-(0[1-9]|1[0-2])$")
UNSAFE_FILENAME_RE = re.compile(r"[^A-Za-z0-9._-]")
# Table 1 totals summed over the month, as the summary reports them.
TOTAL_FIELDS = ("T_TONGCHI_BV", "T_TONGCHI_BH", "T_BHTT", "T_BNCCT", "T_BNTT", "T_NGUONKHAC")
CHUNK = 250  # visits per task when exporting with several processes


@dataclass
class ExportSummary:
    month: str | None
    exported: int = 0
    invalid: int = 0
    totals: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(TOTAL_FIELDS, Decimal(0))
    )
    files: list[dict[str, str]] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)
    # Visits of the month not ready to claim (unpaid, incomplete record), with the reasons.
    held_back: list[dict[str, object]] = field(default_factory=list)

    def add(self, outcome: dict[str, object]) -> None:
        if "issues" in outcome:
            self.invalid += 1
            self.problems.append(outcome)
            return
        self.exported += 1
        totals: dict[str, str] = outcome.pop("totals")  # type: ignore[assignment]
        for name, value in totals.items():
            self.totals[name] += Decimal(value)
        self.files.append(outcome)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        return {
            "month": self.month,
            "exported": self.exported,
            "invalid": self.invalid,
            "totals": {name: number(value, 2) for name, value in self.totals.items()},
            "files": self.files,
            "invalid_claims": self.problems,
            "held_back": self.held_back,
        }


def parse_month(text: str) -> tuple[int, int]:
    match = MONTH_RE.match(text)
    if not match:
        raise ValueError(f"month must be YYYY-MM, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def file_name(claim_code: str) -> str:
    return UNSAFE_FILENAME_RE.sub("_", claim_code) + ".xml"


def _export_one(visit: ClaimVisit, out: Path, month: str | None, created_on: date) -> dict:
    """Build, validate and write one claim; what the summary records about it."""
    claim = build_claim(visit)
    issues: list[dict[str, object]] = [i.as_dict() for i in claim.issues()]
    if month and (visit.settlement_year, visit.settlement_month) != parse_month(month):
        issues.append(
            {
                "rule": "wrong_month",
                "message_vi": f"NAM_QT/THANG_QT không thuộc tháng {month}",
                "message_en": f"NAM_QT/THANG_QT is not in month {month}",
            }
        )
    if issues:
        return {"MA_LK": visit.claim_code, "issues": issues}
    name = file_name(visit.claim_code)
    (out / name).write_bytes(claim.envelope(created_on))
    summary = claim.tables["XML1"][0]
    return {
        "MA_LK": visit.claim_code,
        "file": name,
        "digest": claim.digest(),
        "totals": {total: summary.get(total, "0") for total in TOTAL_FIELDS},
    }


def _export_chunk(
    visits: list[ClaimVisit], out: Path, month: str | None, created_on: date
) -> list[dict]:
    return [_export_one(visit, out, month, created_on) for visit in visits]


def _chunks(claims: Iterable[ClaimVisit]) -> Iterator[list[ClaimVisit]]:
    iterator = iter(claims)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _parallel(
    claims: Iterable[ClaimVisit], out: Path, month: str | None, created_on: date, workers: int
) -> Iterator[dict]:
    """Outcomes in the claims' order; at most 2 chunks a worker in flight (bounded memory)."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[list[dict]]] = []
        for chunk in _chunks(claims):
            pending.append(pool.submit(_export_chunk, chunk, out, month, created_on))
            if len(pending) >= 2 * workers:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def export_month(
    claims: Iterable[ClaimVisit],
    out_dir: str | Path,
    *,
    month: str | None = None,
    created_on: date | None = None,
    workers: int = 1,
    held_back: list[dict[str, object]] | None = None,
) -> ExportSummary:
    """Write each valid claim to out_dir/<MA_LK>.xml and out_dir/summary.json. `month`
    (YYYY-MM), when given, must be each claim's settlement month (NAM_QT, THANG_QT)."""
    if month:
        parse_month(month)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    created_on = created_on or datetime.now(CLAIMS_TZ).date()
    summary = ExportSummary(month=month)
    if workers > 1:
        outcomes: Iterable[dict] = _parallel(claims, out, month, created_on, workers)
    else:
        outcomes = (_export_one(visit, out, month, created_on) for visit in claims)
    for outcome in outcomes:
        summary.add(outcome)
    if held_back is not None:
        summary.held_back = held_back  # the loader's list, filled while claims were read
    (out / SUMMARY_FILE).write_text(
        json.dumps(summary.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return summary
