"""The monthly export: one envelope per visit, a summary, invalid claims listed not written;
and the `smarthis claims export` command with a loader."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.insurance.claims.cli import set_month_loader
from smarthis.insurance.claims.envelope import parse_envelope
from smarthis.insurance.claims.export import export_month
from smarthis.insurance.claims.inputs import ClaimVisit
from smarthis.insurance.claims.xml_io import parse_table
from tests.insurance.claims.example import inpatient_visit, worked_visit


def month_of_claims(month: str = "2026-11") -> Iterable[ClaimVisit]:
    yield worked_visit(claim_code="48001/2026/1")
    yield inpatient_visit()
    yield worked_visit(claim_code="48001/2026/3", reason_for_visit="")


def test_export_month(tmp_path: Path) -> None:
    summary = export_month(
        month_of_claims(), tmp_path, month="2026-11", created_on=date(2026, 12, 1)
    )
    assert (summary.exported, summary.invalid) == (2, 1)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["48001-20261102-000123.xml", "48001_2026_1.xml", "summary.json"]
    envelope = parse_envelope((tmp_path / "48001_2026_1.xml").read_bytes())
    assert envelope.created_on == "20261201"
    assert parse_table("XML1", envelope.claims[0]["XML1"])[0]["MA_LK"] == "48001/2026/1"
    written = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert written["totals"]["T_TONGCHI_BV"] == "1420453.82"  # 2 x 710226.91
    assert written["totals"]["T_BHTT"] == "1136363.06"
    assert written["invalid_claims"][0]["MA_LK"] == "48001/2026/3"
    assert written["invalid_claims"][0]["issues"][0]["field"] == "LY_DO_VV"


def test_export_refuses_claims_of_another_month(tmp_path: Path) -> None:
    summary = export_month([worked_visit()], tmp_path, month="2026-10")
    assert summary.exported == 0
    assert summary.problems[0]["issues"][-1]["rule"] == "wrong_month"


def test_cli_export_with_a_registered_loader(tmp_path: Path) -> None:
    runner = CliRunner()
    set_month_loader(lambda month: [worked_visit()])
    try:
        result = runner.invoke(
            app, ["claims", "export", "--month", "2026-11", "--out", str(tmp_path)]
        )
    finally:
        set_month_loader(None)
    assert result.exit_code == 0, result.output
    assert "1 exported" in result.output
    assert (tmp_path / "48001-20261102-000123.xml").exists()


def test_cli_export_with_a_named_loader_reports_invalid_claims(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "claims",
            "export",
            "--month",
            "2026-11",
            "--out",
            str(tmp_path),
            "--loader",
            "tests.insurance.claims.test_export:month_of_claims",
        ],
    )
    assert result.exit_code == 1  # some claims need fixing
    assert "2 exported, 1 invalid" in result.output


def test_export_with_worker_processes_gives_the_same_month(tmp_path: Path) -> None:
    one = export_month(
        month_of_claims(), tmp_path / "one", month="2026-11", created_on=date(2026, 12, 1)
    )
    two = export_month(
        month_of_claims(),
        tmp_path / "two",
        month="2026-11",
        created_on=date(2026, 12, 1),
        workers=2,
    )
    assert two.as_dict() == one.as_dict()
    for name in ("48001_2026_1.xml", "48001-20261102-000123.xml"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
