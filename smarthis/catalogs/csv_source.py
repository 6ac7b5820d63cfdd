"""Reading the packaged catalogue CSV files, refusing any row that breaks its expected shape.

The files are extractions of spreadsheets published by the Ministry of Health; a bad
extraction must fail loudly at load time, naming the file and line, rather than surface
later as a wrong diagnosis name or a rejected claim.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from smarthis.errors import DomainError

DATA_DIR = Path(__file__).parent / "data"


class CatalogError(DomainError):
    """A shipped catalogue file is broken. That is our fault, not the user's: hence a 500."""

    status_code = 500


def data_file(name: str) -> Path:
    return DATA_DIR / name


def read_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row with stripped values) after checking the header and row width."""
    # utf-8-sig: a file re-saved by a spreadsheet program gains a BOM that would
    # otherwise glue itself to the first column name.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            names = ", ".join(missing)
            raise CatalogError(
                "catalog_columns",
                f"Tệp {path.name} thiếu cột: {names}",
                f"{path.name} lacks columns: {names}",
                field=missing[0],
            )
        for row in reader:
            # DictReader files surplus values under None and pads short rows with None.
            if None in row or any(value is None for value in row.values()):
                raise CatalogError(
                    "catalog_row_width",
                    f"{path.name}, dòng {reader.line_num}: số cột khác với dòng tiêu đề",
                    f"{path.name}, line {reader.line_num}: column count differs from the header",
                    field=None,
                )
            yield reader.line_num, {key: value.strip() for key, value in row.items()}


def require_match(
    pattern: re.Pattern[str], value: str, *, path: Path, line: int, column: str, shape: str
) -> str:
    """Return `value` if it fully matches `pattern`, else raise naming file, line and column."""
    if pattern.fullmatch(value) is None:
        raise CatalogError(
            "catalog_value",
            f"{path.name}, dòng {line}: cột {column} = {value!r} không đúng dạng {shape}",
            f"{path.name}, line {line}: column {column} = {value!r} is not of the form {shape}",
            field=column,
        )
    return value


def reject_row(path: Path, line: int, column: str, reason_vi: str, reason_en: str) -> CatalogError:
    """Build the error for a row that has the right shape but contradicts the rest of the file."""
    return CatalogError(
        "catalog_value",
        f"{path.name}, dòng {line}: cột {column}: {reason_vi}",
        f"{path.name}, line {line}: column {column}: {reason_en}",
        field=column,
    )
