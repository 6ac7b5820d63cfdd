"""Claim status per visit: recorded first, sent through the portal client, answered
accepted or rejected; a portal that does not answer leaves the claim pending for later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from smarthis.db import Database, utcnow
from smarthis.insurance.claims.builders import CheckIn
from smarthis.insurance.claims.claim import ClaimInvalid, build_claim
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.insurance.claims.submissions import (
    RetryPolicy,
    deliver_due,
    record_checkin,
    record_claim,
    submission,
    submit_claim,
)
from tests.insurance.claims.example import FACILITY, worked_visit


def test_accepted(db: Database, claims_portal, visit_id: int) -> None:
    claim = build_claim(worked_visit(claim_code="SUB-OK"))
    view = submit_claim(db, claims_portal, claim, visit_id)
    assert view.status == "accepted"
    assert view.transaction_code and view.reason is None
    assert view.attempts == 1 and view.xml_digest == claim.digest()
    with db.session() as session:
        row = session.scalars(select(ClaimSubmission)).one()
        assert (row.visit_id, row.facility_code, row.document) == (visit_id, FACILITY, "claim")
        assert row.payload.startswith('<?xml version="1.0" encoding="utf-8"?>')
        assert row.answered_at is not None


def test_rejected_with_reason(db: Database, claims_portal, claims_simulator, visit_id: int) -> None:
    claims_simulator.admin("POST", "/_sim/reject", {"MA_LK": "SUB-NO", "reason": "Sai mã thẻ"})
    view = submit_claim(db, claims_portal, build_claim(worked_visit(claim_code="SUB-NO")), visit_id)
    assert view.status == "rejected"
    assert view.reason == "[400] Sai mã thẻ"
    assert view.transaction_code is None


def test_portal_down_stays_pending_and_is_retried_later(
    db: Database, claims_portal, claims_simulator, visit_id: int
) -> None:
    claims_simulator.admin("POST", "/_sim/outage", {"down": True})
    policy = RetryPolicy(base_s=60, max_s=600)
    claim = build_claim(worked_visit(claim_code="SUB-LATER"))
    view = submit_claim(db, claims_portal, claim, visit_id)
    assert view.status == "pending"
    assert view.attempts == 1 and "unavailable" in (view.last_error or "")
    # Not due yet: nothing is sent before the back-off ends.
    assert deliver_due(db, claims_portal, policy=policy) == []
    claims_simulator.admin("POST", "/_sim/outage", {"down": False})
    later = utcnow() + timedelta(minutes=2)
    [retried] = deliver_due(db, claims_portal, policy=policy, now=later)
    assert retried.status == "accepted" and retried.attempts == 2
    assert retried.last_error is None
    assert submission(db, FACILITY, "SUB-LATER").status == "accepted"


def test_invalid_claim_is_never_stored(db: Database, visit_id: int) -> None:
    claim = build_claim(worked_visit(claim_code="SUB-BAD", reason_for_visit=""))
    with pytest.raises(ClaimInvalid):
        record_claim(db, claim, visit_id)
    assert submission(db, FACILITY, "SUB-BAD") is None


def test_recording_the_same_claim_twice_is_one_submission(
    db: Database, claims_portal, visit_id: int
) -> None:
    claim = build_claim(worked_visit(claim_code="SUB-TWICE"))
    first = submit_claim(db, claims_portal, claim, visit_id)
    again = record_claim(db, claim, visit_id)
    assert again.status == "accepted" and again.id == first.id
    # A corrected claim (other content) replaces it and goes out again.
    corrected = build_claim(
        worked_visit(claim_code="SUB-TWICE", doctor_advice="Tái khám sau 7 ngày")
    )
    replaced = record_claim(db, corrected, visit_id)
    assert (replaced.id, replaced.status) == (first.id, "pending")
    [resent] = deliver_due(db, claims_portal)
    assert resent.status == "accepted" and resent.xml_digest == corrected.digest()


def test_a_lease_hides_a_claim_from_other_workers(
    db: Database, claims_portal, visit_id: int
) -> None:
    record_claim(db, build_claim(worked_visit(claim_code="SUB-LEASE")), visit_id)
    with db.session() as session:
        row = session.scalars(select(ClaimSubmission)).one()
        row.status = "sent"  # another worker holds it ...
        row.next_attempt_at = utcnow() + timedelta(minutes=5)
    assert deliver_due(db, claims_portal) == []
    # ... and died: once its lease ends the claim is sent.
    [sent] = deliver_due(db, claims_portal, now=utcnow() + timedelta(minutes=6))
    assert sent.status == "accepted"


def test_checkin_submission(db: Database, claims_portal, visit_id: int) -> None:
    view = record_checkin(db, CheckIn.from_claim(worked_visit(claim_code="SUB-CI")), visit_id)
    assert (view.document, view.status) == ("checkin", "pending")
    [sent] = deliver_due(db, claims_portal)
    assert sent.status == "accepted" and sent.transaction_code.startswith("CI")
