"""Writing HL7 v2 text: escaping, timestamps, segments. Reading goes through python-hl7."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from smarthis.queueing.clock import HOSPITAL_TZ

VERSION = "2.5.1"
# MSH-18: the LIS must read names with their diacritics.
CHARSET = "UNICODE UTF-8"
ENCODING_CHARACTERS = "^~\\&"
SEGMENT_END = "\r"

_ESCAPES = {"\\": "\\E\\", "|": "\\F\\", "^": "\\S\\", "&": "\\T\\", "~": "\\R\\"}


def escape(value: object) -> str:
    """One component's text with HL7's delimiters escaped; line breaks become spaces
    (a bare CR would end the segment)."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def components(*parts: object) -> str:
    """Components of one field, each escaped, trailing empty ones dropped."""
    out = [escape(p) for p in parts]
    while out and out[-1] == "":
        out.pop()
    return "^".join(out)


def segment(name: str, fields: Sequence[str]) -> str:
    """`fields[0]` is field 1 (for MSH, field 2: MSH-1 is the separator itself)."""
    out = list(fields)
    while out and out[-1] == "":
        out.pop()
    return "|".join([name, *out])


def message(segments: Sequence[str]) -> str:
    return SEGMENT_END.join(segments) + SEGMENT_END


def timestamp(at: datetime) -> str:
    """DTM in hospital time with its offset, to the second: 20261126143005+0700."""
    return at.astimezone(HOSPITAL_TZ).strftime("%Y%m%d%H%M%S%z")


def msh(
    *,
    sending_application: str,
    sending_facility: str,
    receiving_application: str,
    receiving_facility: str,
    at: datetime,
    message_type: str,
    control_id: str,
) -> str:
    """MSH asking for an accept acknowledgement always and no application acknowledgement:
    the LIS answers on the same connection and that answer settles the outbox row."""
    return segment(
        "MSH",
        [
            ENCODING_CHARACTERS,
            escape(sending_application),
            escape(sending_facility),
            escape(receiving_application),
            escape(receiving_facility),
            timestamp(at),
            "",
            message_type,
            escape(control_id),
            "P",
            VERSION,
            "",
            "",
            "",
            "",
            "",
            CHARSET,
        ],
    )
