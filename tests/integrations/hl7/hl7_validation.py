"""Validating our outgoing messages with hl7apy against HL7 v2.5.1, at STRICT level.

hl7apy's own group finder is greedy: after an OBR it takes the next ORC for the optional
PRIOR_RESULT group and then misses required children, so the message is assembled into its
groups here (by the structure we mean to send) and hl7apy validates that: every segment's
fields, data types, lengths and cardinalities, and every group's required children.
ORM^O01's order detail is a choice (OBR | RQD | RQ1 | ...) that hl7apy models as a sequence
requiring all of them, so for ORM each segment is validated strictly and the segment order
is checked against the standard's grammar here."""

from __future__ import annotations

import re

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.parser import parse_segment

STRICT = VALIDATION_LEVEL.STRICT
ORM_GRAMMAR = re.compile(r"MSH(PID(PV1)?)?(ORC(OBR)?)+")


def _segments(text: str) -> list[str]:
    assert text.endswith("\r") and "\n" not in text, "segments end with CR only"
    return text.rstrip("\r").split("\r")


def validate_oml_o21(text: str) -> Message:
    segments = _segments(text)
    message = Message("OML_O21", version="2.5.1", validation_level=STRICT)
    message.msh = segments[0]
    order = None
    for seg in segments[1:]:
        name = seg[:3]
        if name == "PID":
            patient = message.add_group("OML_O21_PATIENT")
            patient.pid = seg
        elif name == "PV1":
            patient.add_group("OML_O21_PATIENT_VISIT").pv1 = seg
        elif name == "ORC":
            order = message.add_group("OML_O21_ORDER")
            order.orc = seg
        elif name == "TQ1":
            assert order is not None
            order.add_group("OML_O21_TIMING").tq1 = seg
        elif name == "OBR":
            assert order is not None
            order.add_group("OML_O21_OBSERVATION_REQUEST").obr = seg
        else:
            raise AssertionError(f"unexpected segment {name}")
    assert message.validate()
    # What hl7apy re-encodes is what we wrote: nothing was dropped or reinterpreted.
    assert message.to_er7() == text.rstrip("\r")
    return message


def validate_orm_o01(text: str) -> list[str]:
    segments = _segments(text)
    assert ORM_GRAMMAR.fullmatch("".join(s[:3] for s in segments))
    for seg in segments:
        assert parse_segment(seg, version="2.5.1", validation_level=STRICT).validate()
    return segments
