"""The background worker that follows the PACS (started only when pacs_url is set)."""

from __future__ import annotations

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.dicom.follower import follow_once
from smarthis.integrations.dicom.orthanc_client import OrthancClient
from smarthis.workers import PeriodicWorker


def pacs_follower(settings: Settings, db: Database) -> PeriodicWorker:
    client = OrthancClient.from_settings(settings)
    return PeriodicWorker(
        "pacs-follower",
        settings.pacs_poll_interval_s,
        lambda: follow_once(db, client, settings.facility_code),
    )
