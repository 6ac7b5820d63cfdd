"""The XML 130 field tables, loaded from the packaged JSON (see data/xml130_fields.json's
`provenance`; scripts/xml130_fields_from_xlsx.py regenerates it from the reference xlsx)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

FIELDS_FILE = Path(__file__).parent / "data" / "xml130_fields.json"

FieldFormat = Literal["text", "number", "date", "datetime", "date_list", "datetime_list", "birth"]
Required = Literal["always", "conditional", "optional"]
KNOWN_FORMATS = frozenset(FieldFormat.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    order: int
    type: Literal["string", "number"]
    size: int | None  # None: unbounded ("n" in the tables)
    format: FieldFormat
    decimals: int
    required: Required
    required_condition: str | None  # the checker's wording, when required == "conditional"
    description: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    key: str  # XML0 (check-in), XML1 ... XML15
    title: str
    fields: tuple[FieldSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        return _by_name(self.key)[name]


class FieldTablesError(ValueError):
    """The packaged field tables are not what the code expects (a bad regeneration)."""


def _spec(table: str, raw: dict) -> FieldSpec:
    spec = FieldSpec(
        name=raw["name"],
        order=int(raw["order"]),
        type=raw["type"],
        size=raw["size"],
        format=raw["format"],
        decimals=int(raw["decimals"]),
        required=raw["required"],
        required_condition=raw.get("required_condition"),
        description=raw.get("description", ""),
    )
    if spec.type not in ("string", "number") or spec.format not in KNOWN_FORMATS:
        raise FieldTablesError(f"{table}.{spec.name}: unknown type or format")
    if spec.required not in ("always", "conditional", "optional"):
        raise FieldTablesError(f"{table}.{spec.name}: unknown required flag {spec.required!r}")
    return spec


@cache
def field_tables() -> dict[str, TableSpec]:
    data = json.loads(FIELDS_FILE.read_text(encoding="utf-8"))
    tables = {}
    for key, table in data["tables"].items():
        fields = tuple(_spec(key, raw) for raw in table["fields"])
        if len({f.name for f in fields}) != len(fields):
            raise FieldTablesError(f"{key}: a field name appears twice")
        tables[key] = TableSpec(key=key, title=table["title"], fields=fields)
    for key in ("XML0", "XML1", "XML2", "XML3", "XML4", "XML5"):
        if key not in tables or "MA_LK" not in tables[key].names:
            raise FieldTablesError(f"{key} missing or without MA_LK")
    return tables


def table(key: str) -> TableSpec:
    return field_tables()[key]


@cache
def _by_name(key: str) -> dict[str, FieldSpec]:
    return {f.name: f for f in field_tables()[key].fields}
