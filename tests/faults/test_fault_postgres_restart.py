"""Small version of `make faults` postgres: PostgreSQL restarts under the app while kiosks
register; the app recovers by itself and nothing acknowledged is lost. The server restarted
is a private throwaway one (bench/faults_postgres.py), never the machine's shared cluster."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.faults import run_named
from bench.faults_postgres import NoPostgres, server_bin_dir

REGISTRATIONS = 8


def test_a_postgres_restart_mid_registration_loses_nothing(tmp_path: Path) -> None:
    if not os.environ.get("SMARTHIS_TEST_DATABASE_URL"):
        pytest.skip("runs in the PostgreSQL pass of make test (SMARTHIS_TEST_DATABASE_URL)")
    try:
        server_bin_dir()
    except NoPostgres as missing:
        pytest.skip(str(missing))
    report = run_named("postgres", "postgres", REGISTRATIONS, tmp_path)
    assert report.errors == []
    assert (report.acknowledged, report.found, report.lost) == (REGISTRATIONS, REGISTRATIONS, 0)
    assert (report.duplicate_tickets, report.duplicate_visits) == (0, 0)
    # The restart really cut the run: some kiosks were answered only after it.
    assert report.notes["answered_before_restart"] < REGISTRATIONS
