"""Append-only, hash-chained audit log of every read or change of patient data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, cast, event, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, SessionTransaction

from smarthis.db import utcnow
from smarthis.security.models import AuditEntry, AuditHead
from smarthis.security.principal import Principal

GENESIS_HASH = "0" * 64
# Where a session keeps the entries it will chain when it commits.
_PENDING = "smarthis.audit.pending"
_LOG = AuditEntry.__table__
_HEAD = AuditHead.__table__
# Built once (smarthis/db.py says why): every audited transaction takes it.
_LOCK_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_id=bindparam("head_id"), last_hash=bindparam("head_hash"))
)
# PostgreSQL: every entry of a transaction in one INSERT from arrays (one per column,
# unnested in step), the head moved in a data-modifying CTE of the same statement: one
# round trip and one cached statement whatever the number of entries (a multi-row VALUES
# would be compiled anew for each count). The arrays are named apart from the head's
# columns: a parameter named like a column of audit_head (`id`) would join the CTE's SET.
_APPEND_ALL_MOVING_HEAD = (
    insert(_LOG)
    .from_select(
        [column.name for column in _LOG.columns],
        select(
            *(
                func.unnest(cast(bindparam(f"entries_{column.name}"), ARRAY(column.type)))
                for column in _LOG.columns
            )
        ),
    )
    .add_cte(_MOVE_HEAD.cte("moved_head"))
)


def _entry_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


_HASHED_FIELDS = (
    "id",
    "facility_code",
    "at",
    "actor_kind",
    "actor",
    "patient_id",
    "action",
    "detail",
    "source",
    "outcome",
)


def _hashed_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: values[name].isoformat() if name == "at" else values[name] for name in _HASHED_FIELDS
    }


def _stored_fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _HASHED_FIELDS}


def _lock_head(session: Session) -> tuple[int, str]:
    """The chain's last id and hash, with its row locked until commit."""
    head = session.execute(_LOCK_HEAD).first()
    if head is None:
        # First entry ever: the migration seeds the row, but a bare schema may not have it.
        session.execute(insert(_HEAD).values(id=1, last_id=0, last_hash=GENESIS_HASH))
        return 0, GENESIS_HASH
    return int(head.last_id), str(head.last_hash)


def record(
    session: Session,
    actor: Principal,
    action: str,
    *,
    patient_id: int | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | str = "",
) -> None:
    """Add an entry to the caller's transaction: it lands only if the change does.

    Entries are chained when the transaction commits, so the chain's single head row is
    locked only for the commit itself, not for the rest of the caller's work."""
    entry = {
        "facility_code": actor.facility_code,
        "at": utcnow(),
        "actor_kind": actor.kind,
        "actor": actor.name,
        "patient_id": patient_id,
        "action": action,
        "detail": detail
        if isinstance(detail, str)
        else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        "source": actor.source[:100],
        "outcome": outcome,
    }
    session.info.setdefault(_PENDING, []).append(entry)


@event.listens_for(Session, "before_commit")
def _chain_pending_entries(session: Session) -> None:
    pending: list[dict[str, Any]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    # The caller's own changes are written first, so every row lock they need is taken
    # before the head's: the head is always the last lock of a transaction, and two
    # transactions can never wait for each other across it (no deadlock).
    session.flush()
    last_id, last_hash = _lock_head(session)
    rows = []
    for fields in pending:
        last_id += 1
        row = {**fields, "id": last_id, "prev_hash": last_hash}
        row["hash"] = last_hash = _entry_digest(last_hash, _hashed_fields(row))
        rows.append(row)
    # Core statements built once, not ORM objects: this runs in every audited transaction
    # while the head row is locked, so it is kept to as little Python and as few round
    # trips as can be.
    head = {"head_id": last_id, "head_hash": last_hash}
    if session.get_bind().dialect.name == "postgresql":
        columns = {f"entries_{c.name}": [row[c.name] for row in rows] for c in _LOG.columns}
        session.execute(_APPEND_ALL_MOVING_HEAD, {**columns, **head})
    else:
        session.execute(insert(_LOG), rows)
        session.execute(_MOVE_HEAD, head)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_entries(session: Session, transaction: SessionTransaction) -> None:
    # Rolled back or closed without commit: the entries go with the change they describe.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@dataclass
class ChainProblem:
    entry_id: int
    problem: str


def verify_chain(session: Session, batch_size: int = 5000) -> list[ChainProblem]:
    """Walk the chain in order; a changed field, a removed or inserted row, or a cut tail
    each shows up as a problem. An empty list means the log is intact."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    expected_id = 1
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for entry in rows:
            if entry.id != expected_id:
                problems.append(
                    ChainProblem(entry.id, f"entries {expected_id}..{entry.id - 1} are missing")
                )
            if entry.prev_hash != expected_prev:
                problems.append(ChainProblem(entry.id, "link to the previous entry is broken"))
            if _entry_digest(entry.prev_hash, _hashed_fields(_stored_fields(entry))) != entry.hash:
                problems.append(ChainProblem(entry.id, "entry content was changed"))
            expected_prev = entry.hash
            expected_id = entry.id + 1
            last_id = entry.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != expected_prev):
        problems.append(
            ChainProblem(head.last_id, f"log ends at entry {last_id}, head says {head.last_id}")
        )
    return problems
