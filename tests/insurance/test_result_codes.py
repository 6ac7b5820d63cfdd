"""Result codes of the card check: every code explained, unknown codes handled safely."""

from __future__ import annotations

from datetime import date

from smarthis.insurance.portal_client import parse_answer
from smarthis.insurance.portal_simulator import resolve_date_text
from smarthis.insurance.result_codes import RESULT_CODES, ReceptionAction, result_code_info


def test_every_code_has_messages_and_an_instruction() -> None:
    assert len(RESULT_CODES) == 27
    for info in RESULT_CODES.values():
        assert info.message_vi and info.message_en and info.instruction_vi
        # Only answers that leave the card unknown send reception to "retry".
        assert (info.action is ReceptionAction.RETRY) == (not info.verified)


def test_unknown_code_is_not_verified_and_retried() -> None:
    info = result_code_info("999")
    assert info.action is ReceptionAction.RETRY
    assert not info.verified and info.retry_later
    assert "999" in info.message_vi
    assert result_code_info(None).action is ReceptionAction.RETRY


def test_numeric_codes_from_gateways_are_normalised() -> None:
    assert result_code_info(0) is RESULT_CODES["000"]
    assert result_code_info(10) is RESULT_CODES["010"]


def test_answer_parsing_is_lenient_about_odd_fields() -> None:
    answer = parse_answer(
        {
            "maKetQua": "000",
            "maThe": "DN4480123456789",
            "ngaySinh": "1965",
            "gtTheDen": "not a date",
            "dsLichSuKCB2018": [{"maHoSo": 123, "ngayVao": "2025"}, "junk"],
            "dsLichSuKT2018": None,
        }
    )
    assert answer.birth_year == 1965 and answer.birth_date is None
    assert answer.valid_to is None
    assert answer.visits[0].record_id == "123" and answer.visits[0].admitted_at is None
    assert answer.checks == ()


def test_card_file_relative_dates() -> None:
    today = date(2026, 3, 1)
    assert resolve_date_text("+1d", today) == "02/03/2026"
    assert resolve_date_text("-1d", today) == "28/02/2026"
    assert resolve_date_text("today", today) == "01/03/2026"
    assert resolve_date_text("15/03/1965", today) == "15/03/1965"
