"""Fixtures of the DICOM tests: the imaging rooms, the worklist SCP on a free port, a real
Orthanc process and the dcmtk tools (skipped only when their Debian package is missing)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.dicom.worklist_scp import start_worklist_server
from tests.integrations.dicom.hospital import FACILITY, build_rooms
from tests.integrations.dicom.pacs import OrthancProcess, orthanc_installed

# The CT room's modality has a configured AE title; the others use their room code.
STATION_TITLES = {"CT-01": "CT_TANG2"}


@pytest.fixture
def imaging_db(db: Database) -> Database:
    with db.session() as session:
        build_rooms(session)
    return db


@pytest.fixture
def dicom_settings(imaging_db: Database) -> Settings:
    return Settings(
        database_url=imaging_db.url,
        facility_code=FACILITY,
        worklist_host="127.0.0.1",
        dicom_station_ae_titles=STATION_TITLES,
    )


@pytest.fixture
def worklist_port(dicom_settings: Settings, imaging_db: Database) -> Iterator[int]:
    server = start_worklist_server(dicom_settings, imaging_db, port=0)
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture
def dcmtk() -> None:
    missing = [t for t in ("findscu", "storescu") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"dcmtk not installed ({', '.join(missing)}): apt-get install dcmtk")


@pytest.fixture
def orthanc(tmp_path: Path) -> Iterator[OrthancProcess]:
    if not orthanc_installed():
        pytest.skip("Orthanc not installed: apt-get install orthanc orthanc-webviewer")
    pacs = OrthancProcess(tmp_path / "orthanc")
    pacs.start()
    yield pacs
    pacs.stop()
