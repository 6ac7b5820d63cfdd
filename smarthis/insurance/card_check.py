"""Card checks as reception needs them: cached per card in the database, never blocking
registration for longer than the portal time-out, and re-checked in the background."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smarthis.db import Database, utcnow
from smarthis.insurance.models import CardCheckCache
from smarthis.insurance.portal_client import (
    CardCheckAnswer,
    CardCheckPortal,
    CardCheckRequest,
    parse_answer,
)
from smarthis.text import fold


def cache_key(request: CardCheckRequest) -> str:
    birth = request.portal_birth_text()
    text = f"{request.card_code}|{fold(request.full_name)}|{birth}"
    return hashlib.sha256(text.encode()).hexdigest()


def cached_answer(
    db: Database, facility_code: str, request: CardCheckRequest, max_age_s: int
) -> CardCheckAnswer | None:
    with db.session() as session:
        return cached_answer_in(session, facility_code, request, max_age_s)


def cached_answer_in(
    session: Session, facility_code: str, request: CardCheckRequest, max_age_s: int
) -> CardCheckAnswer | None:
    row = session.get(CardCheckCache, (facility_code, cache_key(request)))
    if row is None or row.checked_at < utcnow() - timedelta(seconds=max_age_s):
        return None
    return parse_answer(json.loads(row.answer_json))


def _upsert(insert: Callable[[Table], Any]) -> Any:
    statement = insert(CardCheckCache.__table__)
    return statement.on_conflict_do_update(
        index_elements=["facility_code", "card_key"],
        set_={k: statement.excluded[k] for k in ("result_code", "answer_json", "checked_at")},
    )


# Built once (smarthis/db.py says why): every first card check of the day stores one.
_STORE = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def store_answer(
    db: Database, facility_code: str, request: CardCheckRequest, answer: CardCheckAnswer
) -> None:
    values = {
        "facility_code": facility_code,
        "card_key": cache_key(request),
        "result_code": answer.code,
        "answer_json": json.dumps(answer.raw, ensure_ascii=False),
        "checked_at": utcnow(),
    }
    with db.session() as session:
        session.execute(_STORE[session.get_bind().dialect.name], values)


def check_card(
    db: Database,
    portal: CardCheckPortal,
    facility_code: str,
    request: CardCheckRequest,
    max_age_s: int,
) -> tuple[CardCheckAnswer, bool]:
    """The answer and whether it came from the cache. Raises PortalUnavailable.

    No database transaction is open while the portal is asked: a slow portal must not
    hold locks that other registrations wait on."""
    cached = cached_answer(db, facility_code, request, max_age_s)
    if cached is not None:
        return cached, True
    return ask_portal(db, portal, facility_code, request), False


def ask_portal(
    db: Database, portal: CardCheckPortal, facility_code: str, request: CardCheckRequest
) -> CardCheckAnswer:
    """Ask the portal (the caller found nothing fresh in the cache) and keep a definitive
    answer. Raises PortalUnavailable. Call with no transaction open."""
    answer = portal.check_card(request)
    # Only definitive answers are worth reusing; a portal fault is asked again next time.
    if answer.result.verified:
        store_answer(db, facility_code, request, answer)
    return answer
