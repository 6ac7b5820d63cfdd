"""Append-only, hash-chained audit log of every read or change of patient data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from smarthis.db import utcnow
from smarthis.security.models import AuditEntry, AuditHead
from smarthis.security.principal import Principal

GENESIS_HASH = "0" * 64
# Where a session keeps the entries it will chain when it commits.
_PENDING = "smarthis.audit.pending"


def _entry_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "facility_code": entry.facility_code,
        "at": entry.at.isoformat(),
        "actor_kind": entry.actor_kind,
        "actor": entry.actor,
        "patient_id": entry.patient_id,
        "action": entry.action,
        "detail": entry.detail,
        "source": entry.source,
        "outcome": entry.outcome,
    }


def _lock_head(session: Session) -> AuditHead:
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        # A head loaded by an earlier commit of this session must be re-read under the lock.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        # First entry ever: the migration seeds the row, but a bare schema may not have it.
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


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
    entry = AuditEntry(
        facility_code=actor.facility_code,
        at=utcnow(),
        actor_kind=actor.kind,
        actor=actor.name,
        patient_id=patient_id,
        action=action,
        detail=detail
        if isinstance(detail, str)
        else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        source=actor.source[:100],
        outcome=outcome,
    )
    session.info.setdefault(_PENDING, []).append(entry)


@event.listens_for(Session, "before_commit")
def _chain_pending_entries(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return
    # The caller's own changes are written first, so every row lock they need is taken
    # before the head's: the head is always the last lock of a transaction, and two
    # transactions can never wait for each other across it (no deadlock).
    session.flush()
    head = _lock_head(session)
    for entry in pending:
        entry.id = head.last_id + 1
        entry.prev_hash = head.last_hash
        entry.hash = _entry_digest(entry.prev_hash, _hashed_fields(entry))
        head.last_id, head.last_hash = entry.id, entry.hash
    session.add_all(pending)
    session.flush()


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
            if _entry_digest(entry.prev_hash, _hashed_fields(entry)) != entry.hash:
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
