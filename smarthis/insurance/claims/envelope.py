"""The GIAMDINHHS envelope: one file for the portal holding one or more claims (HOSO), each
a set of table files (FILEHOSO: LOAIHOSO + NOIDUNGFILE, the table file in base64).

CHUKYDONVI (the facility's digital signature) is written empty: signing needs the
facility's registered certificate and is outside this format layer.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date

from lxml import etree

from smarthis.insurance.claims.formats import day
from smarthis.insurance.claims.structure import ENVELOPE_ROOT, XSD_NS, XSI_NS
from smarthis.insurance.claims.xmlsafe import parse, serialise

# Declared on the root as the portal's templates do, although nothing uses them.
_NAMESPACES = {"xsi": XSI_NS, "xsd": XSD_NS}


class EnvelopeError(ValueError):
    """An envelope that does not have the GIAMDINHHS structure."""


@dataclass(frozen=True, slots=True)
class Envelope:
    facility_code: str  # MACSKCB
    created_on: str  # NGAYLAP, yyyyMMdd
    claims: tuple[dict[str, bytes], ...]  # per HOSO: LOAIHOSO -> decoded table file


def build_envelope(facility_code: str, created_on: date, claims: list[dict[str, bytes]]) -> bytes:
    root = etree.Element(ENVELOPE_ROOT, nsmap=_NAMESPACES)
    etree.SubElement(etree.SubElement(root, "THONGTINDONVI"), "MACSKCB").text = facility_code
    info = etree.SubElement(root, "THONGTINHOSO")
    etree.SubElement(info, "NGAYLAP").text = day(created_on)
    etree.SubElement(info, "SOLUONGHOSO").text = str(len(claims))
    listing = etree.SubElement(info, "DANHSACHHOSO")
    for files in claims:
        hoso = etree.SubElement(listing, "HOSO")
        for kind, content in files.items():
            file_element = etree.SubElement(hoso, "FILEHOSO")
            etree.SubElement(file_element, "LOAIHOSO").text = kind
            etree.SubElement(file_element, "NOIDUNGFILE").text = base64.b64encode(content).decode()
    etree.SubElement(root, "CHUKYDONVI")
    return serialise(root)


def _text(parent: etree._Element, path: str) -> str:
    element = parent.find(path)
    if element is None or not (element.text or "").strip():
        raise EnvelopeError(f"{path} missing or empty")
    return element.text.strip()


def parse_envelope(content: bytes) -> Envelope:
    try:
        root = parse(content)
    except etree.XMLSyntaxError as exc:
        raise EnvelopeError(f"not well-formed XML ({exc})") from exc
    if root.tag != ENVELOPE_ROOT:
        raise EnvelopeError(f"root element {root.tag!r}, expected {ENVELOPE_ROOT}")
    facility = _text(root, "THONGTINDONVI/MACSKCB")
    created_on = _text(root, "THONGTINHOSO/NGAYLAP")
    declared = _text(root, "THONGTINHOSO/SOLUONGHOSO")
    claims = []
    for hoso in root.findall("THONGTINHOSO/DANHSACHHOSO/HOSO"):
        files: dict[str, bytes] = {}
        for file_element in hoso.findall("FILEHOSO"):
            kind = _text(file_element, "LOAIHOSO")
            if kind in files:
                raise EnvelopeError(f"LOAIHOSO {kind} twice in one HOSO")
            try:
                files[kind] = base64.b64decode(_text(file_element, "NOIDUNGFILE"), validate=True)
            except binascii.Error as exc:
                raise EnvelopeError(f"NOIDUNGFILE of {kind} is not base64") from exc
        claims.append(files)
    if not declared.isdigit() or int(declared) != len(claims):
        raise EnvelopeError(f"SOLUONGHOSO says {declared}, the envelope holds {len(claims)}")
    return Envelope(facility, created_on, tuple(claims))
