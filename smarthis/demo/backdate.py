"""Moves a demo visit, made today through the real services, to the day it stands for.

Every service stamps rows with the current time, and a past day cannot be replayed any
other way without a clock threaded through the whole product. So the demo history runs a
visit's journey now and then shifts every timestamp of the visit's own rows (the visit,
and rows reaching it through at most two foreign keys: orders -> order items -> results)
by the same amount. The audit log is deliberately left alone: it says truthfully when the
demo data was written. Numbers that embed a date (visit and invoice numbers) keep today's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Table, bindparam, select, update
from sqlalchemy.orm import Session

from smarthis.db import Base, UTCDateTime

# Tables about the visit but not of it: the audit log keeps real time, queue events and the
# card-check cache are operational.
_NOT_MOVED = frozenset({"audit_log", "queue_events", "card_check_cache", "claim_submissions"})
MAX_HOPS = 2


def _time_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]


def _parent(table: Table, column: str) -> Table:
    return next(iter(table.c[column].foreign_keys)).column.table


def _path_to_visit(table: Table, hops: int) -> list[tuple[Table, str]] | None:
    """Foreign-key steps from `table` to a table with a visit_id column, shortest first."""
    if "visit_id" in table.c:
        return []
    if hops == 0:
        return None
    for column in table.columns:
        if not column.foreign_keys:
            continue
        parent = _parent(table, column.name)
        if parent is table or parent.name in ("patients", "staff", "visits"):
            continue
        rest = _path_to_visit(parent, hops - 1)
        if rest is not None:
            return [(table, column.name), *rest]
    return None


@lru_cache(maxsize=1)
def _movable_tables() -> tuple[tuple[Table, tuple[tuple[Table, str], ...]], ...]:
    import smarthis.models  # noqa: F401  - every table registered

    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in _NOT_MOVED or not _time_columns(table):
            continue
        path = _path_to_visit(table, MAX_HOPS)
        if path is not None:
            found.append((table, tuple(path)))
    return tuple(found)


def _belongs_to(table: Table, path: tuple[tuple[Table, str], ...], visit_id: int):
    """A WHERE clause selecting the rows of `table` that belong to the visit."""
    if not path:
        return table.c.visit_id == visit_id
    (_, column), *rest = path
    parent = _parent(table, column)
    key = next(iter(table.c[column].foreign_keys)).column
    inner = _belongs_to(parent, tuple(rest), visit_id)
    return table.c[column].in_(select(key).where(inner))


def _rows(session: Session, table: Table, where: ColumnElement[bool]) -> Iterator[dict]:
    columns = [table.c.id, *(table.c[name] for name in _time_columns(table))]
    for row in session.execute(select(*columns).where(where)).mappings():
        yield dict(row)


def _moves(value: datetime | None, since: datetime | None) -> bool:
    return value is not None and (since is None or value >= since)


def move_visit(
    session: Session, visit_id: int, delta: timedelta, *, since: datetime | None = None
) -> int:
    """Shift every timestamp of the visit's rows by `delta`; returns the rows moved.

    With `since`, only the timestamps from that moment on move: what a service wrote after
    the visit was already moved to its day (a discharge dated in the past, its payment)
    joins it there, and the rows already in place stay."""
    moved = 0
    visits = Base.metadata.tables["visits"]
    tables = [(visits, None), *_movable_tables()]
    for table, path in tables:
        where = visits.c.id == visit_id if path is None else _belongs_to(table, path, visit_id)
        names = _time_columns(table)
        changes = [
            {"row_id": row["id"], **{n: row[n] + delta for n in names if _moves(row[n], since)}}
            for row in _rows(session, table, where)
        ]
        for change in changes:
            values = {n: bindparam(n) for n in change if n != "row_id"}
            if values:
                session.execute(
                    update(table).where(table.c.id == bindparam("row_id")).values(values),
                    [change],
                )
                moved += 1
    return moved
