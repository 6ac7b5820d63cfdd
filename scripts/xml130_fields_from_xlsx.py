"""Regenerate smarthis/insurance/claims/data/xml130_fields.json from the two reference workbooks.

    .venv/bin/pip install openpyxl   # only this script needs it, the product does not
    .venv/bin/python scripts/xml130_fields_from_xlsx.py [REFERENCE_DIR]

REFERENCE_DIR defaults to ../shared/reference (beside the work tree). The field tables
(Decision 130/QĐ-BYT with the 4750/QĐ-BYT amendment column) give each field's legal type and
size; the amendment text is applied ("Đổi kiểu dữ liệu thành chuỗi" -> string, "Tăng kích
thước tối đa lên N" -> size N). The validation-rules workbook gives the required flag and the
pre-submission check notes hospitals use. Both are kept verbatim beside the derived values,
so a reader can see why a field validates the way it does.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "smarthis" / "insurance" / "claims" / "data" / "xml130_fields.json"
FIELD_TABLES = "xml130_4750_field_tables.xlsx"
VALIDATION_RULES = "xml130_4750_validation_rules.xlsx"

# Sheet order is the same in both workbooks: check-in, then tables 1..15.
TABLE_KEYS = ["XML0"] + [f"XML{n}" for n in range(1, 16)]

TO_STRING_RE = re.compile(r"Đổi kiểu dữ liệu thành chuỗi", re.IGNORECASE)
SIZE_UP_RE = re.compile(r"Tăng kích thước tối đa lên (\d+)", re.IGNORECASE)
DECIMALS_RE = re.compile(r"(\d+)\s*(?:\([^)]*\)\s*)?chữ số (?:sau dấu )?thập phân", re.IGNORECASE)
DATETIME_RE = re.compile(r"yyyymmddHHMM|12 ký tự", re.IGNORECASE)
DATE_RE = re.compile(r"yyyymmdd|08 ký tự", re.IGNORECASE)
LIST_RE = re.compile(r"chấm phẩy")


def _rows(path: Path, index: int) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    return list(workbook.worksheets[index].iter_rows(values_only=True))


def _is_field_name(value: Any) -> bool:
    text = str(value or "").strip()
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", text))


def _size(value: Any) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdigit() else None  # "n": unbounded


def _kind(type_text: Any) -> str:
    return "number" if str(type_text).strip().lower().startswith("số") else "string"


def _format(name: str, kind: str, size: int | None, text: str) -> str:
    """What the value looks like, read from the field's own description."""
    if name == "NGAY_SINH":
        # yyyymmddHHMM where unknown day/month/hour/minute are written as zeros.
        return "birth"
    if name.startswith(("NGAY_", "GT_THE_", "THOI_DIEM_")) or name == "NAM_NAM_LIEN_TUC":
        listed = size is None or (size > 12 and LIST_RE.search(text) is not None)
        says_date = "08 ký tự" in text and "12 ký tự" not in text
        if size == 8 or says_date or (size is None and DATE_RE.search(text)):
            return "date_list" if listed else "date"
        if size == 12 or DATETIME_RE.search(text):
            return "datetime_list" if listed else "datetime"
    if kind == "number":
        return "number"
    return "text"


def _decimals(name: str, kind: str, text: str) -> int:
    found = [int(n) for n in DECIMALS_RE.findall(text)]
    if found:
        return max(found)
    # Totals of table 1 and other money fields name no precision of their own: they are
    # sums of line amounts written to 2 decimals, so they carry 2 as well (inference).
    if kind == "number" and name.startswith("T_"):
        return 2
    # MUC_HUONG is a product of shares (95 x 50% = 47.5): allow what such products need.
    if name == "MUC_HUONG":
        return 2
    return 0


def _required(flag: Any) -> tuple[str, str | None]:
    text = " ".join(str(flag or "").split())
    if not text:
        return "optional", None
    if text.lower() == "x":
        return "always", None
    return "conditional", text


def _field_tables(reference: Path, index: int) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    for row in _rows(reference / FIELD_TABLES, index):
        if len(row) < 4 or not _is_field_name(row[1]):
            continue
        name = str(row[1]).strip()
        description = str(row[4]).strip() if len(row) > 4 and row[4] else ""
        amendment = " ".join(str(c).strip() for c in row[5:] if c)
        notes = f"{description}\n{amendment}"
        kind, size = _kind(row[2]), _size(row[3])
        if TO_STRING_RE.search(amendment):
            kind = "string"
        size_up = SIZE_UP_RE.findall(notes)
        if size_up:
            size = max(int(n) for n in size_up)
        fields.append(
            {
                "name": name,
                "type_130": str(row[2]).strip(),
                "size_130": str(row[3]).strip(),
                "type": kind,
                "size": size,
                "format": _format(name, kind, size, notes),
                "decimals": _decimals(name, kind, notes),
                "description": description,
                "amendment_4750": amendment,
            }
        )
    return fields


def _validation_rules(reference: Path, index: int) -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    rows = _rows(reference / VALIDATION_RULES, index)
    header = next((r for r in rows if r and r[1] == "Chỉ tiêu"), rows[0])
    required_col = next(i for i, h in enumerate(header) if str(h or "").startswith("Bắt buộc"))
    for row in rows:
        if len(row) <= required_col or not _is_field_name(row[1]):
            continue
        name = str(row[1]).strip()
        checks = [str(c).strip() for c in row[required_col + 1 :] if c and str(c).strip()]
        rules.setdefault(
            name,
            {
                "flag": row[required_col],
                "checks": "; ".join(checks) or None,
                "checker_type": str(row[2]).strip() if row[2] else None,
                "checker_size": str(row[3]).strip() if row[3] is not None else None,
            },
        )
    return rules


def build(reference: Path) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for index, key in enumerate(TABLE_KEYS):
        title = str(_rows(reference / FIELD_TABLES, index)[0][0] or "").split("\n")[0].strip()
        rules = _validation_rules(reference, index)
        fields = _field_tables(reference, index)
        for order, field in enumerate(fields, start=1):
            rule = rules.get(field["name"], {})
            required, condition = _required(rule.get("flag"))
            field.update(
                order=order,
                required=required,
                required_condition=condition,
                checker_notes=rule.get("checks"),
                checker_type=rule.get("checker_type"),
                checker_size=rule.get("checker_size"),
            )
        tables[key] = {"title": title, "fields": fields}
    return {
        "provenance": (
            "Generated by scripts/xml130_fields_from_xlsx.py from "
            f"{FIELD_TABLES} (Decision 130/QĐ-BYT field tables with the 4750/QĐ-BYT amendment "
            f"column) and {VALIDATION_RULES} (required flags and pre-submission checks as "
            "hospitals use them), both copied from the public repository dh-hos/Mo-ta-he-thong "
            "(XML130/QD4570/phu-luc-quyet-dinh-4750.xlsx and Check_Valid_QD4750_Validate CTN "
            "QĐ_4750.xlsx). type/size: the legal ones with the amendments applied; format and "
            "decimals: read from each field's description (money totals without a stated "
            "precision get 2, an inference). XML0 is the check-in table."
        ),
        "tables": tables,
    }


def main() -> None:
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference"
    data = build(reference)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts = {k: len(v["fields"]) for k, v in data["tables"].items()}
    print(f"wrote {OUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()
