"""Background work run inside the app process (embedded mode) or any node (PostgreSQL):
claims are made in the database, so several processes never repeat each other's work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI

from smarthis.config import Settings
from smarthis.db import Database

log = logging.getLogger(__name__)


class PeriodicWorker:
    def __init__(self, name: str, interval_s: float, task: Callable[[], object]) -> None:
        self.name = name
        self.interval_s = interval_s
        self.task = task
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.task()
            except Exception:  # a failed pass must not end the worker; the next one retries
                log.exception("background task %s failed", self.name)


def _deliver_claims(db: Database, settings: Settings) -> None:
    from smarthis.insurance.claims.portal import ClaimsPortalClient
    from smarthis.insurance.claims.submissions import deliver_due, has_due

    if not has_due(db, settings.facility_code):
        return
    with ClaimsPortalClient.from_settings(settings) as portal:
        deliver_due(db, portal)


def add_background_workers(app: FastAPI) -> FastAPI:
    from smarthis.clinical.service import recheck_unverified

    state = app.state
    state.background_workers.append(
        PeriodicWorker(
            "insurance-recheck",
            state.settings.bhxh_recheck_interval_s,
            lambda: recheck_unverified(state.db, state.portal, state.settings),
        )
    )
    from smarthis.integrations.hl7.delivery import drain_lis_outbox

    # Lab orders to the LIS: every app process may run this; the outbox claims rows in
    # the database, so no message is sent twice at once.
    state.background_workers.append(
        PeriodicWorker(
            "lis-outbox",
            state.settings.outbox_poll_interval_s,
            lambda: drain_lis_outbox(state.db, state.settings),
        )
    )
    from smarthis.integrations.emr.worker import emr_outbox_worker

    # Concluded visits' records to the national EMR portal (same outbox claims).
    state.background_workers.append(emr_outbox_worker(state.settings, state.db))
    # Queued XML 130 claims to the BHXH portal; rows are claimed in the database too, and
    # the portal is only contacted when something is due.
    state.background_workers.append(
        PeriodicWorker(
            "claims-delivery",
            state.settings.claims_poll_interval_s,
            lambda: _deliver_claims(state.db, state.settings),
        )
    )
    if state.settings.pacs_url:
        # Studies arriving in Orthanc are linked to their orders (the DICOM follower).
        from smarthis.integrations.dicom.worker import pacs_follower

        state.background_workers.append(pacs_follower(state.settings, state.db))
    return app
