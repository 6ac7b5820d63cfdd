"""Routes for display boards and door displays: state, live stream, spoken-call claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from smarthis.db import MAX_ID, Database
from smarthis.queueing import display
from smarthis.queueing.models import QueueEvent
from smarthis.queueing.schemas import ClaimOut
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/display", tags=["display"])
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _resume_from(header: str | None, query: int | None) -> int | None:
    """EventSource sends Last-Event-ID when it reconnects; the first connection passes the
    state's last_event_id in the query."""
    if header and header.strip().isdigit():
        return int(header.strip())
    return query


def _stream(
    request: Request,
    db: Database,
    facility_code: str,
    field: str,
    value: str,
    last_event_id: int | None,
) -> StreamingResponse:
    column = QueueEvent.area_code if field == "area" else QueueEvent.service_point_code
    event_key = "area" if field == "area" else "service_point_code"

    def accepts(event: dict[str, Any]) -> bool:
        if event.get("kind") == "resync":
            return True
        return (
            event.get("topic") == "queue"
            and event.get("facility") == facility_code
            and event.get(event_key) == value
        )

    def load_missed(after: int) -> list[dict[str, Any]] | None:
        with db.session() as session:
            return display.events_after(session, facility_code, after, column == value)

    async def replay(after: int) -> list[dict[str, Any]] | None:
        return await run_in_threadpool(load_missed, after)

    return StreamingResponse(
        display.event_stream(request.is_disconnected, accepts, replay, last_event_id),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.get("/room/{code}/state")
def room_state(
    code: str,
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        return display.room_state(session, principal.facility_code, code)


@router.get("/room/{code}/events")
def room_events(
    code: str,
    request: Request,
    last_event_id: int | None = Query(default=None, ge=0),
    last_event_id_header: str | None = Header(default=None, alias="Last-Event-ID"),
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> StreamingResponse:
    with db.session() as session:
        display.room_state(session, principal.facility_code, code)  # 404 for unknown rooms
    resume = _resume_from(last_event_id_header, last_event_id)
    return _stream(request, db, principal.facility_code, "room", code, resume)


@router.get("/{area}/state")
def area_state(
    area: str,
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        return display.area_state(session, principal.facility_code, area)


@router.get("/{area}/events")
def area_events(
    area: str,
    request: Request,
    last_event_id: int | None = Query(default=None, ge=0),
    last_event_id_header: str | None = Header(default=None, alias="Last-Event-ID"),
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> StreamingResponse:
    with db.session() as session:
        display.area_state(session, principal.facility_code, area)  # 404 for unknown areas
    resume = _resume_from(last_event_id_header, last_event_id)
    return _stream(request, db, principal.facility_code, "area", area, resume)


@router.post("/announcements/{event_id}/claim")
def claim_announcement(
    # Beyond BIGINT the database cannot even compare: a 422 naming the field, not a 500.
    event_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: Principal = Depends(require(Permission.QUEUE_DISPLAY)),
    db: Database = Depends(database),
) -> ClaimOut:
    return ClaimOut(announce=display.claim_announcement(db, event_id, principal.name))
