"""What the display boards show, and the live stream that keeps them current."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.db import Database
from smarthis.errors import NotFound
from smarthis.events import Event, bus
from smarthis.queueing.board import room_snapshot
from smarthis.queueing.clock import day_start, service_day
from smarthis.queueing.models import Announcement, Area, QueueEvent, ServicePoint

RECENT_CALLS = 6
REPLAY_LIMIT = 500
KEEPALIVE_S = 15.0


def _area(session: Session, facility_code: str, code: str) -> Area:
    area = session.execute(
        select(Area).where(Area.facility_code == facility_code, Area.code == code)
    ).scalar_one_or_none()
    if area is None:
        raise NotFound(
            "area_not_found", f"Không có khu '{code}'", f"No area '{code}'", field="area"
        )
    return area


def _last_event_id(session: Session, facility_code: str, *filters: Any) -> int:
    return session.execute(
        select(func.coalesce(func.max(QueueEvent.id), 0)).where(
            QueueEvent.facility_code == facility_code, *filters
        )
    ).scalar_one()


def _recent_calls(session: Session, facility_code: str, *filters: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        select(QueueEvent.id, QueueEvent.payload)
        .where(
            QueueEvent.facility_code == facility_code,
            QueueEvent.kind.in_(("called", "recalled")),
            QueueEvent.at >= day_start(service_day()),
            *filters,
        )
        .order_by(QueueEvent.id.desc())
        .limit(RECENT_CALLS)
    ).all()
    return [{k: event.get(k) for k in _CALL_FIELDS} for event in map(_stored_event, rows)]


def _stored_event(row: Any) -> dict[str, Any]:
    """A logged event as it was published: its payload and, as `event_id`, its row id."""
    event_id, payload = row
    return {**json.loads(payload), "event_id": event_id}


_CALL_FIELDS = (
    "event_id",
    "kind",
    "display_number",
    "masked_name",
    "room_label",
    "room_name",
    "service_point_code",
    "at",
    "announce_vi",
)


def area_state(session: Session, facility_code: str, code: str) -> dict[str, Any]:
    area = _area(session, facility_code, code)
    day = service_day()
    points = session.execute(
        select(ServicePoint)
        .where(
            ServicePoint.facility_code == facility_code,
            ServicePoint.area_code == code,
            ServicePoint.active.is_(True),
        )
        .order_by(ServicePoint.room_label, ServicePoint.code)
    ).scalars()
    return {
        "area": area.code,
        "name": area.name,
        "rooms": [room_snapshot(session, p, day) for p in points],
        "recent_calls": _recent_calls(session, facility_code, QueueEvent.area_code == code),
        "last_event_id": _last_event_id(session, facility_code, QueueEvent.area_code == code),
    }


def room_state(session: Session, facility_code: str, code: str) -> dict[str, Any]:
    point = session.execute(
        select(ServicePoint).where(
            ServicePoint.facility_code == facility_code, ServicePoint.code == code
        )
    ).scalar_one_or_none()
    if point is None:
        raise NotFound(
            "service_point_not_found",
            f"Không có phòng '{code}'",
            f"No room '{code}'",
            field="code",
        )
    where = QueueEvent.service_point_code == code
    return {
        "room": room_snapshot(session, point, service_day()),
        "area": point.area_code,
        "recent_calls": _recent_calls(session, facility_code, where),
        "last_event_id": _last_event_id(session, facility_code, where),
    }


def events_after(
    session: Session, facility_code: str, last_id: int, *filters: Any
) -> list[dict[str, Any]] | None:
    """Events a reconnecting board missed, or None when too many: then it reloads."""
    rows = list(
        session.execute(
            select(QueueEvent.id, QueueEvent.payload)
            .where(QueueEvent.facility_code == facility_code, QueueEvent.id > last_id, *filters)
            .order_by(QueueEvent.id)
            .limit(REPLAY_LIMIT + 1)
        ).all()
    )
    if len(rows) > REPLAY_LIMIT:
        return None
    return [_stored_event(row) for row in rows]


def claim_announcement(db: Database, event_id: int, device_code: str) -> bool:
    """True for exactly one board per call: that board speaks it."""
    try:
        with db.session() as session:
            session.add(Announcement(event_id=event_id, device_code=device_code))
        return True
    except IntegrityError:
        return False


# One event goes to every board of its area: serialise it once, not once per board. Only
# the event loop's thread touches this, so a plain dict is safe.
_SERIALISED: OrderedDict[tuple[int, str | None], str] = OrderedDict()
_SERIALISED_KEPT = 512


def _sse(event: Event) -> str:
    # The time is part of the key: an emptied test database numbers events from 1 again.
    key = (event["event_id"], event.get("at"))
    text = _SERIALISED.get(key)
    if text is None:
        data = json.dumps(event, ensure_ascii=False)
        text = f"id: {event['event_id']}\nevent: queue\ndata: {data}\n\n"
        _SERIALISED[key] = text
        if len(_SERIALISED) > _SERIALISED_KEPT:
            _SERIALISED.popitem(last=False)
    return text


def _live_message(event: Event, replayed: set[int]) -> str:
    if event.get("kind") == "resync":
        return "event: resync\ndata: {}\n\n"
    if event["event_id"] in replayed:  # already sent by the replay
        replayed.discard(event["event_id"])
        return ""
    return _sse(event)


# A quiet stream sends a comment every KEEPALIVE_S (proxies keep it open, and a board that
# is gone is noticed). One timer per worker marks the moment for every stream on its event
# loop: a timeout around each stream's wait was armed and cancelled for every event, for
# every board, a quarter of the streams' CPU in the queue bench.
KEEPALIVE: Event = {"kind": "keepalive"}
_tickers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = (
    weakref.WeakKeyDictionary()
)


def _keep_ticking() -> None:
    """Start this event loop's keepalive timer unless it runs."""
    loop = asyncio.get_running_loop()
    ticker = _tickers.get(loop)
    if ticker is None or ticker.done():
        _tickers[loop] = loop.create_task(_tick(loop))


async def _tick(loop: asyncio.AbstractEventLoop) -> None:
    # Ends once no stream is left on this loop; the next stream starts it again.
    while True:
        await asyncio.sleep(KEEPALIVE_S)
        if bus.tick(loop, KEEPALIVE) == 0:
            return


async def event_stream(
    is_disconnected: Callable[[], Any],
    accepts: Callable[[Event], bool],
    replay: Callable[[int], Any],
    last_event_id: int | None,
) -> AsyncIterator[str]:
    """Server-Sent Events: replay what the board missed (from the database), then live
    events. Subscribing before the replay and skipping the replayed events when they also
    arrive live closes the gap between the two. Live events are never skipped for their id
    alone: ids are taken at insert, not at commit, so on PostgreSQL a call may commit after
    an event with a larger id and still has to reach the board."""
    subscription = bus.open(accepts)
    _keep_ticking()
    try:
        yield "retry: 2000\n\n"  # reconnect quickly after a network cut or a restart
        replayed: set[int] = set()
        if last_event_id is not None:
            missed = await replay(last_event_id)
            if missed is None:
                yield "event: resync\ndata: {}\n\n"
            else:
                for event in missed:
                    yield _sse(event)
                    replayed.add(event["event_id"])
        quiet = True  # nothing sent since the last tick
        while True:
            event = await subscription.get()
            if event is KEEPALIVE:
                if quiet:
                    if await is_disconnected():
                        return
                    yield ": keepalive\n\n"
                quiet = True
                continue
            quiet = False
            # Events that arrived together (a call completes one patient and calls the
            # next) leave in one write: a board costs a socket write per batch, not per event.
            batch = (event, *subscription.ready())
            text = "".join(_live_message(e, replayed) for e in batch if e is not KEEPALIVE)
            if text:
                yield text
    finally:
        subscription.close()
