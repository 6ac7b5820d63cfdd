"""The Modality Worklist SCP (C-FIND, plus C-ECHO for connection tests) the modalities
query for their scheduled procedures. One per installation, in `smarthis serve`'s parent
process (a thread); it reads the database per query and never calls the PACS."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, _config, evt
from pynetdicom.sop_class import ModalityWorklistInformationFind, Verification
from pynetdicom.transport import ThreadedAssociationServer

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.dicom.traffic import WORKLIST_QUERY, record_event
from smarthis.integrations.dicom.worklist_dataset import (
    BadWorklistQuery,
    answer_for,
    name_matches,
    parse_request,
)
from smarthis.integrations.dicom.worklist_query import WorklistFilter, find_scheduled

log = logging.getLogger(__name__)

# C-FIND statuses (PS3.4 C.4.1.1.4).
PENDING = 0xFF00
CANCELLED = 0xFE00
SUCCESS = 0x0000
IDENTIFIER_DOES_NOT_MATCH = 0xA900
UNABLE_TO_PROCESS = 0xC000


def _filters_for_log(wanted: WorklistFilter) -> dict[str, Any]:
    return {k: v for k, v in vars(wanted).items() if v is not None}


def _handle_find(event: evt.Event, db: Database, settings: Settings) -> Iterator[Any]:
    started = time.perf_counter()
    calling_ae = str(event.assoc.requestor.ae_title).strip()
    request: Dataset = event.identifier
    try:
        wanted = parse_request(request)
    except BadWorklistQuery as exc:
        with db.session() as session:
            record_event(
                session,
                settings.facility_code,
                WORKLIST_QUERY,
                {"error": str(exc)},
                ok=False,
                calling_ae=calling_ae,
            )
        yield IDENTIFIER_DOES_NOT_MATCH, None
        return
    try:
        with db.session() as session:
            found = find_scheduled(
                session, settings.facility_code, wanted, settings.dicom_station_ae_titles
            )
            found = [p for p in found if name_matches(request, p.patient_name)]
            record_event(
                session,
                settings.facility_code,
                WORKLIST_QUERY,
                _filters_for_log(wanted),
                calling_ae=calling_ae,
                matches=len(found),
                duration_ms=round((time.perf_counter() - started) * 1000),
            )
    except Exception:  # the database is away: tell the modality, keep serving the others
        log.exception("worklist query from %s failed", calling_ae)
        yield UNABLE_TO_PROCESS, None
        return
    for procedure in found:
        if event.is_cancelled:
            yield CANCELLED, None
            return
        yield PENDING, answer_for(request, procedure, settings.facility_code)
    yield SUCCESS, None


def _handle_echo(_event: evt.Event) -> int:
    return SUCCESS


def start_worklist_server(
    settings: Settings, db: Database, *, port: int | None = None
) -> ThreadedAssociationServer:
    """Listen on worklist_host:worklist_port (or `port`; 0 picks a free one) in background
    threads; `.shutdown()` stops it."""
    # pynetdicom would log every identifier asked and answered: patient names and ids in
    # the server log (and a third of each answer's CPU time). The traffic log keeps filters.
    _config.LOG_REQUEST_IDENTIFIERS = False
    _config.LOG_RESPONSE_IDENTIFIERS = False
    ae = AE(ae_title=settings.worklist_ae_title)
    ae.add_supported_context(ModalityWorklistInformationFind)
    ae.add_supported_context(Verification)
    # A modality configured with another AE title is talking to the wrong server.
    ae.require_called_aet = True
    ae.maximum_associations = 20
    # Never block a modality for long on a dead peer.
    ae.acse_timeout = 30
    ae.dimse_timeout = 30
    ae.network_timeout = 60
    handlers = [
        (evt.EVT_C_FIND, _handle_find, [db, settings]),
        (evt.EVT_C_ECHO, _handle_echo),
    ]
    address = (settings.worklist_host, settings.worklist_port if port is None else port)
    server = ae.start_server(address, block=False, evt_handlers=handlers)
    log.info(
        "modality worklist %s listening on %s:%s",
        settings.worklist_ae_title,
        *server.server_address[:2],
    )
    return server


def start_worklist_thread(settings: Settings, db: Database) -> ThreadedAssociationServer:
    """What `smarthis serve` calls: the SCP in the parent process, not per app worker."""
    return start_worklist_server(settings, db)
