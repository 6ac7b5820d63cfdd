"""Kiosk registration writes the visit, its card answer and its number together: a double
tap gives one of each, a portal outage still gives a number, a bad choice writes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.kiosk.service import kiosk_register
from smarthis.queueing.models import Ticket
from smarthis.security import audit
from smarthis.security.models import AuditEntry
from tests.kiosk.conftest import identify_at_kiosk, register_at_kiosk


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        visits = s.execute(select(func.count()).select_from(Visit)).scalar_one()
        tickets = s.execute(select(func.count()).select_from(Ticket)).scalar_one()
    return visits, tickets


def test_the_card_answer_from_identification_is_on_the_visit_and_the_ticket(
    db: Database, kiosk, portal, settings, bhxh_simulator
) -> None:
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    lookups = bhxh_simulator.stats()["lookups"]
    visit, ticket = register_at_kiosk(db, kiosk, portal, settings, patient_id)
    # The answer was cached when the card was read: no second portal question.
    assert bhxh_simulator.stats()["lookups"] == lookups
    assert visit.card_check_status == "verified" and visit.registered_via == "kiosk"
    assert ticket.visit_id == visit.id and ticket.display_number == "B-0001"
    assert ticket.insurance_status_vi.startswith("BHYT: thẻ hợp lệ")
    with db.session() as s:
        actions = s.execute(
            select(AuditEntry.action).where(AuditEntry.patient_id == patient_id)
        ).scalars()
        assert {"visit.register", "queue.issue"} <= set(actions)
        assert audit.verify_chain(s) == []


def test_a_double_tap_gives_one_visit_and_one_ticket(db: Database, kiosk, portal, settings) -> None:
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: register_at_kiosk(db, kiosk, portal, settings, patient_id), range(8))
        )
    assert len({visit.id for visit, _ in results}) == 1
    assert len({ticket.id for _, ticket in results}) == 1
    assert _counts(db) == (1, 1)
    # A new key is a new registration with the next number.
    _visit, ticket = register_at_kiosk(db, kiosk, portal, settings, patient_id, key="k-0002")
    assert ticket.display_number == "B-0002"


def test_a_portal_outage_still_gives_a_number_and_the_check_is_deferred(
    db: Database, kiosk, portal, settings, bhxh_simulator
) -> None:
    bhxh_simulator.admin("POST", "/_sim/outage", {"down": True})
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    visit, ticket = register_at_kiosk(db, kiosk, portal, settings, patient_id)
    assert visit.card_check_status == "not_verified"
    assert "kiểm tra lại" in visit.card_check_message
    assert ticket.insurance_status_vi == "BHYT: đang chờ xác minh thẻ"


def test_an_unknown_specialty_writes_nothing(db: Database, kiosk, portal, settings) -> None:
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    with pytest.raises(DomainError) as refused:
        kiosk_register(
            db,
            kiosk,
            portal,
            settings,
            patient_id=patient_id,
            specialty="Nha khoa",
            idempotency_key="k-0003",
        )
    assert refused.value.code == "kiosk_specialty"
    assert _counts(db) == (0, 0)


def test_an_unknown_patient_is_a_clear_not_found(db: Database, kiosk, portal, settings) -> None:
    with pytest.raises(DomainError) as refused:
        register_at_kiosk(db, kiosk, portal, settings, 987654)
    assert refused.value.code == "patient_not_found"
