"""Small versions of `make faults`: real server processes, kiosks retrying with their keys.
Whatever strikes, every registration a kiosk was told about exists exactly once, with the
number it printed, and no number is given twice."""

from __future__ import annotations

from pathlib import Path

from bench.faults import run_scenario
from smarthis.db import Database

REGISTRATIONS = 12


def test_sigkill_mid_registration_loses_nothing_and_duplicates_nothing(
    db: Database, tmp_path: Path
) -> None:
    report = run_scenario("kill", "", REGISTRATIONS, tmp_path, url=db.url)
    assert report.errors == []
    assert (report.acknowledged, report.found, report.lost) == (REGISTRATIONS, REGISTRATIONS, 0)
    assert (report.duplicate_tickets, report.duplicate_visits) == (0, 0)
    # The kill really cut the run: some kiosks were answered only after the restart.
    assert report.notes["answered_before_kill"] < REGISTRATIONS


def test_a_portal_outage_still_registers_and_the_checks_catch_up(
    db: Database, tmp_path: Path
) -> None:
    report = run_scenario("portal", "", REGISTRATIONS, tmp_path, url=db.url)
    assert report.errors == [] and report.lost == 0 and report.duplicate_tickets == 0
    assert report.acknowledged == REGISTRATIONS
    assert report.notes["unverified_after_outage"] > 0  # the insured patients' checks waited
    assert report.notes["unverified_after_catch_up"] == 0
