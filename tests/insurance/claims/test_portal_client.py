"""The portal client against the simulator, over a real socket."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import httpx
import pytest

from smarthis.insurance.claims.builders import CheckIn
from smarthis.insurance.claims.claim import build_checkin, build_claim
from smarthis.insurance.portal_client import PortalAuthenticationFailed, PortalUnavailable
from tests.insurance.claims.conftest import ClaimsSimulator
from tests.insurance.claims.example import worked_visit


def envelope(**overrides: object) -> bytes:
    return build_claim(worked_visit(**overrides)).envelope(date(2026, 11, 30))


def test_accepted_claim_gets_a_transaction_code(claims_portal, claims_simulator) -> None:
    receipt = claims_portal.submit(envelope(claim_code="ACCEPT-1"))
    assert receipt.accepted and receipt.result_code == "200"
    assert receipt.transaction_code and receipt.transaction_code.startswith("GD")
    assert receipt.received_at is not None
    assert claims_simulator.admin("GET", "/_sim/received")["claims"]["ACCEPT-1"] == (
        receipt.transaction_code
    )
    # Sent again (an answer lost on the way): the same transaction, not a second claim.
    assert claims_portal.submit(envelope(claim_code="ACCEPT-1")).transaction_code == (
        receipt.transaction_code
    )


def test_structurally_invalid_claim_is_rejected_with_the_reason(claims_portal) -> None:
    claim = build_claim(worked_visit(claim_code="BAD-1"))
    claim.tables["XML1"][0]["T_BHTT"] = "1"  # bypasses our own validator on purpose
    receipt = claims_portal.submit(claim.envelope(date(2026, 11, 30)))
    assert not receipt.accepted and receipt.result_code == "400"
    assert "XML1 #1 T_BHTT [total]" in receipt.message


def test_business_rejection(claims_portal, claims_simulator) -> None:
    claims_simulator.admin(
        "POST", "/_sim/reject", {"MA_LK": "CARD-1", "reason": "Thẻ BHYT hết hạn sử dụng"}
    )
    receipt = claims_portal.submit(envelope(claim_code="CARD-1"))
    assert not receipt.accepted
    assert receipt.message == "Thẻ BHYT hết hạn sử dụng"


def test_checkin_is_accepted(claims_portal) -> None:
    _, content = build_checkin([CheckIn.from_claim(worked_visit(claim_code="CHECKIN-1"))])
    receipt = claims_portal.check_in(content)
    assert receipt.accepted and receipt.transaction_code.startswith("CI")


def test_expired_token_is_taken_again_once(claims_portal, claims_simulator) -> None:
    claims_portal.submit(envelope(claim_code="TOKEN-1"))
    claims_simulator.admin("POST", "/_sim/expire-tokens")
    assert claims_portal.submit(envelope(claim_code="TOKEN-2")).accepted


def test_wrong_password(claims_simulator: ClaimsSimulator) -> None:
    with (
        claims_simulator.client(password="wrong") as client,
        pytest.raises(PortalAuthenticationFailed),
    ):
        client.submit(envelope())


def test_portal_down_is_unavailable(claims_portal, claims_simulator) -> None:
    claims_simulator.admin("POST", "/_sim/outage", {"down": True})
    with pytest.raises(PortalUnavailable):
        claims_portal.submit(envelope())


def test_simulator_refuses_garbage(claims_portal, claims_simulator: ClaimsSimulator) -> None:
    token = httpx.post(
        f"{claims_simulator.base_url}/api/token/take",
        json={"username": "48001_BV", "password": "x"},
    ).json()
    assert token["maKetQua"] == "401"
    receipt = claims_portal.submit(b"<GIAMDINHHS/>")
    assert receipt.result_code == "400" and "GIAMDINHHS" in receipt.message
    receipt = claims_portal.submit(b"not xml at all")
    assert receipt.result_code == "400" and "well-formed" in receipt.message


def test_other_facility_is_refused(claims_portal) -> None:
    visit = worked_visit()
    other = replace(visit, facility_code="01001")
    receipt = claims_portal.submit(build_claim(other).envelope(date(2026, 11, 30)))
    assert not receipt.accepted and "MACSKCB" in receipt.message
