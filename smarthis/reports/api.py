"""JSON and CSV routes of the management dashboard. Every figure is an aggregate (counts,
times, sums): no patient is named, so reads are not patient-data reads for the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from smarthis.db import Database
from smarthis.queueing.clock import service_day
from smarthis.reports import service
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/reports", tags=["reports"])

DEFAULT_DAYS = 7


def _range(first: date | None, last: date | None) -> tuple[date, date]:
    last = last or service_day()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    service.check_range(first, last)
    return first, last


@router.get("/dashboard")
def dashboard(
    first: date | None = Query(default=None, alias="from"),
    last: date | None = Query(default=None, alias="to"),
    principal: Principal = Depends(require(Permission.REPORTS_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    first, last = _range(first, last)
    with db.session() as session:
        tables = service.dashboard(session, principal.facility_code, first, last)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "tables": {t.key: t.as_dict() for t in tables},
    }


@router.get("/{table}.csv")
def export_csv(
    table: str,
    first: date | None = Query(default=None, alias="from"),
    last: date | None = Query(default=None, alias="to"),
    principal: Principal = Depends(require(Permission.REPORTS_VIEW)),
    db: Database = Depends(database),
) -> Response:
    first, last = _range(first, last)
    with db.session() as session:
        report = service.one_table(session, principal.facility_code, table, first, last)
    filename = f"{report.key}_{first.isoformat()}_{last.isoformat()}.csv"
    return Response(
        report.to_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
