"""The EMR delivery worker: every app process may run it; the outbox claims rows in the
database, so no document is posted twice at once."""

from __future__ import annotations

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.emr.delivery import drain_emr_outbox
from smarthis.integrations.emr.settings import EmrSettings
from smarthis.workers import PeriodicWorker


def emr_outbox_worker(settings: Settings, db: Database) -> PeriodicWorker:
    emr_settings = EmrSettings()
    return PeriodicWorker(
        "emr-outbox",
        settings.outbox_poll_interval_s,
        lambda: drain_emr_outbox(db, settings, emr_settings),
    )
