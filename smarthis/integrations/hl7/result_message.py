"""Reading a result message (ORU^R01 or OUL^R22) into what the lab workflow needs: per OBR,
the numbers that name the order and the OBX values. Problems raise Hl7Problem with the
segment and field at fault."""

from __future__ import annotations

from dataclasses import dataclass, field

import hl7

from smarthis.integrations.hl7.ack import (
    DATA_TYPE_ERROR,
    REQUIRED_FIELD_MISSING,
    SEGMENT_SEQUENCE_ERROR,
    UNSUPPORTED_MESSAGE_TYPE,
    Hl7Problem,
    Location,
    Received,
)

MAX_CONTROL_ID = 40  # the log's column; HL7 2.5.1 itself allows 20
SUPPORTED = {("ORU", "R01"), ("OUL", "R22")}
# OBX-11 statuses that carry no usable value: X cannot be obtained, D deleted, W wrong
# (withdrawn), N not asked, I pending.
NO_VALUE_STATUSES = {"X", "D", "W", "N", "I"}


@dataclass
class Observation:
    obx_sequence: int  # which OBX of the message, for ERR-2
    analyte_code: str
    value: str
    unit: str
    status: str


@dataclass
class ObservationGroup:
    obr_sequence: int
    placer_number: str
    filler_number: str
    accession_number: str
    service_code: str
    observations: list[Observation] = field(default_factory=list)


@dataclass
class ResultMessage:
    received: Received
    message_type: str  # "ORU^R01"
    groups: list[ObservationGroup]


def received_of(raw: str) -> Received:
    """The MSH fields an acknowledgement echoes, read as leniently as possible: even a
    message we reject must get an ACK naming it."""
    msh = next((line for line in raw.split("\r") if line.startswith("MSH")), "")
    separator = msh[3:4] or "|"
    fields = msh.split(separator)

    def at(index: int) -> str:
        # MSH-1 is the separator itself, so MSH-n is fields[n - 1].
        return fields[index - 1] if len(fields) >= index else ""

    trigger = at(9).split("^")[1] if "^" in at(9) else ""
    return Received(at(10), trigger, at(3).split("^")[0], at(4).split("^")[0])


def normalise_segments(raw: str) -> str:
    """Senders end segments with CR as HL7 says; some tools use LF or CRLF. A blank line is
    no segment: python-hl7 would read it as an empty one and fail on it (IndexError)."""
    lines = raw.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return "\r".join(line for line in lines if line.strip())


def _text(parsed: hl7.Message, seg: hl7.Segment, index: int, component: int = 1) -> str:
    """One component of a field's first repetition (first subcomponent), unescaped."""
    if len(seg) <= index:
        return ""
    first = str(seg[index]).split("~")[0]
    parts = first.split("^")
    if len(parts) < component:
        return ""
    return parsed.unescape(parts[component - 1].split("&")[0]).strip()


def _malformed(vi: str, en: str, location: Location | None) -> Hl7Problem:
    return Hl7Problem("AR", SEGMENT_SEQUENCE_ERROR, location, vi, en)


def parse_result_message(raw: str) -> ResultMessage:
    text = normalise_segments(raw)
    if not text.startswith("MSH"):
        raise _malformed(
            "Tin nhắn không bắt đầu bằng MSH", "The message does not start with MSH", None
        )
    try:
        parsed = hl7.parse(text)
    except Exception as exc:  # python-hl7 raises several kinds on broken text
        raise _malformed(
            "Tin nhắn HL7 sai cấu trúc", f"Malformed HL7 message: {exc}", Location("MSH")
        ) from exc
    msh = parsed.segment("MSH")
    received = received_of(text)
    code, trigger = _text(parsed, msh, 9, 1), _text(parsed, msh, 9, 2)
    if not received.control_id:
        raise Hl7Problem(
            "AR",
            REQUIRED_FIELD_MISSING,
            Location("MSH", 1, 10),
            "Thiếu mã tin nhắn (MSH-10)",
            "MSH-10 (message control ID) is missing",
        )
    if len(received.control_id) > MAX_CONTROL_ID:
        raise Hl7Problem(
            "AR",
            DATA_TYPE_ERROR,
            Location("MSH", 1, 10),
            f"Mã tin nhắn (MSH-10) dài quá {MAX_CONTROL_ID} ký tự",
            f"MSH-10 (message control ID) is longer than {MAX_CONTROL_ID} characters",
        )
    if (code, trigger) not in SUPPORTED:
        raise Hl7Problem(
            "AR",
            UNSUPPORTED_MESSAGE_TYPE,
            Location("MSH", 1, 9),
            f"Không nhận loại tin nhắn {code}^{trigger}: chỉ nhận ORU^R01, OUL^R22",
            f"Message type {code}^{trigger} is not accepted: ORU^R01 and OUL^R22 only",
        )
    groups = _groups(parsed)
    if not groups:
        raise Hl7Problem(
            "AR",
            SEGMENT_SEQUENCE_ERROR,
            Location("OBR"),
            "Tin nhắn kết quả không có phân đoạn OBR",
            "The result message has no OBR segment",
        )
    return ResultMessage(received, f"{code}^{trigger}", groups)


def _groups(parsed: hl7.Message) -> list[ObservationGroup]:
    groups: list[ObservationGroup] = []
    counts: dict[str, int] = {}
    specimen_accession = ""  # OUL^R22 names the specimen (SPM) before its OBRs
    for seg in parsed:
        name = str(seg[0])
        counts[name] = counts.get(name, 0) + 1
        if name == "SPM":
            specimen_accession = _text(parsed, seg, 2, 1)
            if groups and not groups[-1].accession_number and counts.get("OBR"):
                groups[-1].accession_number = specimen_accession
        elif name == "OBR":
            groups.append(
                ObservationGroup(
                    obr_sequence=counts[name],
                    placer_number=_text(parsed, seg, 2, 1),
                    filler_number=_text(parsed, seg, 3, 1),
                    accession_number=_text(parsed, seg, 18, 1) or specimen_accession,
                    service_code=_text(parsed, seg, 4, 1),
                )
            )
        elif name == "OBX":
            if not groups:
                raise _malformed(
                    "OBX đứng trước OBR: không biết kết quả thuộc chỉ định nào",
                    "OBX before any OBR: the result belongs to no order",
                    Location("OBX", counts[name]),
                )
            groups[-1].observations.append(
                Observation(
                    obx_sequence=counts[name],
                    analyte_code=_text(parsed, seg, 3, 1),
                    value=_text(parsed, seg, 5, 1),
                    unit=_text(parsed, seg, 6, 1),
                    status=_text(parsed, seg, 11, 1).upper(),
                )
            )
    return groups
