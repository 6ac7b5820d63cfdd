"""The GIAMDINHHS envelope: structure, base64 contents, and the round trip."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from lxml import etree

from smarthis.insurance.claims.claim import build_claim
from smarthis.insurance.claims.envelope import EnvelopeError, build_envelope, parse_envelope
from tests.insurance.claims.example import inpatient_visit, worked_visit


def test_envelope_structure() -> None:
    claim = build_claim(inpatient_visit())
    root = etree.fromstring(claim.envelope(date(2026, 11, 30)))
    assert root.tag == "GIAMDINHHS"
    assert root.findtext("THONGTINDONVI/MACSKCB") == "48001"
    assert root.findtext("THONGTINHOSO/NGAYLAP") == "20261130"
    assert root.findtext("THONGTINHOSO/SOLUONGHOSO") == "1"
    kinds = root.xpath("THONGTINHOSO/DANHSACHHOSO/HOSO/FILEHOSO/LOAIHOSO/text()")
    assert kinds == ["XML1", "XML2", "XML3", "XML4", "XML5"]
    assert root.find("CHUKYDONVI") is not None


def test_base64_contents_decode_to_the_table_files() -> None:
    claim = build_claim(worked_visit())
    root = etree.fromstring(claim.envelope(date(2026, 11, 30)))
    for file_element in root.iter("FILEHOSO"):
        kind = file_element.findtext("LOAIHOSO")
        decoded = base64.b64decode(file_element.findtext("NOIDUNGFILE"))
        assert decoded == claim.files()[kind]
    assert "Nguyễn Văn An".encode() in claim.files()["XML1"]  # UTF-8, diacritics kept


def test_round_trip_of_several_claims() -> None:
    claims = [build_claim(worked_visit()), build_claim(inpatient_visit())]
    content = build_envelope("48001", date(2026, 11, 30), [c.files() for c in claims])
    envelope = parse_envelope(content)
    assert envelope.facility_code == "48001"
    assert envelope.created_on == "20261130"
    assert envelope.claims == tuple(c.files() for c in claims)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<GIAMDINHHS>", "well-formed"),
        (b"<OTHER/>", "root element"),
        (
            b"<GIAMDINHHS><THONGTINDONVI><MACSKCB>48001</MACSKCB></THONGTINDONVI>"
            b"<THONGTINHOSO><NGAYLAP>20261130</NGAYLAP><SOLUONGHOSO>2</SOLUONGHOSO>"
            b"<DANHSACHHOSO/></THONGTINHOSO></GIAMDINHHS>",
            "SOLUONGHOSO",
        ),
    ],
)
def test_broken_envelopes_are_refused(content: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        parse_envelope(content)
