"""Our acknowledgement of a message the LIS sent: MSA, and an ERR per problem that says,
in Vietnamese (ERR-8) and English (ERR-7), what is wrong and where (ERR-2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from smarthis.db import utcnow
from smarthis.integrations.hl7.encoding import components, escape, message, msh, segment

# HL7 table 0357 (message error condition codes) used here.
SEGMENT_SEQUENCE_ERROR = "100"
REQUIRED_FIELD_MISSING = "101"
DATA_TYPE_ERROR = "102"
TABLE_VALUE_NOT_FOUND = "103"
UNSUPPORTED_MESSAGE_TYPE = "200"
UNKNOWN_KEY_IDENTIFIER = "204"
APPLICATION_INTERNAL_ERROR = "207"
ERROR_NAMES = {
    SEGMENT_SEQUENCE_ERROR: "Segment sequence error",
    REQUIRED_FIELD_MISSING: "Required field missing",
    DATA_TYPE_ERROR: "Data type error",
    TABLE_VALUE_NOT_FOUND: "Table value not found",
    UNSUPPORTED_MESSAGE_TYPE: "Unsupported message type",
    UNKNOWN_KEY_IDENTIFIER: "Unknown key identifier",
    APPLICATION_INTERNAL_ERROR: "Application internal error",
}


@dataclass(frozen=True)
class Location:
    segment: str
    sequence: int = 1  # which occurrence of the segment, from 1
    field: int | None = None
    component: int | None = None

    def erl(self) -> str:
        return components(
            self.segment,
            str(self.sequence),
            "" if self.field is None else str(self.field),
            "" if self.field is None else "1",
            "" if self.component is None else str(self.component),
        )


class Hl7Problem(Exception):
    """What is wrong with a received message. AR: the message itself is unusable (do not
    resend it as is); AE: it is well formed but we cannot apply it (unknown order...)."""

    def __init__(
        self,
        ack_code: str,
        error_code: str,
        location: Location | None,
        message_vi: str,
        message_en: str,
    ) -> None:
        super().__init__(message_en)
        self.ack_code = ack_code
        self.error_code = error_code
        self.location = location
        self.message_vi = message_vi
        self.message_en = message_en

    def err_segment(self) -> str:
        fields = [""] * 8
        fields[1] = self.location.erl() if self.location else ""  # ERR-2
        fields[2] = components(self.error_code, ERROR_NAMES[self.error_code], "HL70357")
        fields[3] = "E"  # ERR-4 severity: error
        fields[6] = escape(self.message_en)  # ERR-7 diagnostic information
        fields[7] = escape(self.message_vi)  # ERR-8 user message
        return segment("ERR", fields)


@dataclass(frozen=True)
class Received:
    """What an ACK must echo from the message it answers."""

    control_id: str
    trigger: str  # "R01"
    sending_application: str
    sending_facility: str


def build_ack(
    received: Received,
    ack_code: str,
    *,
    our_application: str,
    our_facility: str,
    problem: Hl7Problem | None = None,
) -> str:
    segments = [
        msh(
            sending_application=our_application,
            sending_facility=our_facility,
            receiving_application=received.sending_application,
            receiving_facility=received.sending_facility,
            at=utcnow(),
            message_type=components("ACK", received.trigger, "ACK") if received.trigger else "ACK",
            control_id=uuid.uuid4().hex[:20],
        ),
        segment("MSA", [ack_code, escape(received.control_id)]),
    ]
    if problem is not None:
        segments.append(problem.err_segment())
    return message(segments)
