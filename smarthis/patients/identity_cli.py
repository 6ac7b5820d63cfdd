"""`smarthis identity ...`: decode a CCCD or BHYT code from the command line.

For reception staff and integrators checking what a scanner produced: the decoded JSON on
stdout, or one line naming the problem on stderr with exit status 2 (usage error), so
scripts can tell bad input apart from a crash.
"""

from __future__ import annotations

import json
from typing import Annotated, NoReturn

import typer

from smarthis.errors import DomainError
from smarthis.patients.identifiers import parse_bhyt, parse_cccd, parse_cccd_qr

BAD_INPUT_EXIT_CODE = 2

identity_app = typer.Typer(
    help="Giải mã CCCD và thẻ BHYT (decode citizen ID and health-insurance codes).",
    no_args_is_help=True,
)


def _print(result: dict[str, object]) -> None:
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _fail(error: DomainError) -> NoReturn:
    typer.echo(f"{error.code}: {error.message_vi} (field: {error.field})", err=True)
    raise typer.Exit(BAD_INPUT_EXIT_CODE)


@identity_app.command("cccd")
def cccd_command(
    text: Annotated[str, typer.Argument(help="Số CCCD 12 chữ số hoặc toàn bộ nội dung mã QR.")],
) -> None:
    """Giải mã số CCCD hoặc mã QR trên thẻ CCCD (decode a CCCD number or QR text)."""
    try:
        result = parse_cccd_qr(text) if "|" in text else parse_cccd(text)
    except DomainError as error:
        _fail(error)
    _print(result.as_dict())


@identity_app.command("bhyt")
def bhyt_command(
    code: Annotated[str, typer.Argument(help="Mã thẻ BHYT 15 ký tự hoặc mã số BHXH 10 chữ số.")],
) -> None:
    """Giải mã mã thẻ BHYT (decode a health-insurance card code)."""
    try:
        card = parse_bhyt(code)
    except DomainError as error:
        _fail(error)
    _print(card.as_dict())
