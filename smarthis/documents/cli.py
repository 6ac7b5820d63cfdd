"""`smarthis pki ...` (the hospital CA and staff certificates) and `smarthis documents ...`
(sign any PDF as a staff member, verify a signed PDF).

`documents verify` exits 0 only when the file has signatures and every one is intact,
trusted and unchanged since; 1 when any is not (tampered, untrusted, revoked, unsigned);
2 when the input cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy import select

from smarthis.config import get_settings
from smarthis.documents import pki
from smarthis.documents.signing import CAPACITY_NAMES_VI, SigningCapacity, sign_pdf
from smarthis.documents.verify import VerificationReport, verify_with_hospital_ca
from smarthis.errors import DomainError

pki_app = typer.Typer(help="Hospital CA and staff signing certificates", no_args_is_help=True)
documents_app = typer.Typer(help="Signed PDF documents", no_args_is_help=True)


def _config() -> pki.PkiConfig:
    return pki.PkiConfig.from_settings(get_settings())


def _fail(error: DomainError | str) -> None:
    message = error if isinstance(error, str) else f"{error.message_vi} ({error.message_en})"
    typer.echo(message, err=True)
    raise typer.Exit(2)


@pki_app.command("init")
def pki_init() -> None:
    """Create the hospital's own CA (once)."""
    config = _config()
    try:
        certificate = pki.init_ca(config)
    except DomainError as exc:
        _fail(exc)
        return
    typer.echo(f"CA created: {certificate.subject.rfc4514_string()}")
    typer.echo(f"certificate {config.ca_cert_path} (serial {pki.serial_hex(certificate)})")


@pki_app.command("issue")
def pki_issue(staff: str = typer.Option(..., "--staff", help="the staff member's login")) -> None:
    """Issue a signing certificate to a staff member (name taken from their account)."""
    from smarthis.db import Database
    from smarthis.security.models import Staff

    db = Database(get_settings().database_url)
    try:
        with db.session() as session:
            member = session.execute(select(Staff).where(Staff.login == staff)).scalar_one_or_none()
            full_name = member.full_name if member is not None and member.active else None
    finally:
        db.dispose()
    if full_name is None:
        _fail(f"Không có nhân viên đang làm việc với tên đăng nhập {staff} (no active staff)")
        return
    try:
        info = pki.issue_staff_certificate(_config(), staff, full_name)
    except DomainError as exc:
        _fail(exc)
        return
    typer.echo(
        f"{info.login}\t{info.full_name}\tserial {info.serial}\tuntil {info.not_after:%Y-%m-%d}"
    )


@pki_app.command("list")
def pki_list() -> None:
    """The CA and every staff certificate: login, name, serial, validity, revocation."""
    config = _config()
    root = pki.ca_certificate(config)
    if root is None:
        typer.echo("no CA yet: run `smarthis pki init`")
    else:
        source = "external" if config.uses_external_ca else "built-in"
        typer.echo(f"CA ({source}): {root.subject.rfc4514_string()} serial {pki.serial_hex(root)}")
    for info in pki.list_certificates(config):
        state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "in use"
        typer.echo(
            f"{info.login}\t{info.full_name}\t{info.serial}\t"
            f"{info.not_before:%Y-%m-%d}..{info.not_after:%Y-%m-%d}\t{state}"
        )


@pki_app.command("revoke")
def pki_revoke(
    staff: str = typer.Option(..., "--staff", help="the staff member's login"),
    reason: str = typer.Option("", help="why (lost key, left the hospital, ...)"),
) -> None:
    """Revoke a staff member's certificate: their later signatures are no longer trusted."""
    try:
        info = pki.revoke_staff_certificate(_config(), staff, reason)
    except DomainError as exc:
        _fail(exc)
        return
    typer.echo(f"revoked {info.login} serial {info.serial}")


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        _fail(f"Không đọc được {file} ({exc.strerror})")
        raise  # unreachable: _fail exits


@documents_app.command("sign")
def documents_sign(
    file: Path = typer.Argument(..., help="the PDF to sign"),
    staff: str = typer.Option(..., "--staff", help="sign as this staff member (login)"),
    out: Path = typer.Option(..., "--out", help="where to write the signed PDF"),
    capacity: SigningCapacity = typer.Option(SigningCapacity.DOCTOR, help="signing capacity"),
) -> None:
    """Sign any PDF as a staff member with their key (scripted use and tests)."""
    data = _read(file)
    config = _config()
    try:
        signed = sign_pdf(
            data,
            pki.load_staff_credentials(config, staff),
            capacity,
            location=config.hospital_name,
        )
    except DomainError as exc:
        _fail(exc)
        return
    out.write_bytes(signed.data)
    typer.echo(f"signed by {staff} as {CAPACITY_NAMES_VI[capacity]} -> {out}")


def _human(report: VerificationReport) -> str:
    lines = [f"Kết quả: {report.status_vi}"]
    for number, check in enumerate(report.signatures, start=1):
        when = check.signing_time.isoformat() if check.signing_time else "—"
        lines += [
            f"Chữ ký {number} ({check.field_name}): {check.status_vi}",
            f"  người ký: {check.signer_name} ({check.signer_login}) · {check.reason}",
            f"  thời điểm ký: {when} · chứng thư số {check.certificate_serial}",
            f"  nguyên vẹn: {'có' if check.intact else 'KHÔNG'}"
            f" · tin cậy (CA bệnh viện): {'có' if check.trusted else 'KHÔNG'}"
            f" · sửa sau khi ký: {'CÓ' if check.modified_after_signing else 'không'}",
        ]
        lines += [f"  ! {p}" for p in check.problems if p != check.status_vi]
    return "\n".join(lines)


@documents_app.command("verify")
def documents_verify(
    file: Path = typer.Argument(..., help="the signed PDF"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Check every signature: intact, signer, time, trusted by the hospital CA."""
    data = _read(file)
    try:
        report = verify_with_hospital_ca(data, _config())
    except DomainError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(_human(report))
    raise typer.Exit(0 if report.ok else 1)
