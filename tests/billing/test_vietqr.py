"""VietQR payloads: published examples decode, our payloads round-trip, and every broken
payload is refused with its own reason (the cashier's screen must say which)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smarthis.billing.crc16 import crc16_ccitt_false
from smarthis.billing.emv_tlv import encode
from smarthis.billing.vietqr import VietQRError, decode_payload, make_payload
from smarthis.cli import app

# Published payloads (CRCs checked independently when collected), split where the merchant
# account information (tag 38) ends.
SUBIZ = (  # github.com/subiz/vietqr README: 120,000 VND to VietinBank 0011001932418
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)
QRPAY_STATIC = (  # npm vietnam-qr-pay README: ACB 257678859, static
    "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
)
QRPAY_DYNAMIC = (  # npm vietnam-qr-pay README: ACB 257678859, 10,000 VND, "Chuyen tien"
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
    "53037045405100005802VN62150811Chuyen tien630453E6"
)
SUNARY = (  # sunary/vietqr service documentation: Techcombank 9796868 with a purpose
    "00020101021138510010A00000072701210006970407010797968680208QRIBFTTA"
    "53037045802VN62240820gen by sunary/vietqr6304BE74"
)
LOWERCASE_CRC = (  # a public app's source: MB 0812945269, CRC written in lower case
    "00020101021138540010A00000072701240006970422011008129452690208QRIBFTTA53037045802VN6304d5f3"
)
# pkg.go.dev thanhtinhpas1/vietqr-parser README: Vietcombank (970436). Its CRC is right but it
# writes the payload format indicator as "00", which EMVCo fixes to "01".
VCB_FORMAT_00 = (
    "00020001021238570010A00000072701270006970436011308810004580860208QRIBFTTA53037045802VN6304CD60"
)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (SUBIZ, ("970415", "0011001932418", 120_000, "ung ho lu lut", "12")),
        (QRPAY_STATIC, ("970416", "257678859", None, None, "11")),
        (QRPAY_DYNAMIC, ("970416", "257678859", 10_000, "Chuyen tien", "12")),
        (SUNARY, ("970407", "9796868", None, "gen by sunary/vietqr", "11")),
        (LOWERCASE_CRC, ("970422", "0812945269", None, None, "11")),
    ],
)
def test_published_examples_decode(payload: str, fields: tuple) -> None:
    payment = decode_payload(payload)
    assert (
        payment.bin,
        payment.account,
        payment.amount,
        payment.purpose,
        payment.point_of_initiation,
    ) == fields
    assert (payment.currency, payment.country, payment.service) == ("704", "VN", "QRIBFTTA")


@pytest.mark.parametrize(
    ("args", "published"),
    [
        (("970415", "0011001932418", 120_000, "ủng hộ lũ lụt"), SUBIZ),
        (("970416", "257678859", None, None), QRPAY_STATIC),
        (("970416", "257678859", 10_000, "Chuyen tien"), QRPAY_DYNAMIC),
    ],
)
def test_our_payloads_match_published_ones_byte_for_byte(args: tuple, published: str) -> None:
    assert make_payload(*args) == published


@pytest.mark.parametrize(
    "payload", [SUBIZ, QRPAY_STATIC, QRPAY_DYNAMIC, SUNARY, LOWERCASE_CRC, VCB_FORMAT_00]
)
def test_crc_of_published_examples(payload: str) -> None:
    assert crc16_ccitt_false(payload[:-4]) == payload[-4:].upper()


def test_crc16_ccitt_false_check_value() -> None:
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt_false("123456789") == "29B1"


def test_published_example_with_format_indicator_00_is_refused() -> None:
    with pytest.raises(VietQRError) as refused:
        decode_payload(VCB_FORMAT_00)
    assert (refused.value.code, refused.value.field) == ("vietqr_bad_format_indicator", "00")
    fixed = with_crc("000201" + VCB_FORMAT_00[6:-8])
    assert (decode_payload(fixed).bin, decode_payload(fixed).account) == (
        "970436",
        "0881000458086",
    )


def test_invoice_payload_is_dynamic_with_amount_and_purpose() -> None:
    payload = make_payload("970436", "0011001234567", 450_000, "HD2026-000123")
    assert payload.startswith("000201010212")
    assert "5303704" in payload and "5406450000" in payload and "5802VN" in payload
    assert "62170813HD2026-000123" in payload
    assert payload[-8:-4] == "6304" and payload[-4:] == payload[-4:].upper()


# --- refusals ---------------------------------------------------------------------------


def with_crc(body: str) -> str:
    return body + "6304" + crc16_ccitt_false(body + "6304")


def merchant(guid: str = "A000000727", extra: str = "") -> str:
    beneficiary = encode("00", "970436") + encode("01", "0011001234567")
    return encode("38", encode("00", guid) + encode("01", beneficiary) + "0208QRIBFTTA" + extra)


def payload_of(*objects: str) -> str:
    return with_crc("".join(objects))


GOOD = ("000201", "010212", merchant(), "5303704", "5406450000", "5802VN")


def refusal(payload: str) -> tuple[str, str | None]:
    with pytest.raises(VietQRError) as refused:
        decode_payload(payload)
    assert refused.value.message_vi and refused.value.message_en
    return refused.value.code, refused.value.field


def test_the_helpers_make_a_good_payload() -> None:
    assert decode_payload(payload_of(*GOOD)).amount == 450_000


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (SUBIZ[:-1] + "D", "vietqr_bad_crc", "63"),
        (SUBIZ.replace("ung ho", "ung hO"), "vietqr_bad_crc", "63"),
        (SUBIZ[:-8], "vietqr_missing_tag", "63"),
        (payload_of(*GOOD[:5], "5803VN"), "vietqr_bad_length", "58"),
        (payload_of("000201", "01X212", *GOOD[2:]), "vietqr_bad_length", "01"),
        (payload_of(*GOOD, "6502ab"), "vietqr_unknown_tag", "65"),
        (payload_of(*GOOD[:2], merchant(extra="0302xy"), *GOOD[3:]), "vietqr_unknown_tag", "38.03"),
        (payload_of(*GOOD, encode("62", "1002ab")), "vietqr_unknown_tag", "62.10"),
        (payload_of(*GOOD[:5]), "vietqr_missing_tag", "58"),
        (payload_of(GOOD[0], GOOD[1], *GOOD[3:]), "vietqr_missing_tag", "38"),
        (payload_of(*GOOD[:4], "540512a00", "5802VN"), "vietqr_bad_amount", "54"),
        (payload_of(*GOOD[:4], "5406-45000", "5802VN"), "vietqr_bad_amount", "54"),
        (
            payload_of(*GOOD[:2], merchant(guid="A000000775"), *GOOD[3:]),
            "vietqr_wrong_guid",
            "38.00",
        ),
        (payload_of(*GOOD[:3], "5303840", *GOOD[4:]), "vietqr_bad_currency", "53"),
        (payload_of(*GOOD[:5], "5802LA"), "vietqr_bad_country", "58"),
        (payload_of(*GOOD, "5802VN"), "vietqr_duplicate_tag", "58"),
        (payload_of("000202", *GOOD[1:]), "vietqr_bad_format_indicator", "00"),
        (payload_of(GOOD[1], GOOD[0], *GOOD[2:]), "vietqr_bad_format_indicator", "00"),
        (payload_of("000201", "010213", *GOOD[2:]), "vietqr_bad_initiation", "01"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_each_refusal_has_its_reason(payload: str, code: str, field: str) -> None:
    assert refusal(payload) == (code, field)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("97043", "0011001234567"), "bin"),
        (("970436", "0011-001234567"), "account"),
        (("970436", "0" * 20), "account"),
        (("970436", "0011001234567", 0), "amount"),
        (("970436", "0011001234567", 10**13), "amount"),
        (("970436", "0011001234567", 1000, "x" * 26), "purpose"),
        (("970436", "0011001234567", 1000, "HD\u20ac1"), "purpose"),
    ],
)
def test_make_refuses_what_a_bank_app_would(args: tuple, field: str) -> None:
    with pytest.raises(VietQRError) as refused:
        make_payload(*args)
    assert refused.value.field == field


# --- properties ---------------------------------------------------------------------------

bins = st.from_regex(r"\A97\d{4}\Z")
accounts = st.from_regex(r"\A[0-9A-Za-z]{1,19}\Z")
words = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=6)
purposes = st.lists(words, min_size=1, max_size=4).map(" ".join).filter(lambda t: len(t) <= 25)


@settings(max_examples=200)
@given(bins, accounts, st.none() | st.integers(1, 10**13 - 1), st.none() | purposes)
def test_round_trip(bin: str, account: str, amount: int | None, purpose: str | None) -> None:
    payment = decode_payload(make_payload(bin, account, amount, purpose))
    assert (payment.bin, payment.account, payment.amount, payment.purpose) == (
        bin,
        account,
        amount,
        purpose,
    )
    assert payment.point_of_initiation == ("12" if amount is not None else "11")


@settings(max_examples=200)
@given(st.data())
def test_any_single_character_change_is_refused(data: st.DataObject) -> None:
    payload = make_payload("970436", "0011001234567", 450_000, "HD2026-000123")
    index = data.draw(st.integers(0, len(payload) - 1))
    replacement = data.draw(
        st.characters(min_codepoint=32, max_codepoint=126).filter(lambda c: c != payload[index])
    )
    if index >= len(payload) - 4 and replacement.upper() == payload[index]:
        return  # the CRC's hex digits may be written in either case
    with pytest.raises(VietQRError):
        decode_payload(payload[:index] + replacement + payload[index + 1 :])


# --- CLI ----------------------------------------------------------------------------------


def vietqr(*args: str):  # noqa: ANN201 - click's Result
    return CliRunner().invoke(app, ["vietqr", *args])


def test_cli_make_prints_the_payload() -> None:
    result = vietqr(
        "make",
        "--bin",
        "970415",
        "--account",
        "0011001932418",
        "--amount",
        "120000",
        "--purpose",
        "ủng hộ lũ lụt",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == SUBIZ


def test_cli_make_without_amount_is_static() -> None:
    result = vietqr("make", "--bin", "970416", "--account", "257678859")
    assert result.stdout.strip() == QRPAY_STATIC


def test_cli_make_refuses_a_bad_bin() -> None:
    result = vietqr("make", "--bin", "9704", "--account", "257678859")
    assert result.exit_code == 2
    assert "vietqr_bad_bin" in result.stderr


def test_cli_decode_prints_the_fields() -> None:
    result = vietqr("decode", QRPAY_DYNAMIC)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "bin": "970416",
        "account": "257678859",
        "amount": 10_000,
        "purpose": "Chuyen tien",
        "currency": "704",
        "country": "VN",
        "service": "QRIBFTTA",
        "point_of_initiation": "12",
    }


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (SUBIZ[:-1] + "D", "bad CRC"),
        (payload_of(*GOOD[:5], "5803VN"), "length"),
        (payload_of(*GOOD, "6502ab"), "unknown tag 65"),
        (payload_of(*GOOD[:5]), "missing mandatory tag 58"),
    ],
)
def test_cli_decode_exits_2_naming_what_is_wrong(payload: str, reason: str) -> None:
    result = vietqr("decode", payload)
    assert result.exit_code == 2
    assert reason in result.stderr
    assert result.stdout == ""
