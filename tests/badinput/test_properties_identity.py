"""Identity parsers under any input: they accept or raise their own DomainError (a specific
4xx at the edge), nothing else; a well-formed card always reads back as written."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smarthis.errors import DomainError
from smarthis.patients.identifiers.bhyt import parse_bhyt
from smarthis.patients.identifiers.cccd import parse_cccd
from smarthis.patients.identifiers.cccd_qr import parse_cccd_qr
from smarthis.patients.identifiers.chip_reader import parse_chip_reader
from smarthis.patients.identifiers.identify import identify
from smarthis.patients.identifiers.vneid import parse_vneid
from tests.badinput.profile import properties

TODAY = date(2026, 11, 26)
# What a scanner or a keyboard can type: digits (ASCII and others), separators, Vietnamese
# letters, whitespace, controls, a BOM, bidi and zero-width characters.
scanned_chars = st.sampled_from(list("0123456789|/-: ")) | st.characters(
    codec="utf-8", exclude_categories=["Cs"]
)
scanned_text = st.text(scanned_chars, max_size=80)
field_texts = st.text(scanned_chars, max_size=20) | st.sampled_from(
    ["048065001234", "123456789", "15031965", "Nam", "Nữ", "", "31021965", "\ufeff", "０４８"]
)
qr_like = st.lists(field_texts, min_size=0, max_size=9).map("|".join)


def accepts_or_refuses(parse: Any, *args: Any, **kwargs: Any) -> None:
    """Any exception but the parser's own DomainError fails the property."""
    try:
        parse(*args, **kwargs)
    except DomainError as refused:
        assert refused.code and refused.message_vi and refused.message_en


@properties()
@given(text=qr_like | scanned_text)
def test_the_cccd_qr_parser_never_raises_anything_but_its_own_error(text: str) -> None:
    accepts_or_refuses(parse_cccd_qr, text, today=TODAY)


@properties()
@given(text=qr_like | scanned_text)
def test_the_kiosk_classifier_never_raises_anything_but_its_own_error(text: str) -> None:
    accepts_or_refuses(identify, text, today=TODAY)


@properties()
@given(number=scanned_text | st.from_regex(r"\A[0-9]{10,13}\Z"))
def test_cccd_and_bhyt_numbers_never_raise_anything_else(number: str) -> None:
    accepts_or_refuses(parse_cccd, number, today=TODAY)
    accepts_or_refuses(parse_bhyt, number)
    accepts_or_refuses(parse_vneid, number, True, today=TODAY)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | field_texts
chip_payloads = st.dictionaries(
    st.sampled_from(
        ["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ngay_cap", "noi_thuong_tru"]
    )
    | st.text(max_size=8),
    json_scalars | st.lists(json_scalars, max_size=2) | st.dictionaries(st.text(), json_scalars),
    max_size=8,
)


@properties()
@given(payload=chip_payloads)
def test_the_chip_reader_never_raises_anything_but_its_own_error(payload: dict) -> None:
    accepts_or_refuses(parse_chip_reader, payload, today=TODAY)


# --- a well-formed card reads back as written ---------------------------------------------

CENTURY_DIGIT = {(1900, "male"): "0", (1900, "female"): "1", (2000, "male"): "2"}
CENTURY_DIGIT[(2000, "female")] = "3"
SEX_WORD = {"male": "Nam", "female": "Nữ"}
names = st.sampled_from(
    ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Đức Ư", "Phạm Thị Hằng", "Đỗ Quý Tôn", "A"]
)


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    born = draw(st.dates(date(1900, 1, 1), TODAY))
    sex = draw(st.sampled_from(["male", "female"]))
    number = (
        draw(st.sampled_from(["001", "048", "079"]))
        + CENTURY_DIGIT[(born.year // 100 * 100, sex)]
        + f"{born.year % 100:02d}"
        + draw(st.from_regex(r"\A[0-9]{6}\Z"))
    )
    issued = draw(st.none() | st.dates(born, TODAY))
    full_name = draw(names)
    old_id = draw(st.sampled_from(["", "123456789"]))
    fields = [number, old_id, full_name, f"{born:%d%m%Y}", SEX_WORD[sex], "Đà Nẵng"]
    if issued is not None:
        fields.append(f"{issued:%d%m%Y}")
    expected = {"number": number, "born": born, "sex": sex, "name": full_name, "issued": issued}
    return "|".join(fields), expected


@properties()
@given(card=cards(), scanner_noise=st.sampled_from(["", "\r\n", "\n", "  "]))
def test_a_well_formed_card_reads_back_as_written(
    card: tuple[str, dict[str, Any]], scanner_noise: str
) -> None:
    text, expected = card
    read = parse_cccd_qr(text + scanner_noise, today=TODAY)
    assert read.info.number == expected["number"]
    assert read.date_of_birth == expected["born"]
    assert read.sex == expected["sex"]
    assert read.issue_date == expected["issued"]
    assert unicodedata.normalize("NFC", read.full_name) == expected["name"]


@pytest.mark.parametrize("days_ahead", [1, 365])
def test_a_birth_date_after_today_is_refused_naming_the_field(days_ahead: int) -> None:
    born = TODAY + timedelta(days=days_ahead)
    number = f"0482{born.year % 100:02d}001234"
    with pytest.raises(DomainError) as refused:
        parse_cccd_qr(f"{number}||Nguyễn Văn An|{born:%d%m%Y}|Nam|Đà Nẵng", today=TODAY)
    assert refused.value.field in ("date_of_birth", "number")
