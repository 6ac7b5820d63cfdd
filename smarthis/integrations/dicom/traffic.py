"""The DICOM traffic log: what the modalities asked, what arrived from the PACS and what
failed, for the interface monitor. Rows name no patient (accession numbers and ids)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.integrations.dicom.models import DicomEvent

WORKLIST_QUERY = "worklist_query"
STUDY_LINKED = "study_linked"
STUDY_UNMATCHED = "study_unmatched"
PACS_ERROR = "pacs_error"
MAX_DETAIL_CHARS = 2000


def record_event(
    session: Session,
    facility_code: str,
    kind: str,
    detail: dict[str, Any],
    *,
    ok: bool = True,
    calling_ae: str | None = None,
    matches: int | None = None,
    duration_ms: int | None = None,
) -> DicomEvent:
    event = DicomEvent(
        facility_code=facility_code,
        kind=kind,
        ok=ok,
        calling_ae=(calling_ae or None) and calling_ae[:16],
        detail=json.dumps(detail, ensure_ascii=False, default=str)[:MAX_DETAIL_CHARS],
        matches=matches,
        duration_ms=duration_ms,
        at=utcnow(),
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class DicomEventOut:
    at: datetime
    kind: str
    ok: bool
    calling_ae: str | None
    detail: dict[str, Any]
    matches: int | None
    duration_ms: int | None


def recent_dicom_events(
    session: Session, facility_code: str, limit: int = 50
) -> list[DicomEventOut]:
    """Newest first (the interface monitor page shows them)."""
    rows = session.execute(
        select(DicomEvent)
        .where(DicomEvent.facility_code == facility_code)
        .order_by(DicomEvent.id.desc())
        .limit(max(1, min(limit, 1000)))
    ).scalars()
    return [
        DicomEventOut(
            at=row.at,
            kind=row.kind,
            ok=row.ok,
            calling_ae=row.calling_ae,
            detail=_parse(row.detail),
            matches=row.matches,
            duration_ms=row.duration_ms,
        )
        for row in rows
    ]


def _parse(detail: str) -> dict[str, Any]:
    try:
        parsed = json.loads(detail)
    except ValueError:  # cut at MAX_DETAIL_CHARS: show the text as it is
        return {"text": detail}
    return parsed if isinstance(parsed, dict) else {"value": parsed}
