"""`smarthis claims ...`: the monthly export of XML 130 claims.

The export reads a month's finished visits through a *loader*: a function
`loader(month: str) -> Iterable[ClaimVisit]` (month as "YYYY-MM"), which the visit and
billing domains provide once charges exist. Register it in code with
`set_month_loader(function)`, or name it on the command line with
`--loader package.module:function`. Without one the command says so and exits with code 2.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path

import typer

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
        None, help="package.module:function giving the month's ClaimVisits."
    ),
) -> None:
    """Xuất hồ sơ XML 130 của một tháng / export a month's XML 130 claims to files."""
    from smarthis.insurance.claims.export import export_month, parse_month

    try:
        parse_month(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from exc
    chosen = _import_loader(loader) if loader else _month_loader
    if chosen is None:
        typer.echo(
            "Chưa có nguồn dữ liệu hồ sơ (loader) cho lệnh xuất; dùng --loader hoặc "
            "set_month_loader(). (No claim loader registered: pass --loader or call "
            "set_month_loader().)",
            err=True,
        )
        raise typer.Exit(code=2)
    summary = export_month(chosen(month), out, month=month)
    typer.echo(
        f"{summary.exported} hồ sơ đã xuất, {summary.invalid} hồ sơ lỗi -> {out} "
        f"({summary.exported} exported, {summary.invalid} invalid)"
    )
    if summary.invalid:
        raise typer.Exit(code=1)
