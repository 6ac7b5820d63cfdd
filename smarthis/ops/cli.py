"""`smarthis backup --out FILE`, `smarthis backup verify FILE`, `smarthis restore FILE`."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from smarthis.config import get_settings
from smarthis.db import normalise_url
from smarthis.ops.errors import BackupError
from smarthis.ops.manifest import Manifest

PG_BIN_HELP = "directory of pg_dump/pg_restore (default: PATH, then /usr/lib/postgresql/*/bin)"

backup_app = typer.Typer(
    help=(
        "Back up the database while the server runs (SQLite online backup API, or pg_dump"
        " of the URL's schema) into one file with a manifest. `backup verify FILE` checks"
        " a file without restoring it."
    ),
    invoke_without_command=True,
)


def _fail(error: BackupError) -> None:
    typer.echo(str(error), err=True)
    raise typer.Exit(2)


def _shown(url: str) -> str:
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def _describe(manifest: Manifest) -> list[str]:
    where = f", schema {manifest.schema}" if manifest.schema else ""
    return [
        f"  database kind   {manifest.kind}{where}",
        f"  made at         {manifest.created_at} (facility {manifest.facility_code})",
        f"  schema revision {', '.join(manifest.alembic_revisions) or '-'}",
        f"  rows            {manifest.total_rows} in {len(manifest.row_counts)} tables",
    ]


@backup_app.callback()
def backup_command(
    ctx: typer.Context,
    out: Path = typer.Option(None, "--out", help="backup file to write (replaced whole)"),
    pg_bin: Path = typer.Option(None, "--pg-bin", help=PG_BIN_HELP),
) -> None:
    """Back up SMARTHIS_DATABASE_URL to --out FILE; safe while the server keeps writing."""
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        typer.echo("backup: --out FILE is required — cần chỉ định tệp --out", err=True)
        raise typer.Exit(2)
    from smarthis.ops.backup import backup

    settings = get_settings()
    try:
        manifest = backup(settings.database_url, out, settings.facility_code, pg_bin)
    except BackupError as exc:
        _fail(exc)
        return
    typer.echo(f"backup written: {out} ({manifest.payload_bytes} bytes)")
    for line in _describe(manifest):
        typer.echo(line)


@backup_app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., help="backup file"),
    pg_bin: Path = typer.Option(None, "--pg-bin", help=PG_BIN_HELP),
) -> None:
    """Check a backup file: manifest, checksum, and the database inside (exit 2 if bad)."""
    from smarthis.ops.backup import verify

    try:
        manifest = verify(file, pg_bin)
    except BackupError as exc:
        _fail(exc)
        return
    typer.echo(f"backup OK: {file}")
    for line in _describe(manifest):
        typer.echo(line)


def restore_command(
    file: Path = typer.Argument(..., help="backup file made by `smarthis backup`"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
    pg_bin: Path = typer.Option(None, "--pg-bin", help=PG_BIN_HELP),
) -> None:
    """Replace SMARTHIS_DATABASE_URL's data with a backup.

    SQLite: stop `smarthis serve` and its workers first — restore refuses while another
    process has the database open, because that process would keep writing to the old file
    and those writes would be lost. The copy is checked (checksum, integrity_check, row
    counts) beside the database, then renamed over it; the previous file stays beside it as
    FILE.pre-restore-TIMESTAMP.

    PostgreSQL: the backup's schema is dropped and recreated in one transaction (all or
    nothing); the URL's search_path must start with that schema. Running servers wait on
    the restore's locks, then see the restored data; stopping them first is still advised.

    Refused with exit 2, nothing changed: a file of another database kind, from a newer
    SmartHIS (unknown schema revision), damaged, or not a SmartHIS backup."""
    from smarthis.ops.backup import restore

    url = get_settings().database_url
    if not yes:
        typer.confirm(f"Replace all data in {_shown(url)} with {file}?", abort=True)
    try:
        result = restore(url, file, pg_bin)
    except BackupError as exc:
        _fail(exc)
        return
    manifest = result.manifest
    typer.echo(f"restored {file} into {_shown(url)}")
    for line in _describe(manifest):
        typer.echo(line)
    for table, rows in sorted(manifest.row_counts.items()):
        if rows:
            typer.echo(f"    {table:<32} {rows}")
    if result.previous_database is not None:
        typer.echo(f"previous database kept at {result.previous_database}")
    if result.needs_migrate:
        typer.echo("the backup's schema is older than this SmartHIS: run `smarthis migrate`")
