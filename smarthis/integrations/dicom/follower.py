"""Following Orthanc's changes feed: each new or stable study is linked to its order item
by accession number, the procedure marked "images available", the ordering doctor's
screen told. The position in the feed is kept in the database, so a restart (or another
node) continues where the last pass stopped; when Orthanc is down a pass fails softly and
the next one retries from the same position."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smarthis import events
from smarthis.db import Database, utcnow
from smarthis.integrations.dicom.models import ImagingProcedure, ImagingStudy, PacsCursor
from smarthis.integrations.dicom.orthanc_client import OrthancClient, PacsUnavailable
from smarthis.integrations.dicom.traffic import (
    PACS_ERROR,
    STUDY_LINKED,
    STUDY_UNMATCHED,
    record_event,
)
from smarthis.orders.models import Order, OrderItem

log = logging.getLogger(__name__)

STUDY_CHANGES = frozenset({"NewStudy", "StableStudy"})
PAGE_SIZE = 100
# A pass stops after this many pages (a backlog is taken over the next passes).
MAX_PAGES_PER_PASS = 20


@dataclass
class StudyFacts:
    """What SmartHIS keeps of one Orthanc study (read before the write transaction)."""

    orthanc_id: str
    study_uid: str
    accession_number: str
    series_count: int
    instances_count: int
    first_series_id: str | None
    preview_instance_id: str | None


@dataclass
class FollowResult:
    changes_seen: int = 0
    linked: list[str] = field(default_factory=list)  # accession numbers
    unmatched: list[str] = field(default_factory=list)
    last_seq: int = 0
    error: str | None = None


def _middle_instance(instances: list[dict[str, Any]], series_id: str | None) -> str | None:
    """The instance in the middle of the first series: a representative slice for CT/MR."""
    chosen = [i for i in instances if i.get("ParentSeries") == series_id] or instances
    if not chosen:
        return None
    chosen.sort(key=lambda i: (i.get("IndexInSeries") or 0, i.get("ID", "")))
    return str(chosen[len(chosen) // 2]["ID"])


def read_study(client: OrthancClient, study_id: str) -> StudyFacts | None:
    study = client.study(study_id)
    if study is None:  # deleted since the change was logged
        return None
    tags = study.get("MainDicomTags") or {}
    series = list(study.get("Series") or [])
    stats = client.study_statistics(study_id) or {}
    first_series = series[0] if series else None
    return StudyFacts(
        orthanc_id=study_id,
        study_uid=str(tags.get("StudyInstanceUID", ""))[:64],
        accession_number=str(tags.get("AccessionNumber", "")).strip()[:16],
        series_count=int(stats.get("CountSeries", len(series))),
        instances_count=int(stats.get("CountInstances", 0)),
        first_series_id=first_series,
        preview_instance_id=_middle_instance(client.study_instances(study_id), first_series),
    )


def _insert(session: Session):  # noqa: ANN202 - dialect-specific Insert
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _locked_cursor(session: Session, facility_code: str) -> PacsCursor:
    """The facility's feed position, row-locked until commit: two followers (two app
    nodes) never apply the same page twice."""
    session.execute(
        _insert(session)(PacsCursor)
        .values(facility_code=facility_code, last_seq=0, updated_at=utcnow())
        .on_conflict_do_nothing()
    )
    cursor = session.execute(
        select(PacsCursor)
        .where(PacsCursor.facility_code == facility_code)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    return cursor


def _procedure_for(session: Session, facility_code: str, accession: str) -> ImagingProcedure | None:
    if not accession:
        return None
    return session.execute(
        select(ImagingProcedure).where(
            ImagingProcedure.facility_code == facility_code,
            ImagingProcedure.accession_number == accession,
        )
    ).scalar_one_or_none()


def _tell_doctor(session: Session, procedure: ImagingProcedure) -> None:
    """A "result" event like the orders' own, so the visit screen reloads its results."""
    order = session.get(Order, procedure.order_id)
    item = session.get(OrderItem, procedure.order_item_id)
    if order is None or item is None:
        return
    events.emit(
        session,
        {
            "topic": "result",
            "facility": order.facility_code,
            "kind": "images_available",
            "doctor": order.ordered_by,
            "visit_id": order.visit_id,
            "order_id": order.id,
            "item_id": item.id,
            "service_code": item.service_code,
            "at": utcnow().isoformat(),
        },
    )


def link_study(session: Session, facility_code: str, facts: StudyFacts) -> ImagingStudy:
    """Create or refresh the study's row and link it to its procedure (idempotent: a
    NewStudy then a StableStudy for one study make one row, with the final counts)."""
    now = utcnow()
    study = session.execute(
        select(ImagingStudy).where(
            ImagingStudy.facility_code == facility_code,
            ImagingStudy.orthanc_study_id == facts.orthanc_id,
        )
    ).scalar_one_or_none()
    if study is None:
        study = ImagingStudy(
            facility_code=facility_code, orthanc_study_id=facts.orthanc_id, received_at=now
        )
        session.add(study)
    study.study_instance_uid = facts.study_uid
    study.accession_number = facts.accession_number
    study.series_count = facts.series_count
    study.instances_count = facts.instances_count
    study.first_series_id = facts.first_series_id
    study.preview_instance_id = facts.preview_instance_id
    study.updated_at = now
    procedure = _procedure_for(session, facility_code, facts.accession_number)
    detail = {"accession": facts.accession_number, "study": facts.orthanc_id}
    if procedure is None:
        study.order_item_id = study.procedure_id = None
        record_event(session, facility_code, STUDY_UNMATCHED, detail, ok=False)
        session.flush()
        return study
    newly_linked = study.procedure_id != procedure.id
    study.procedure_id, study.order_item_id = procedure.id, procedure.order_item_id
    if procedure.status != "images_available":
        procedure.status, procedure.images_at = "images_available", now
    session.flush()
    if newly_linked:
        record_event(
            session,
            facility_code,
            STUDY_LINKED,
            {**detail, "item": procedure.order_item_id, "instances": facts.instances_count},
        )
        _tell_doctor(session, procedure)
    return study


def _read_position(db: Database, facility_code: str) -> int:
    with db.session() as session:
        value = session.execute(
            select(PacsCursor.last_seq).where(PacsCursor.facility_code == facility_code)
        ).scalar()
    return int(value or 0)


def _note_failure(db: Database, facility_code: str, error: str) -> None:
    with db.session() as session:
        cursor = _locked_cursor(session, facility_code)
        if cursor.failing_since is None:
            cursor.failing_since = utcnow()
            record_event(session, facility_code, PACS_ERROR, {"error": error}, ok=False)


def _fetch_page(
    client: OrthancClient, since: int, page_size: int
) -> tuple[int, bool, list[StudyFacts], int]:
    page = client.changes(since, page_size)
    wanted: list[str] = []
    for change in page.changes:
        study_id = str(change.get("ID", ""))
        if change.get("ChangeType") in STUDY_CHANGES and study_id and study_id not in wanted:
            wanted.append(study_id)
    studies = [facts for sid in wanted if (facts := read_study(client, sid)) is not None]
    return page.last, page.done, studies, len(page.changes)


def _apply_page(
    db: Database, facility_code: str, since: int, last: int, studies: list[StudyFacts]
) -> tuple[bool, list[ImagingStudy]]:
    """Write the page's links and the new position in one transaction; False when another
    follower moved the position meanwhile (its pass did this page)."""
    with db.session() as session:
        cursor = _locked_cursor(session, facility_code)
        if cursor.last_seq != since:
            return False, []
        linked = [link_study(session, facility_code, facts) for facts in studies]
        cursor.last_seq, cursor.updated_at = last, utcnow()
        if cursor.failing_since is not None:
            record_event(
                session,
                facility_code,
                PACS_ERROR,
                {"recovered": True, "failing_since": cursor.failing_since.isoformat()},
            )
            cursor.failing_since = None
    return True, linked


def follow_once(
    db: Database,
    client: OrthancClient,
    facility_code: str,
    *,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES_PER_PASS,
) -> FollowResult:
    """One pass over the changes since the stored position (bounded to `max_pages`)."""
    result = FollowResult(last_seq=_read_position(db, facility_code))
    for _ in range(max_pages):
        since = result.last_seq
        # Orthanc is read outside any transaction: a slow PACS never holds a database lock.
        try:
            last, done, studies, seen = _fetch_page(client, since, page_size)
        except PacsUnavailable as exc:
            log.warning("PACS unavailable, will retry: %s", exc)
            result.error = str(exc)
            _note_failure(db, facility_code, result.error)
            return result
        if last < since:
            # Orthanc's index was reset (a new, empty PACS): its numbering starts again.
            log.warning("PACS changes feed restarted (last %s < position %s)", last, since)
            last = 0 if not seen else last
        applied, linked = _apply_page(db, facility_code, since, last, studies)
        if not applied:
            return result
        result.changes_seen += seen
        result.last_seq = last
        for study in linked:
            target = result.linked if study.order_item_id is not None else result.unmatched
            target.append(study.accession_number)
        if done or seen == 0:
            break
    return result
