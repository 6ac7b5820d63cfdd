"""The `smarthis` command."""

from __future__ import annotations

import json
import sys

import typer

from smarthis.config import get_settings
from smarthis.db import Database

app = typer.Typer(help="SmartHIS — hệ thống thông tin bệnh viện", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log", no_args_is_help=True)
device_app = typer.Typer(help="Kiosks and display boards", no_args_is_help=True)
insurance_app = typer.Typer(help="Health insurance", no_args_is_help=True)
queue_app = typer.Typer(help="Queues", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(device_app, name="device")
app.add_typer(insurance_app, name="insurance")


def _register_subapps() -> None:
    from smarthis.billing.vietqr_cli import vietqr_app
    from smarthis.catalogs.cli import catalog_app
    from smarthis.documents.cli import documents_app, pki_app
    from smarthis.inpatient.cli import inpatient_app
    from smarthis.insurance.claims.cli import claims_app
    from smarthis.insurance.copay_cli import insurance_split
    from smarthis.insurance.sim_cli import sim_app
    from smarthis.integrations.dicom.cli import dicom_app
    from smarthis.ops.cli import backup_app, restore_command
    from smarthis.patients.identity_cli import identity_app
    from smarthis.pharmacy.cli import pharmacy_app
    from smarthis.planning.cli import simulate_app

    app.add_typer(backup_app, name="backup")
    app.command("restore")(restore_command)
    app.add_typer(simulate_app, name="simulate")
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(pki_app, name="pki")
    app.add_typer(documents_app, name="documents")
    app.add_typer(identity_app, name="identity")
    from smarthis.integrations.emr.cli import emr_app
    from smarthis.integrations.emr.sim_command import emr_simulator_command

    sim_app.command("emr")(emr_simulator_command)  # the national EMR portal
    app.add_typer(sim_app, name="sim")
    app.add_typer(emr_app, name="emr")
    app.add_typer(dicom_app, name="dicom")
    app.add_typer(vietqr_app, name="vietqr")
    app.add_typer(claims_app, name="claims")
    app.add_typer(inpatient_app, name="inpatient")
    app.add_typer(pharmacy_app, name="pharmacy")
    insurance_app.command("split")(insurance_split)


_register_subapps()


def _db() -> Database:
    return Database(get_settings().database_url)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (SMARTHIS_DATABASE_URL)."""
    from smarthis.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    typer.echo(f"database is at the latest schema: {url.split('@')[-1]}")


@app.command()
def serve(
    host: str = typer.Option(None, help="address to listen on (default from settings)"),
    port: int = typer.Option(None, help="port (default from settings)"),
    workers: int = typer.Option(1, help="uvicorn worker processes (PostgreSQL only)"),
    with_simulators: bool = typer.Option(
        False,
        help="also serve the BHXH portal, LIS and bank simulators, and a local Orthanc (demo)",
    ),
    lis_listener: bool = typer.Option(
        True,
        "--lis-listener/--no-lis-listener",
        help="listen for LIS results (HL7 over MLLP) at SMARTHIS_LIS_LISTEN_HOST:PORT",
    ),
    worklist: bool = typer.Option(
        True,
        "--worklist/--no-worklist",
        help="serve the DICOM modality worklist at SMARTHIS_WORKLIST_HOST:PORT",
    ),
) -> None:
    """Start the HTTP server and print the address of each screen."""
    import uvicorn

    from smarthis.web.screens import screen_addresses

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    if workers > 1 and settings.database_url.startswith("sqlite"):
        _fail("several workers need PostgreSQL: the embedded SQLite runs one process")
    if with_simulators:
        from smarthis.insurance.portal_simulator import start_simulator_thread

        if not settings.pacs_url:
            # The demo's PACS, when Debian's Orthanc is installed (README "Imaging (PACS)"),
            # started before any thread of this process.
            from smarthis.integrations.dicom.local_pacs import start_local_orthanc

            pacs = start_local_orthanc(settings)
            if pacs is not None:
                settings = get_settings()
                typer.echo(f"PACS (Orthanc) at {pacs.url}, user {pacs.username}")
        start_simulator_thread(settings)
        typer.echo(f"BHXH portal simulator at {settings.bhxh_portal_url}")
        from smarthis.demo.simulators import (
            start_bank_simulator,
            start_claims_simulator,
            start_lis_simulator,
        )

        typer.echo(f"LIS simulator (HL7 MLLP) at {start_lis_simulator(settings)}")
        bank_at = start_bank_simulator(settings, f"http://{host}:{port}")
        typer.echo(f"bank simulator (VietQR payments) at {bank_at}")
        typer.echo(f"XML 130 claims portal simulator at {start_claims_simulator(settings)}")
        from smarthis.integrations.emr.sim_command import start_emr_simulator_thread

        emr_at = start_emr_simulator_thread(settings.facility_code)
        typer.echo(f"EMR portal simulator (hồ sơ bệnh án điện tử) at {emr_at}")
    if lis_listener:
        # Here in the parent process: the port is bound once, whatever the worker count.
        from smarthis.integrations.hl7.listener import start_lis_listener_thread

        start_lis_listener_thread(settings, _db())
        listen_at = f"{settings.lis_listen_host}:{settings.lis_listen_port}"
        typer.echo(f"LIS listener (HL7 MLLP) at {listen_at}")
    if worklist:
        # In the parent process too: one SCP owns the DICOM port, whatever the worker count.
        from smarthis.integrations.dicom.worklist_scp import start_worklist_thread

        start_worklist_thread(settings, _db())
        worklist_at = f"{settings.worklist_host}:{settings.worklist_port}"
        typer.echo(f"DICOM worklist {settings.worklist_ae_title} at {worklist_at}")
    base = f"http://{host}:{port}"
    typer.echo(f"SmartHIS — {settings.facility_name} — {base}")
    for title, path in screen_addresses():
        typer.echo(f"  {title:<32} {base}{path}")
    uvicorn.run(
        "smarthis.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
        # Display boards hold event streams open forever; without a limit a restart would
        # wait for them. Cut off, the boards reconnect and replay what they missed.
        timeout_graceful_shutdown=3,
    )


@app.command()
def demo(
    if_new: bool = typer.Option(False, "--if-new", help="do nothing when data already exists"),
    days: int = typer.Option(
        0, min=0, max=366, help="also fill this many past working days with finished visits"
    ),
    per_day: int = typer.Option(30, min=1, max=2000, help="finished visits per day (--days)"),
    seed: int = typer.Option(20261126, help="same seed, same visits (--days)"),
) -> None:
    """Load the demo hospital: rooms, staff for every role, 200 patients, portal cards;
    with --days N, N past days of finished visits (exams, orders, results, drugs, payments)."""
    from smarthis.demo.loader import DemoAlreadyLoaded, load_demo

    settings = get_settings()
    db = _db()
    try:
        try:
            typer.echo(json.dumps(load_demo(db, settings), ensure_ascii=False, indent=2))
        except DemoAlreadyLoaded:
            if not days:
                if if_new:
                    typer.echo("demo hospital already loaded")
                    return
                _fail("the database already holds the demo hospital")
        if days:
            from smarthis.demo.history import fill_history

            history = fill_history(
                db,
                settings,
                days,
                visits_per_day=per_day,
                seed=seed,
                progress=lambda day, total: typer.echo(f"{day.isoformat()}: {total} lượt khám"),
            )
            typer.echo(json.dumps(history.as_dict(), ensure_ascii=False, indent=2))
    finally:
        db.dispose()


@user_app.command("create")
def user_create(
    login: str,
    full_name: str = typer.Option(..., "--name", help="full name with diacritics"),
    role: str = typer.Option(..., help="admin, receptionist, doctor, nurse, ..."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, envvar="SMARTHIS_NEW_PASSWORD"
    ),
    cccd: str = typer.Option(None, help="12-digit CCCD (needed for insurance card checks)"),
    department: str = typer.Option(None, help="department code"),
) -> None:
    """Create a staff account."""
    from smarthis.errors import DomainError
    from smarthis.security.service import create_staff

    settings = get_settings()
    db = _db()
    try:
        with db.session() as session:
            staff = create_staff(
                session,
                facility_code=settings.facility_code,
                login=login,
                full_name=full_name,
                role=role,
                password=password,
                cccd=cccd,
                department_code=department,
            )
            typer.echo(f"created {staff.login} ({staff.role})")
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message_vi}")
    finally:
        db.dispose()


@user_app.command("list")
def user_list(role: str = typer.Option(None, help="only this role")) -> None:
    """One login a line first, then role, state and name."""
    from smarthis.security.permissions import Role
    from smarthis.security.service import list_staff

    if role is not None and role not in {r.value for r in Role}:
        _fail(f"staff_role: vai trò '{role}' không hợp lệ")
    db = _db()
    try:
        with db.session() as session:
            for staff in list_staff(session, role):
                state = "active" if staff.active else "disabled"
                typer.echo(f"{staff.login}\t{staff.role}\t{state}\t{staff.full_name}")
    finally:
        db.dispose()


@user_app.command("disable")
def user_disable(login: str) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    from smarthis.errors import DomainError
    from smarthis.security.service import disable_staff

    db = _db()
    try:
        with db.session() as session:
            disable_staff(session, login)
        typer.echo(f"disabled {login}")
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message_vi}")
    finally:
        db.dispose()


@device_app.command("create")
def device_create(
    code: str,
    name: str = typer.Option(..., help="name shown to staff"),
    kind: str = typer.Option(..., help="kiosk or display_board"),
    location: str = typer.Option(None),
) -> None:
    """Register a kiosk or display board and print its token (shown once)."""
    from smarthis.errors import DomainError
    from smarthis.security.service import register_device

    settings = get_settings()
    db = _db()
    try:
        with db.session() as session:
            _device, token = register_device(
                session,
                facility_code=settings.facility_code,
                code=code,
                name=name,
                kind=kind,
                location=location,
            )
        typer.echo(token)
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message_vi}")
    finally:
        db.dispose()


@device_app.command("duty")
def device_duty(code: str, staff_login: str) -> None:
    """Set the receptionist on duty in whose name a kiosk checks insurance cards."""
    from smarthis.errors import DomainError
    from smarthis.security.service import set_on_duty

    db = _db()
    try:
        with db.session() as session:
            set_on_duty(session, code, staff_login)
        typer.echo(f"{code}: on duty {staff_login}")
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message_vi}")
    finally:
        db.dispose()


@device_app.command("printer")
def device_printer(
    code: str,
    target: str = typer.Argument(..., help="tcp://HOST:PORT, file:/path, or 'none'"),
) -> None:
    """Set the ticket printer of a kiosk (ESC/POS over the network, or a file)."""
    from smarthis.errors import DomainError
    from smarthis.security.service import set_printer

    db = _db()
    try:
        with db.session() as session:
            set_printer(session, code, None if target == "none" else target)
        typer.echo(f"{code}: printer {target}")
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message_vi}")
    finally:
        db.dispose()


@queue_app.command("policy")
def queue_policy(
    priority_calls_per_normal: int = typer.Option(
        None, help="at most this many priority calls in a row while normal tickets wait"
    ),
    skip_back_minutes: int = typer.Option(None, help="a no-show returns after this delay"),
    max_skips: int = typer.Option(None, help="no-shows allowed before the ticket is dropped"),
) -> None:
    """Show or change the queue policy (prints it as JSON)."""
    from smarthis.errors import DomainError
    from smarthis.queueing.setup import set_policy

    settings = get_settings()
    db = _db()
    try:
        with db.session() as session:
            policy = set_policy(
                session,
                settings.facility_code,
                priority_calls_per_normal=priority_calls_per_normal,
                skip_back_after_minutes=skip_back_minutes,
                max_skips=max_skips,
            )
            shown = {
                "priority_calls_per_normal": policy.priority_calls_per_normal,
                "skip_back_after_minutes": policy.skip_back_after_minutes,
                "max_skips": policy.max_skips,
            }
        typer.echo(json.dumps(shown))
    except DomainError as exc:
        _fail(f"{exc.code}: {exc.message_vi}")
    finally:
        db.dispose()


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 and list the problems if it was altered."""
    from smarthis.security.audit import verify_chain

    db = _db()
    try:
        with db.session() as session:
            problems = verify_chain(session)
    finally:
        db.dispose()
    if not problems:
        typer.echo("audit log intact")
        return
    for problem in problems:
        typer.echo(f"entry {problem.entry_id}: {problem.problem}", err=True)
    raise typer.Exit(1)


@insurance_app.command("recheck")
def insurance_recheck(limit: int = typer.Option(50, min=1, max=10_000)) -> None:
    """Re-check cards of visits registered while the portal was down or slow."""
    from smarthis.clinical.service import recheck_unverified
    from smarthis.insurance.portal_client import BhxhPortalClient

    settings = get_settings()
    db = _db()
    portal = BhxhPortalClient.from_settings(settings)
    try:
        counts = recheck_unverified(db, portal, settings, limit=limit)
    finally:
        portal.close()
        db.dispose()
    json.dump(counts, sys.stdout, ensure_ascii=False)
    typer.echo()


if __name__ == "__main__":
    app()
