"""Tell what a barcode scanner or a keyboard just typed: CCCD QR, CCCD number or BHYT code.

A kiosk has one input for everything the patient holds up; the shape of the text is enough
to tell the documents apart.
"""

from __future__ import annotations

import re
from datetime import date

from smarthis.errors import DomainError
from smarthis.patients.identifiers.bhyt import BhytCard, normalise_bhyt, parse_bhyt
from smarthis.patients.identifiers.cccd import CccdInfo, parse_cccd
from smarthis.patients.identifiers.cccd_card import CccdCard
from smarthis.patients.identifiers.cccd_qr import parse_cccd_qr

Identified = CccdCard | CccdInfo | BhytCard
_ASCII_DIGITS = re.compile(r"[0-9]+")


def identify(text: str, *, today: date | None = None) -> Identified:
    cleaned = text.replace("\ufeff", "").strip()
    if "|" in cleaned:
        return parse_cccd_qr(cleaned, today=today)
    compact = normalise_bhyt(cleaned)
    if not compact:
        raise DomainError(
            "identifier_empty", "Chưa nhận được mã nào", "Nothing was scanned or typed", "text"
        )
    if _ASCII_DIGITS.fullmatch(compact):
        if len(compact) == 12:
            return parse_cccd(compact, today=today)
        if len(compact) == 10:
            return parse_bhyt(compact)
    elif compact[0].isalpha():
        # Starts like a card code: let the card parser name the exact position that is wrong.
        return parse_bhyt(compact)
    raise DomainError(
        "identifier_unrecognised",
        "Không nhận ra giấy tờ: cần mã QR CCCD, số CCCD 12 chữ số, mã thẻ BHYT hoặc mã BHXH",
        "Unrecognised: expected a CCCD QR text, a 12-digit CCCD, a BHYT code or a BHXH number",
        "text",
    )
