"""`smarthis insurance split < VISIT.json`: the co-payment engine on its own, for cashiers'
questions and for tests. Prints the split as JSON, or exits 2 naming the bad field."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, NoReturn

import typer

from smarthis.errors import DomainError
from smarthis.insurance.copay import parse_visit, split_to_json, split_visit


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _read_json(text: str) -> Any:
    # Decimal keeps 0.1 as typed: money must not pass through binary floats.
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def _fail(field: str, message_en: str, message_vi: str) -> NoReturn:
    typer.echo(f"bad field {field}: {message_en}", err=True)
    typer.echo(f"trường {field} sai: {message_vi}", err=True)
    raise typer.Exit(2)


def insurance_split() -> None:
    """Split a visit (JSON on stdin) between the insurance fund and the patient."""
    try:
        data = _read_json(sys.stdin.read())
    except ValueError as exc:
        _fail("(input)", f"not valid JSON ({exc})", f"không phải JSON hợp lệ ({exc})")
    try:
        split = split_visit(parse_visit(data))
    except DomainError as exc:
        _fail(exc.field or "(input)", exc.message_en, exc.message_vi)
    json.dump(split_to_json(split), sys.stdout, ensure_ascii=False)
    typer.echo()
