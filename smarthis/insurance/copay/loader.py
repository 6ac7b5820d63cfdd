"""Loading the co-payment rules: from the packaged JSON file today, from a table later.

Both sources go through `rules_from_mapping`, so an admin's edit is checked exactly as the
shipped file is: a broken rule set fails at load time naming the field, not later as a
wrong co-payment at the cashier's desk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smarthis.errors import DomainError
from smarthis.insurance.copay.rules import CopayRules

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "copay_rules.json"


class CopayRulesError(DomainError):
    """The rule data is broken: our (or the admin's) fault, not the cashier's, hence a 500."""

    status_code = 500


def rules_from_mapping(data: Mapping[str, Any], origin: str = "copay rules") -> CopayRules:
    try:
        return CopayRules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise CopayRulesError(
            "copay_rules_invalid",
            f"Dữ liệu quy tắc cùng chi trả ({origin}) sai tại {where}: {first['msg']}",
            f"copay rule data ({origin}) is invalid at {where}: {first['msg']}",
            field=where,
        ) from exc


def load_rules_file(path: Path) -> CopayRules:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CopayRulesError(
            "copay_rules_unreadable",
            f"Không đọc được tệp quy tắc cùng chi trả {path.name}: {exc}",
            f"cannot read the copay rule file {path.name}: {exc}",
        ) from exc
    return rules_from_mapping(data, origin=path.name)


@lru_cache(maxsize=1)
def load_rules() -> CopayRules:
    """The packaged rules, read and validated once per process."""
    return load_rules_file(RULES_FILE)
