"""VietQR beyond tests/billing/test_vietqr.py (which pins ASCII round trips and single
character substitutions): Vietnamese purposes, inserted and deleted characters, arbitrary
text and arbitrary arguments; the only failure is a VietQRError naming the field."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from smarthis.billing.crc16 import crc16_ccitt_false
from smarthis.billing.vietqr import (
    VietQRError,
    ascii_purpose,
    decode_payload,
    make_payload,
)
from tests.badinput.profile import properties

bins = st.from_regex(r"\A97[0-9]{4}\Z")
accounts = st.from_regex(r"\A[0-9A-Za-z]{1,19}\Z")
amounts = st.integers(1, 10**13 - 1)
vietnamese_words = st.sampled_from(
    ["Thanh toán", "viện phí", "HĐ", "2026-000123", "Nguyễn Văn Ấn", "khám", "Đặng", "#12"]
)
# A bank app shows at most 25 characters of purpose: longer ones are refused (pinned there).
vietnamese_purposes = (
    st.lists(vietnamese_words, min_size=1, max_size=3)
    .map(" ".join)
    .filter(lambda text: len(ascii_purpose(text)) <= 25)
)
GOOD = make_payload("970436", "0011001234567", 450_000, "HD2026-000123")


@properties()
@given(bin=bins, account=accounts, amount=st.none() | amounts, purpose=vietnamese_purposes)
def test_a_vietnamese_purpose_round_trips_as_its_ascii_form(
    bin: str, account: str, amount: int | None, purpose: str
) -> None:
    folded = ascii_purpose(purpose)
    payment = decode_payload(make_payload(bin, account, amount, purpose))
    assert (payment.bin, payment.account, payment.amount) == (bin, account, amount)
    assert payment.purpose == folded
    assert folded.isascii()


@properties()
@given(amount=amounts)
def test_any_valid_amount_round_trips(amount: int) -> None:
    assert decode_payload(make_payload("970415", "0011001932418", amount, "HD")).amount == amount


@properties()
@given(data=st.data())
def test_any_inserted_or_deleted_character_is_refused(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(GOOD) - 1))
    if data.draw(st.booleans()):
        broken = GOOD[:index] + GOOD[index + 1 :]
    else:
        extra = data.draw(st.characters(min_codepoint=32, max_codepoint=126))
        broken = GOOD[:index] + extra + GOOD[index:]
    try:
        decode_payload(broken)
    except VietQRError as refused:
        assert refused.code.startswith("vietqr_")
    else:
        raise AssertionError(f"accepted a changed payload: {broken!r}")


@properties()
@given(
    text=st.text(max_size=120)
    | st.builds(
        lambda body: body + crc16_ccitt_false(body), st.text(max_size=80).map(lambda t: t + "6304")
    )
)
def test_any_text_is_decoded_or_refused_with_a_vietqr_error(text: str) -> None:
    """Including text whose CRC is right, so the parser behind the CRC check is reached."""
    try:
        decode_payload(text)
    except VietQRError as refused:
        assert refused.code.startswith("vietqr_")


anything = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)


@properties()
@given(bin=anything, account=anything, amount=anything, purpose=anything)
def test_bad_arguments_are_refused_with_a_vietqr_error(
    bin: Any, account: Any, amount: Any, purpose: Any
) -> None:
    try:
        payload = make_payload(bin, account, amount, purpose)
    except VietQRError as refused:
        assert refused.field in ("bin", "account", "amount", "purpose")
    except TypeError:
        # Non-text where text is required is a programming error, not bad input.
        assert not all(isinstance(v, str) for v in (bin, account)) or not isinstance(
            purpose, str | None
        )
    else:
        assert decode_payload(payload).bin == bin
