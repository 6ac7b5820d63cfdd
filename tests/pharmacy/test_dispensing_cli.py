"""`smarthis pharmacy receive` and `smarthis pharmacy stock` against the test database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from click.testing import Result
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.pharmacy.stock import hospital_today

Invoke = Callable[..., Result]


@pytest.fixture
def smarthis(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    monkeypatch.setenv("SMARTHIS_DATABASE_URL", db.url)
    monkeypatch.setenv("SMARTHIS_FACILITY_CODE", "48001")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_receive_then_list_the_stock(smarthis: Invoke) -> None:
    soon = (hospital_today() + timedelta(days=20)).isoformat()
    late = (hospital_today() + timedelta(days=500)).isoformat()
    for lot, expiry, quantity in (("B2", late, "100"), ("A1", soon, "5")):
        result = smarthis(
            "pharmacy", "receive", "--drug", "T-PARA500", "--lot", lot,
            "--expiry", expiry, "--quantity", quantity,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "drug_code": "T-PARA500",
        "lot_number": "A1",
        "expiry_date": soon,
        "quantity_on_hand": 5,
    }
    listing = smarthis("pharmacy", "stock")
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    para = next(i for i, line in enumerate(lines) if line.startswith("T-PARA500"))
    assert "105 viên" in lines[para] and "có lô sắp hết hạn" in lines[para]
    assert "lô A1" in lines[para + 1] and "lô B2" in lines[para + 2]  # first expiry first
    as_json = [
        json.loads(line) for line in smarthis("pharmacy", "stock", "--json").output.splitlines()
    ]
    para_json = next(d for d in as_json if d["drug_code"] == "T-PARA500")
    assert para_json["usable"] == 105 and [lot["lot_number"] for lot in para_json["lots"]] == [
        "A1",
        "B2",
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--drug", "T-PARA500", "--expiry", "31/12/2027", "--quantity", "5"], "YYYY-MM-DD"),
        (["--drug", "T-KHONGCO", "--expiry", "2099-01-01", "--quantity", "5"], "không có trong"),
        (["--drug", "T-PARA500", "--expiry", "2001-01-01", "--quantity", "5"], "hết hạn"),
        (["--drug", "T-PARA500", "--expiry", "2099-01-01", "--quantity", "0"], "lớn hơn 0"),
    ],
)
def test_a_bad_receipt_exits_2_saying_why(smarthis: Invoke, args: list[str], says: str) -> None:
    result = smarthis("pharmacy", "receive", "--lot", "L1", *args)
    assert result.exit_code == 2
    assert says in result.output
