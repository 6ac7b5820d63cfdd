"""A record: one row of a table, field name -> text as it goes into the XML (empty omitted)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from smarthis.insurance.claims.fields import table
from smarthis.insurance.claims.formats import number

Record = dict[str, str]
RawValue = str | int | Decimal | None


@cache
def _decimals(table_key: str) -> dict[str, int]:
    return {f.name: f.decimals for f in table(table_key).fields}


def make_record(table_key: str, values: dict[str, RawValue]) -> Record:
    """Format numbers to their field's decimals; a name the table lacks is a bug (KeyError)."""
    decimals = _decimals(table_key)
    record: Record = {}
    for name, value in values.items():
        if name not in decimals:
            raise KeyError(f"{table_key} has no field {name}")
        if value is None or value == "":
            continue
        kind = type(value)
        if kind is str:
            record[name] = value  # type: ignore[assignment]
        elif kind is int or kind is Decimal:
            record[name] = number(value, decimals[name])  # type: ignore[arg-type]
        else:  # bool, dates, floats: the builder must format them first
            raise TypeError(f"{table_key}.{name}: cannot write a {kind.__name__}")
    return record


def flag(value: bool) -> int | None:
    """Fields such as VET_THUONG_TP and TAI_SU_DUNG hold 1 or stay empty."""
    return 1 if value else None
