"""`smarthis inpatient ...`: the daily residence declaration for the police."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.inpatient.residence_declaration import residence_csv, residence_rows
from smarthis.security.principal import system_principal

inpatient_app = typer.Typer(help="Điều trị nội trú (inpatient stays)", no_args_is_help=True)


@inpatient_app.command("residence")
def residence(
    day: str = typer.Option(..., "--date", help="the day, YYYY-MM-DD (hospital time)"),
    out: Path = typer.Option(..., "--out", help="CSV file to write (UTF-8 with BOM)"),
) -> None:
    """Admissions and discharges of one day, as the police's stay declaration needs them."""
    try:
        wanted: date = datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError:
        typer.echo(f"Ngày không hợp lệ '{day}' (dạng YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            rows = residence_rows(session, system_principal(settings.facility_code), wanted)
    finally:
        db.dispose()
    out.write_bytes(residence_csv(rows))
    typer.echo(f"{len(rows)} người bệnh vào/ra viện ngày {wanted:%d/%m/%Y} -> {out}")
