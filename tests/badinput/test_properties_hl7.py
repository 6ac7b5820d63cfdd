"""The HL7 result reader and the acknowledgement under any text: the reader accepts or raises
Hl7Problem (which becomes AE/AR), and the ACK built for whatever arrived is itself a
well-formed HL7 message that python-hl7 reads and that names the control ID it answers."""

from __future__ import annotations

import hl7
from hypothesis import given
from hypothesis import strategies as st

from smarthis.integrations.hl7.ack import Hl7Problem, build_ack
from smarthis.integrations.hl7.result_message import parse_result_message, received_of
from tests.badinput.profile import properties

MSH = "MSH|^~\\&|LIS|LAB|SMARTHIS|48001|20261126101500+0700||ORU^R01^ORU_R01|C-1|P|2.5.1"
hl7_chars = st.sampled_from(list("|^~\\&\r\n MSHOBRXPIDC0123456789.")) | st.characters(
    codec="utf-8", exclude_categories=["Cs"]
)
hl7_text = st.text(hl7_chars, max_size=200)
segments = st.lists(
    st.sampled_from(["PID|1||x", "OBR|1|7^SMARTHIS|F7|XN-GLU", "OBX|1|NM|GLU||6.1", "SPM|1|9"])
    | hl7_text,
    max_size=6,
)
messages = hl7_text | st.builds(lambda rest: "\r".join([MSH, *rest]), segments)


def ack_for(text: str, problem: Hl7Problem | None) -> str:
    received = received_of(text.replace("\n", "\r"))
    code = problem.ack_code if problem else "AA"
    return build_ack(
        received, code, our_application="SMARTHIS", our_facility="48001", problem=problem
    )


@properties(200)
@given(text=messages)
def test_the_reader_accepts_or_names_the_problem_and_the_ack_is_readable(text: str) -> None:
    problem = None
    try:
        parse_result_message(text)
    except Hl7Problem as refused:
        problem = refused
        assert refused.ack_code in ("AE", "AR")
    ack = hl7.parse(ack_for(text, problem).strip("\r"))
    msa = ack.segment("MSA")
    assert str(msa[1]) == (problem.ack_code if problem else "AA")
    # Whatever the sender put in MSH-10, the ACK echoes it without breaking its own fields.
    control_id = received_of(text.replace("\n", "\r")).control_id
    echoed = ack.unescape(str(msa[2])) if len(msa) > 2 else ""  # an empty MSA-2 is left off
    assert echoed == control_id
