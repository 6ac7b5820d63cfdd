"""The card-check client against the simulator, across a real socket on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import date, datetime

import httpx
import pytest

from smarthis.errors import DomainError
from smarthis.insurance.portal_client import (
    LOOKUP_PATH,
    PORTAL_TZ,
    TOKEN_PATH,
    BhxhPortalClient,
    CardCheckAnswer,
    CardCheckRequest,
    PortalAuthenticationFailed,
    PortalUnavailable,
    portal_password_hash,
)
from smarthis.insurance.portal_simulator import SimulatorCards, resolve_date_text
from smarthis.insurance.result_codes import RESULT_CODES, ReceptionAction

A = ReceptionAction
# What reception is told to do for each code: the behaviour staff will notice.
EXPECTED_ACTIONS = {
    "000": A.PROCEED_WITH_INSURANCE,
    "001": A.PROCEED_AFTER_ID_CHECK,
    "002": A.PROCEED_AFTER_ID_CHECK,
    "003": A.PROCEED_WITH_INSURANCE,
    "004": A.PROCEED_WITH_INSURANCE,
    "010": A.PROCEED_SELF_PAY,
    "050": A.PROCEED_SELF_PAY,
    "051": A.PROCEED_SELF_PAY,
    "052": A.PROCEED_SELF_PAY,
    "053": A.PROCEED_SELF_PAY,
    "054": A.PROCEED_SELF_PAY,
    "055": A.PROCEED_AFTER_ID_CHECK,
    "060": A.PROCEED_AFTER_ID_CHECK,
    "061": A.PROCEED_AFTER_ID_CHECK,
    "070": A.PROCEED_AFTER_ID_CHECK,
    "100": A.RETRY,
    "101": A.RETRY,
    "110": A.PROCEED_SELF_PAY,
    "120": A.PROCEED_SELF_PAY,
    "121": A.PROCEED_SELF_PAY,
    "122": A.PROCEED_SELF_PAY,
    "123": A.PROCEED_SELF_PAY,
    "124": A.PROCEED_SELF_PAY,
    "130": A.PROCEED_AFTER_ID_CHECK,
    "205": A.RETRY,
    "401": A.RETRY,
    "500": A.RETRY,
}
AN = ("DN4480123456789", "Nguyễn Văn An", "15/03/1965")

Build = Callable[..., CardCheckRequest]


def _today() -> date:
    return datetime.now(PORTAL_TZ).date()


@pytest.fixture(scope="module")
def packaged_answers(bhxh_simulator, card_request: Build) -> dict[str, list[CardCheckAnswer]]:
    """Every packaged card looked up once with its own name and birth, grouped by result."""
    answers: dict[str, list[CardCheckAnswer]] = {}
    with bhxh_simulator.client() as portal:
        for card in SimulatorCards.packaged():
            if card.delay_s or card.fail:
                continue
            birth = resolve_date_text(card.ngaySinh, _today())
            answer = portal.check_card(card_request(card.maThe, card.hoTen, birth))
            answers.setdefault(answer.code, []).append(answer)
    return answers


def test_packaged_cards_yield_every_result_code_with_its_action(packaged_answers) -> None:
    assert set(packaged_answers) == set(RESULT_CODES) == set(EXPECTED_ACTIONS)
    for code, answers in packaged_answers.items():
        for answer in answers:
            assert answer.result is RESULT_CODES[code]
            assert answer.result.action is EXPECTED_ACTIONS[code], code


def test_valid_cards_at_every_benefit_level_carry_their_details(packaged_answers) -> None:
    valid = packaged_answers["000"]
    assert {answer.card_code[2] for answer in valid} >= {"1", "2", "3", "4", "5"}
    for answer in valid:
        assert answer.result.verified
        assert answer.full_name and answer.registered_facility_code
        assert answer.valid_from <= _today() <= answer.valid_to


def test_answers_without_a_card_carry_no_details(packaged_answers) -> None:
    for code in ("050", "051", "052", "053", "101"):
        assert packaged_answers[code][0].card_code is None
        assert packaged_answers[code][0].full_name is None


def test_expired_and_future_cards(packaged_answers) -> None:
    assert packaged_answers["010"][0].valid_to < _today()
    assert packaged_answers["054"][0].valid_from > _today()


def test_replaced_card_gives_the_new_code_to_use(portal, card_request: Build) -> None:
    answer = portal.check_card(card_request("DN4484801000103", "Trịnh Văn Long", "27/06/1962"))
    assert answer.code == "003"
    assert answer.card_code_to_use == "HT3484801000103"
    assert answer.new_card is not None and answer.new_card.valid_to > _today()


def test_card_found_by_social_insurance_number(portal, card_request: Build) -> None:
    answer = portal.check_card(card_request("4801234567", AN[1], AN[2]))
    assert answer.code == "000"
    assert answer.card_code == AN[0]
    assert answer.five_years_from == date(2021, 1, 1)
    assert answer.visits[0].facility_code == "48001"
    assert answer.visits[0].admitted_at == datetime(2025, 9, 8, 7, 30, tzinfo=PORTAL_TZ)
    assert "dsLichSuKCB2018" in answer.raw


def test_year_of_birth_is_enough(portal, card_request: Build) -> None:
    assert portal.check_card(card_request(AN[0], AN[1], "1965")).code == "000"


@pytest.mark.parametrize(
    ("name", "birth", "code"),
    [
        ("Trần Văn An", AN[2], "060"),
        ("Nguyễn Văn Anh", AN[2], "061"),
        ("NGUYỄN VĂN AN", "16/03/1965", "070"),
    ],
)
def test_mismatched_person_details(portal, card_request: Build, name, birth, code) -> None:
    answer = portal.check_card(card_request(AN[0], name, birth))
    assert answer.code == code
    assert answer.result.action is A.PROCEED_AFTER_ID_CHECK
    # The portal shows the card's own details so reception can compare them.
    assert answer.full_name == AN[1]


def test_earlier_checks_are_reported(portal, card_request: Build) -> None:
    request = card_request("HT3484801000003", "Phạm Văn Hùng", "11/11/1958")
    portal.check_card(request)
    answer = portal.check_card(request)
    assert answer.checks and answer.checks[0].result_code == "000"


def test_expired_token_is_replaced_and_the_lookup_succeeds(
    bhxh_simulator, portal, card_request: Build
) -> None:
    portal.check_card(card_request(*AN))
    bhxh_simulator.admin("POST", "/_sim/expire-tokens")
    before = bhxh_simulator.stats()
    assert portal.check_card(card_request(*AN)).code == "000"
    after = bhxh_simulator.stats()
    assert after["unauthorised"] == before["unauthorised"] + 1
    assert after["tokens_issued"] == before["tokens_issued"] + 1


def test_portal_401_answer_is_retried_once_then_reported(
    bhxh_simulator, portal, card_request: Build
) -> None:
    portal.check_card(card_request(*AN))  # holds a token from here on
    before = bhxh_simulator.stats()
    answer = portal.check_card(card_request("DN4484801000130", "Giang Thị Liên", "09/09/1987"))
    after = bhxh_simulator.stats()
    assert answer.code == "401" and not answer.result.verified
    assert after["tokens_issued"] == before["tokens_issued"] + 1
    assert after["lookups"] == before["lookups"] + 2


def test_tokens_lapse_after_their_lifetime(start_simulator) -> None:
    sim = start_simulator(token_ttl_s=0.2)
    credentials = {"username": "48001_BV", "password": portal_password_hash("sim-test-password")}
    with httpx.Client(base_url=sim.base_url, timeout=5) as http:
        key = http.post(TOKEN_PATH, json=credentials).json()["APIKey"]
        params = {"token": key["access_token"], "id_token": key["id_token"], **credentials}
        time.sleep(0.3)
        response = http.post(LOOKUP_PATH, params=params, json={})
    assert response.status_code == 401


def test_wrong_credentials_are_refused(bhxh_simulator, card_request: Build) -> None:
    portal = bhxh_simulator.client(password="not-the-password")
    with portal, pytest.raises(PortalAuthenticationFailed):
        portal.check_card(card_request(*AN))


def test_slow_answer_beyond_the_timeout_is_unavailable(bhxh_simulator, card_request: Build) -> None:
    slow = {"maThe": "DN4484801000950", "hoTen": "Trương Văn Chờ", "ngaySinh": "01/01/1980"}
    bhxh_simulator.admin("POST", "/_sim/cards", {"cards": [{**slow, "delay_s": 2}]})
    portal = bhxh_simulator.client(timeout_s=0.5)
    with portal, pytest.raises(PortalUnavailable) as raised:
        portal.check_card(card_request(slow["maThe"], slow["hoTen"], slow["ngaySinh"]))
    assert raised.value.reason == "timeout"


def test_outage_makes_the_portal_unavailable(bhxh_simulator, portal, card_request) -> None:
    bhxh_simulator.admin("POST", "/_sim/outage", {"down": True})
    try:
        with pytest.raises(PortalUnavailable) as raised:
            portal.check_card(card_request(*AN))
        assert raised.value.reason == "http_status"
    finally:
        bhxh_simulator.admin("POST", "/_sim/outage", {"down": False})
    assert portal.check_card(card_request(*AN)).code == "000"


def test_server_error_makes_the_portal_unavailable(portal, card_request: Build) -> None:
    with pytest.raises(PortalUnavailable):
        portal.check_card(card_request("DN4484801000902", "Ninh Thị Xuân", "02/02/1995"))


def test_unreachable_portal_is_unavailable(card_request: Build) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    portal = BhxhPortalClient(f"http://127.0.0.1:{port}", "u", "p", timeout_s=0.5)
    with portal, pytest.raises(PortalUnavailable) as raised:
        portal.check_card(card_request(*AN))
    assert raised.value.reason == "connection"


@pytest.mark.parametrize("missing", ["staff_name", "staff_cccd"])
def test_lookup_without_the_staff_member_is_rejected(card_request: Build, missing) -> None:
    with pytest.raises(DomainError) as raised:
        card_request(*AN, **{missing: ""})
    assert raised.value.field == missing


def test_simulator_answers_205_to_a_lookup_without_staff(bhxh_simulator) -> None:
    credentials = {"username": "48001_BV", "password": portal_password_hash("sim-test-password")}
    with httpx.Client(base_url=bhxh_simulator.base_url, timeout=5) as http:
        key = http.post(TOKEN_PATH, json=credentials).json()["APIKey"]
        params = {"token": key["access_token"], "id_token": key["id_token"], **credentials}
        body = {"maThe": AN[0], "hoTen": AN[1], "ngaySinh": AN[2], "cccdCb": "048190000123"}
        answer = http.post(LOOKUP_PATH, params=params, json=body).json()
    assert answer["maKetQua"] == "205"


def test_token_and_password_hash_stay_out_of_request_logs(
    portal, card_request: Build, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="httpx"):
        portal.check_card(card_request(*AN))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "KQNhanLichSuKCB2019" in logged
    assert portal_password_hash("sim-test-password") not in logged
    assert "token=REDACTED" in logged
