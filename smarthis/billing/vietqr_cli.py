"""`smarthis vietqr make|decode`: build an invoice's VietQR payload, or read one back."""

from __future__ import annotations

import json
from typing import NoReturn

import typer

from smarthis.billing.vietqr import VietQRError, decode_payload, make_payload

vietqr_app = typer.Typer(help="VietQR payloads (EMVCo, NAPAS)", no_args_is_help=True)


def _fail(exc: VietQRError) -> NoReturn:
    where = f" ({exc.field})" if exc.field else ""
    typer.echo(f"{exc.code}{where}: {exc.message_en}", err=True)
    typer.echo(exc.message_vi, err=True)
    raise typer.Exit(2)


@vietqr_app.command("make")
def make(
    bin: str = typer.Option(..., "--bin", help="beneficiary bank's 6-digit NAPAS BIN"),
    account: str = typer.Option(..., "--account", help="beneficiary account number"),
    amount: int = typer.Option(None, "--amount", help="whole VND; makes the QR dynamic"),
    purpose: str = typer.Option(None, "--purpose", help="transfer purpose: invoice reference"),
) -> None:
    """Print the payload (dynamic when it has an amount, static otherwise)."""
    try:
        typer.echo(make_payload(bin, account, amount, purpose))
    except VietQRError as exc:
        _fail(exc)


@vietqr_app.command("decode")
def decode(payload: str) -> None:
    """Print a payload's fields as JSON, or exit 2 naming what is wrong."""
    try:
        payment = decode_payload(payload)
    except VietQRError as exc:
        _fail(exc)
    typer.echo(json.dumps(payment.as_dict(), ensure_ascii=False))
