"""The event bus: what changed, delivered to every subscriber in every app process.

Events are written in the same transaction as the change they describe and delivered only
after it commits:
- on SQLite (one process) the session's after-commit hook hands them to this process's bus;
- on PostgreSQL the transaction NOTIFYs them (delivered by PostgreSQL on commit, to every
  process that LISTENs, this one included), and each process's listener thread hands them
  to its bus. LISTEN/NOTIFY needs nothing beside the database the cluster already runs;
  its 8 kB payload limit is far above a queue event's size.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, Select, Text, bindparam, cast, func, literal_column, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "smarthis_events"
Event = dict[str, Any]


@dataclass(eq=False)
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event]
    accepts: Callable[[Event], bool]


class Subscription:
    def __init__(self, bus: EventBus, sub: _Subscriber) -> None:
        self._bus = bus
        self._sub = sub

    async def get(self) -> Event:
        return await self._sub.queue.get()

    def ready(self) -> list[Event]:
        """The events already queued, taken without waiting."""
        queue = self._sub.queue
        return [queue.get_nowait() for _ in range(queue.qsize())]

    def close(self) -> None:
        self._bus._close(self._sub)


class EventBus:
    """Fan-out to the subscribers of this process. Thread-safe: publishers may be worker
    threads; subscribers are asyncio tasks (SSE streams)."""

    def __init__(self, max_queued: int = 1000) -> None:
        self._subscribers: set[_Subscriber] = set()
        self._lock = threading.Lock()
        self._max_queued = max_queued

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        # One wake-up per event loop, not per subscriber: a hundred boards on one worker
        # cost one cross-thread call per event.
        by_loop: dict[asyncio.AbstractEventLoop, list[_Subscriber]] = {}
        for sub in subscribers:
            if sub.accepts(event):
                by_loop.setdefault(sub.loop, []).append(sub)
        for loop, subs in by_loop.items():
            try:
                loop.call_soon_threadsafe(self._deliver, subs, event)
            except RuntimeError:
                continue  # that loop has closed (a test app shut down): nobody to tell

    def _deliver(self, subs: list[_Subscriber], event: Event) -> None:
        for sub in subs:
            if sub.queue.qsize() >= self._max_queued:
                # A stalled client must not grow memory without bound; it resynchronises.
                sub.queue.put_nowait({"kind": "resync"})
            else:
                sub.queue.put_nowait(event)

    def open(self, accepts: Callable[[Event], bool]) -> Subscription:
        """Start receiving now (call from the event loop); read with `await sub.get()`."""
        sub = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(), accepts)
        with self._lock:
            self._subscribers.add(sub)
        return Subscription(self, sub)

    def tick(self, loop: asyncio.AbstractEventLoop, marker: Event) -> int:
        """Give `marker` to every subscriber on `loop` (from that loop), whatever it accepts;
        the number of subscribers it reached."""
        with self._lock:
            subs = [sub for sub in self._subscribers if sub.loop is loop]
        for sub in subs:
            sub.queue.put_nowait(marker)
        return len(subs)

    def _close(self, sub: _Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    async def subscribe(self, accepts: Callable[[Event], bool]) -> AsyncIterator[Event]:
        subscription = self.open(accepts)
        try:
            while True:
                yield await subscription.get()
        finally:
            subscription.close()

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


bus = EventBus()
_PENDING = "smarthis_pending_events"


def emit(session: Session, event: Event) -> None:
    """Queue `event` for delivery when `session` commits (never if it rolls back)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": json.dumps(event, ensure_ascii=False)},
        )
        return
    pending = session.info.setdefault(_PENDING, [])
    if not pending:
        sa_event.listen(session, "after_commit", _publish_pending, once=True)
        sa_event.listen(session, "after_rollback", _drop_pending, once=True)
    pending.append(event)


def store_and_emit(
    session: Session, insert: Insert, values: dict[str, Any], event: Event, id_key: str
) -> int:
    """Run `insert` (one row, RETURNING its id) and emit `event` with that id as
    `event[id_key]`. On PostgreSQL one statement does both, the NOTIFY reading the id from
    the INSERT's CTE: a round trip less on every queue change."""
    if session.get_bind().dialect.name != "postgresql":
        row_id = session.execute(insert, values).scalar_one()
        emit(session, {**event, id_key: row_id})
        return row_id
    notice = {"notice_channel": CHANNEL, "notice": json.dumps(event, ensure_ascii=False)}
    statement = _notifying(insert, tuple(values), id_key)
    return session.execute(statement, {**values, **notice}).scalar_one()


@functools.cache
def _notifying(insert: Insert, columns: tuple[str, ...], id_key: str) -> Select[Any]:
    # Built once per INSERT statement (smarthis/db.py says why). Inside a CTE the INSERT
    # names its values; at the top level they came from the execution's parameters.
    stored = insert.values({name: bindparam(name) for name in columns}).cte("stored")
    path = literal_column(f"'{{{id_key}}}'")  # a constant text[] path: {event_id}
    with_id = func.jsonb_set(cast(bindparam("notice"), JSONB), path, func.to_jsonb(stored.c.id))
    notify = func.pg_notify(bindparam("notice_channel"), cast(with_id, Text))
    return select(stored.c.id, notify).select_from(stored)


def _publish_pending(session: Session) -> None:
    for event in session.info.pop(_PENDING, []):
        bus.publish(event)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


class PostgresListener:
    """LISTENs on the channel in a thread and republishes to this process's bus."""

    def __init__(self, database_url: str, target: EventBus = bus) -> None:
        self._url = database_url.replace("postgresql+psycopg://", "postgresql://")
        self._bus = target
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)
        self._thread.start()
        # Serve only once listening, so no event committed after start-up is missed.
        self.ready.wait(timeout=5)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        backoff = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    # A reconnect may have missed events: tell subscribers to resynchronise.
                    self._bus.publish({"kind": "resync"})
                    backoff = 0.2
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.5):
                            self._bus.publish(json.loads(notify.payload))
            except Exception:  # the database restarted or the network blinked: reconnect
                self.ready.clear()
                log.warning("event listener lost its connection; reconnecting", exc_info=True)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
