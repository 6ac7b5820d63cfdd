"""`smarthis claims ...`: the monthly export of XML 130 claims.

`export` reads a month's finished visits and discharged stays from the database
(visit_loader.py, stay_loader.py), or through
another *loader*: a function `loader(month: str) -> Iterable[ClaimVisit]` (month as
"YYYY-MM") registered with `set_month_loader(function)` or named with
`--loader package.module:function` (imports from another system, the benchmark).
`queue` records the month's valid claims for the portal; `send` delivers what is due now
(the app's background worker does the same every `claims_poll_interval_s`); `status`
counts them (`--month`: that month's, by kind: Khám bệnh, Nội trú, Nội trú ban ngày).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import typer

from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.insurance.claims.inputs import ClaimVisit

MonthLoader = Callable[[str], Iterable[ClaimVisit]]

claims_app = typer.Typer(help="Hồ sơ giám định BHYT theo XML 130 / XML 130 insurance claims.")
_month_loader: MonthLoader | None = None


def set_month_loader(loader: MonthLoader | None) -> None:
    global _month_loader
    _month_loader = loader


def _import_loader(path: str) -> MonthLoader:
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise typer.BadParameter("use package.module:function", param_hint="--loader")
    try:
        loader = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise typer.BadParameter(f"cannot load {path}: {exc}", param_hint="--loader") from exc
    if not callable(loader):
        raise typer.BadParameter(f"{path} is not a function", param_hint="--loader")
    return loader


@claims_app.callback()
def _claims() -> None:
    """Keeps `claims` a command group."""


@claims_app.command("export")
def export(
    month: str = typer.Option(..., help="Settlement month, YYYY-MM."),
    out: Path = typer.Option(..., help="Directory for the XML files and summary.json."),
    loader: str | None = typer.Option(
        None, help="package.module:function giving the month's ClaimVisits (default: the DB)."
    ),
    workers: int = typer.Option(1, min=1, max=16, help="Processes building the files."),
) -> None:
    """Xuất hồ sơ XML 130 của một tháng / export a month's XML 130 claims to files."""
    from smarthis.insurance.claims.export import export_month

    _check_month(month)
    chosen = _import_loader(loader) if loader else _month_loader
    if chosen is None:
        from smarthis.insurance.claims.batch import export_month_from_db

        db = _database()
        try:
            summary = export_month_from_db(
                db, get_settings().facility_code, month, out, workers=workers
            )
        finally:
            db.dispose()
    else:
        summary = export_month(chosen(month), out, month=month, workers=workers)
    typer.echo(
        f"{summary.exported} hồ sơ đã xuất, {summary.invalid} hồ sơ lỗi, "
        f"{len(summary.held_back)} lượt khám chưa đủ điều kiện -> {out} "
        f"({summary.exported} exported, {summary.invalid} invalid, "
        f"{len(summary.held_back)} held back)"
    )
    if summary.invalid:
        raise typer.Exit(code=1)


@claims_app.command("queue")
def queue(month: str = typer.Option(..., help="Settlement month, YYYY-MM.")) -> None:
    """Đưa hồ sơ hợp lệ của tháng vào hàng đợi gửi cổng / queue a month's claims for sending."""
    from smarthis.insurance.claims.batch import queue_month

    _check_month(month)
    db = _database()
    try:
        result = queue_month(db, get_settings().facility_code, month)
    finally:
        db.dispose()
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    if result.invalid:
        raise typer.Exit(code=1)


@claims_app.command("send")
def send(
    limit: int = typer.Option(500, min=1, max=100_000, help="At most this many files."),
) -> None:
    """Gửi các hồ sơ đang chờ lên cổng / send the pending claims to the portal now."""
    from smarthis.insurance.claims.portal import ClaimsPortalClient
    from smarthis.insurance.claims.submissions import deliver_due

    settings = get_settings()
    db = _database()
    try:
        with ClaimsPortalClient.from_settings(settings) as portal:
            sent = deliver_due(db, portal, limit=limit)
    finally:
        db.dispose()
    counts: dict[str, int] = {}
    for view in sent:
        counts[view.status] = counts.get(view.status, 0) + 1
    typer.echo(json.dumps({"attempted": len(sent), "status": counts}, ensure_ascii=False))


@claims_app.command("status")
def status(
    month: str | None = typer.Option(
        None, help="YYYY-MM: that month's claims by kind (Khám bệnh, Nội trú ...) and status."
    ),
) -> None:
    """Số hồ sơ theo trạng thái / claims and check-ins by status (by kind with --month)."""
    from smarthis.insurance.claims.batch import kind_counts, status_counts

    if month is not None:
        _check_month(month)
    db = _database()
    try:
        facility = get_settings().facility_code
        counts: dict[str, object]
        if month is None:
            counts = dict(status_counts(db, facility))
        else:
            counts = {"month": month, "by_kind": kind_counts(db, facility, month)}
    finally:
        db.dispose()
    typer.echo(json.dumps(counts, ensure_ascii=False))


def _check_month(month: str) -> None:
    from smarthis.insurance.claims.export import parse_month

    try:
        parse_month(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from exc


def _database() -> Database:
    return Database(get_settings().database_url)
