"""`smarthis dicom ...` as an engineer at a modality's side uses it: what the worklist
serves for given keys, and the recent DICOM traffic."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.integrations.dicom.traffic import WORKLIST_QUERY, record_event
from tests.integrations.dicom.hospital import (
    CT_SERVICE,
    FACILITY,
    MRI_SERVICE,
    patient_with_visit,
    place,
)


@pytest.fixture
def cli_env(imaging_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("SMARTHIS_DATABASE_URL", imaging_db.url)
    monkeypatch.setenv("SMARTHIS_FACILITY_CODE", FACILITY)
    monkeypatch.delenv("SMARTHIS_PACS_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_worklist_lists_what_the_scp_serves(imaging_db: Database, cli_env: CliRunner) -> None:
    with imaging_db.session() as session:
        visit_id, mrn = patient_with_visit(session, "Đặng Văn Hùng", sex="male")
    place(imaging_db, visit_id, [CT_SERVICE, MRI_SERVICE])

    everything = cli_env.invoke(app, ["dicom", "worklist"])
    ct_only = cli_env.invoke(app, ["dicom", "worklist", "--modality", "ct"])

    assert everything.exit_code == 0, everything.output
    rows = [json.loads(line) for line in everything.output.splitlines()]
    assert [(r["modality"], r["patient_name"], r["patient_mrn"]) for r in rows] == [
        ("CT", "Đặng Văn Hùng", mrn),
        ("MR", "Đặng Văn Hùng", mrn),
    ]
    assert [json.loads(line)["service_code"] for line in ct_only.output.splitlines()] == [
        CT_SERVICE
    ]


def test_events_and_follow_without_a_pacs(imaging_db: Database, cli_env: CliRunner) -> None:
    with imaging_db.session() as session:
        record_event(session, FACILITY, WORKLIST_QUERY, {"modality": "CT"}, matches=3)

    events = cli_env.invoke(app, ["dicom", "events"])
    follow = cli_env.invoke(app, ["dicom", "follow"])

    (event,) = [json.loads(line) for line in events.output.splitlines()]
    assert event["kind"] == WORKLIST_QUERY and event["matches"] == 3
    assert follow.exit_code == 2 and "SMARTHIS_PACS_URL" in follow.output
