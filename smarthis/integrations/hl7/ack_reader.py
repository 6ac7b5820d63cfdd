"""Reading the LIS's acknowledgement of one of our messages (MSA, and ERR if any)."""

from __future__ import annotations

import hl7

from smarthis.integrations.outbox import Outcome

ACCEPTED = {"AA", "CA"}
APPLICATION_ERRORS = {"AE", "CE"}  # may succeed later (e.g. the LIS's database was busy)
REJECTED = {"AR", "CR"}  # the LIS will never take this message as it is


def outcome_of_ack(answer: str, control_id: str) -> Outcome:
    try:
        parsed = hl7.parse(answer.replace("\n", "\r").strip("\r"))
        msa = parsed.segment("MSA")
    except (KeyError, IndexError, ValueError, hl7.ParseException):
        return Outcome("retry", "câu trả lời không có MSA / answer without MSA", answer)
    code = str(msa[1]) if len(msa) > 1 else ""
    acked_id = parsed.unescape(str(msa[2])) if len(msa) > 2 else ""
    if acked_id != control_id:
        return Outcome("retry", f"ACK cho mã khác ({acked_id}) / ACK names another message", answer)
    errors = "; ".join(parsed.unescape(str(err)) for err in _segments(parsed, "ERR"))
    detail = f"{code}: {errors}" if errors else code
    if code in ACCEPTED:
        return Outcome("acked", code, answer)
    if code in REJECTED:
        return Outcome("rejected", detail, answer)
    if code in APPLICATION_ERRORS:
        return Outcome("retry", detail, answer)
    return Outcome("retry", f"mã MSA-1 lạ / unknown MSA-1 '{code}'", answer)


def _segments(parsed: hl7.Message, name: str) -> list[hl7.Segment]:
    try:
        return list(parsed.segments(name))
    except KeyError:
        return []
