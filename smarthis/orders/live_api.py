"""The ordering doctor's live feed of one visit: result and visit events as Server-Sent
Events, so the visit screen reloads its results as they arrive (and alerts on criticals)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse

from smarthis.clinical.service import get_visit
from smarthis.db import MAX_ID, Database
from smarthis.events import Event, bus
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(tags=["results"])
KEEPALIVE_S = 15.0
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
TOPICS = ("result", "visit")


def visit_accepts(facility_code: str, visit_id: int) -> Callable[[Event], bool]:
    def accepts(event: Event) -> bool:
        if event.get("kind") == "resync":
            return True
        return (
            event.get("topic") in TOPICS
            and event.get("facility") == facility_code
            and event.get("visit_id") == visit_id
        )

    return accepts


async def visit_stream(
    is_disconnected: Callable[[], Awaitable[bool]],
    accepts: Callable[[Event], bool],
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """No replay: the page reloads the visit's results on (re)connect, so a missed event
    costs nothing; a `ready` comment tells the page to do that reload."""
    subscription = bus.open(accepts)
    try:
        yield "retry: 2000\n\nevent: ready\ndata: {}\n\n"
        while True:
            try:
                event: dict[str, Any] = await asyncio.wait_for(
                    subscription.get(), timeout=keepalive_s
                )
            except TimeoutError:
                if await is_disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            if event.get("kind") == "resync":
                yield "event: resync\ndata: {}\n\n"
                continue
            topic = event.get("topic", "result")
            yield f"event: {topic}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
    finally:
        subscription.close()


@router.get("/api/visits/{visit_id}/events")
def visit_events(
    visit_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> StreamingResponse:
    with db.session() as session:
        get_visit(session, principal, visit_id)  # 404 for another facility's or no visit
    return StreamingResponse(
        visit_stream(request.is_disconnected, visit_accepts(principal.facility_code, visit_id)),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


def doctor_alert_accepts(facility_code: str, login: str) -> Callable[[Event], bool]:
    def accepts(event: Event) -> bool:
        return (
            event.get("topic") == "result"
            and event.get("kind") == "critical"
            and event.get("facility") == facility_code
            and event.get("doctor") == login
        )

    return accepts


@router.get("/api/me/critical-results")
def my_critical_results(
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
) -> StreamingResponse:
    """Critical results of every patient the signed-in doctor ordered for, whichever visit
    their screen shows: a critical value must reach the ordering doctor."""
    return StreamingResponse(
        visit_stream(
            request.is_disconnected, doctor_alert_accepts(principal.facility_code, principal.name)
        ),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )
