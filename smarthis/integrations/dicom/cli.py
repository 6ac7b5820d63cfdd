"""`smarthis dicom ...`: what the worklist serves, one pass of the PACS follower, and the
recent DICOM traffic (for an engineer at a modality's side)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import typer

from smarthis.config import get_settings
from smarthis.db import Database

dicom_app = typer.Typer(help="Imaging: modality worklist and PACS (Orthanc)", no_args_is_help=True)


def _db() -> Database:
    return Database(get_settings().database_url)


@dicom_app.command("worklist")
def worklist(
    modality: str = typer.Option(None, help="CT, MR, DX, US, ES"),
    day: str = typer.Option(None, help="hospital day YYYY-MM-DD (default: every open one)"),
    station: str = typer.Option(None, help="scheduled station AE title"),
) -> None:
    """List what the worklist SCP serves for these keys, one procedure a line (JSON)."""
    from smarthis.integrations.dicom.worklist_query import WorklistFilter, find_scheduled

    settings = get_settings()
    when = date.fromisoformat(day) if day else None
    wanted = WorklistFilter(
        modality=modality.upper() if modality else None,
        day_from=when,
        day_to=when,
        station_ae_title=station,
    )
    db = _db()
    try:
        with db.session() as session:
            found = find_scheduled(
                session, settings.facility_code, wanted, settings.dicom_station_ae_titles
            )
    finally:
        db.dispose()
    for procedure in found:
        typer.echo(json.dumps(asdict(procedure), ensure_ascii=False, default=str))


@dicom_app.command("follow")
def follow() -> None:
    """Run one pass of the PACS follower now (links arrived studies to their orders)."""
    from smarthis.integrations.dicom.follower import follow_once
    from smarthis.integrations.dicom.orthanc_client import OrthancClient

    settings = get_settings()
    if not settings.pacs_url:
        typer.echo("no PACS configured (SMARTHIS_PACS_URL)", err=True)
        raise typer.Exit(2)
    db = _db()
    client = OrthancClient.from_settings(settings)
    try:
        result = follow_once(db, client, settings.facility_code)
    finally:
        client.close()
        db.dispose()
    typer.echo(json.dumps(asdict(result), ensure_ascii=False))
    if result.error:
        raise typer.Exit(1)


@dicom_app.command("events")
def recent_events(limit: int = typer.Option(20, min=1, max=1000)) -> None:
    """The recent DICOM traffic, newest first (JSON lines)."""
    from smarthis.integrations.dicom.traffic import recent_dicom_events

    settings = get_settings()
    db = _db()
    try:
        with db.session() as session:
            rows = recent_dicom_events(session, settings.facility_code, limit)
    finally:
        db.dispose()
    for row in rows:
        typer.echo(json.dumps(asdict(row), ensure_ascii=False, default=str))
