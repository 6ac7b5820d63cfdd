"""A report table: what the dashboard draws, the JSON returns and the CSV exports."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from statistics import median
from typing import Any

NO_DATA_VI = "chưa có dữ liệu"


@dataclass
class Table:
    key: str
    title_vi: str
    columns: list[tuple[str, str]]  # (key, Vietnamese header)
    rows: list[dict[str, Any]] = field(default_factory=list)
    # False when the data's source does not exist yet (no inpatient or signing module):
    # the screen says "chưa có dữ liệu" rather than showing zeros nobody measured.
    available: bool = True
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title_vi,
            "columns": [{"key": k, "title": t} for k, t in self.columns],
            "rows": self.rows,
            "available": self.available,
            "note": None if self.available else NO_DATA_VI,
            "summary": self.summary,
        }

    def to_csv(self) -> bytes:
        """UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([title for _key, title in self.columns])
        if not self.available:
            writer.writerow([NO_DATA_VI] + [""] * (len(self.columns) - 1))
        for row in self.rows:
            writer.writerow(["" if row.get(k) is None else row.get(k) for k, _t in self.columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def median_of(values: list[float]) -> float | None:
    return median(values) if values else None


def p90_of(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile: the value 90% of the cases do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]
