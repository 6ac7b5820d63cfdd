"""Inter-hospital consultations in the range: the number the hospital reports it held."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from smarthis.consultations.service import STATUS_NAMES_VI, counts
from smarthis.reports.sql import day_bounds
from smarthis.reports.tables import Table


def consultation_counts(session: Session, facility_code: str, first: date, last: date) -> Table:
    start, end = day_bounds(first, last)
    found = counts(session, facility_code, start, end)
    return Table(
        key="consultations",
        title_vi="Hội chẩn liên viện",
        columns=[("status_name", "Tình trạng"), ("count", "Số cuộc")],
        rows=[
            {"status": status, "status_name": name, "count": found[status]}
            for status, name in STATUS_NAMES_VI.items()
        ],
        summary={"held": found["held"]},
    )
