"""`smarthis emr ...`: the EMR portal link from the command line."""

from __future__ import annotations

import json

import typer

from smarthis.config import get_settings
from smarthis.db import Database

emr_app = typer.Typer(
    help="Liên thông hồ sơ bệnh án điện tử / the national EMR portal link", no_args_is_help=True
)


@emr_app.command("send")
def send() -> None:
    """Gửi ngay các hồ sơ đến hạn / post the due documents now (one worker pass)."""
    from smarthis.integrations.emr.delivery import drain_emr_outbox

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        typer.echo(f"cổng EMR đã nhận / received by the portal: {drain_emr_outbox(db, settings)}")
    finally:
        db.dispose()


@emr_app.command("export")
def export(visit_id: int = typer.Argument(..., min=1)) -> None:
    """In hồ sơ FHIR của một lượt khám / print a visit's FHIR document (JSON)."""
    from smarthis.clinical.models import Visit
    from smarthis.integrations.fhir.export import facility_of, visit_document
    from smarthis.security import audit
    from smarthis.security.principal import system_principal

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            visit = session.get(Visit, visit_id)
            if visit is None or visit.facility_code != settings.facility_code:
                typer.echo(f"Không có lượt khám {visit_id} (no visit {visit_id})", err=True)
                raise typer.Exit(2)
            document = visit_document(session, visit, facility_of(settings))
            audit.record(
                session,
                system_principal(settings.facility_code),
                "fhir.export",
                patient_id=visit.patient_id,
                detail={"visit": visit.visit_number},
            )
    finally:
        db.dispose()
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
