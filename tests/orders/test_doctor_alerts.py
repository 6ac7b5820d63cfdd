"""A critical result reaches the ordering doctor's alert stream, and only theirs."""

from __future__ import annotations

import asyncio

from smarthis.events import bus
from smarthis.orders.live_api import doctor_alert_accepts, visit_stream


async def _received_after(events: list[dict]) -> list[str]:
    async def never_disconnected() -> bool:
        return False

    stream = visit_stream(never_disconnected, doctor_alert_accepts("48001", "bs.nam"))
    assert "ready" in await stream.__anext__()
    for event in events:
        bus.publish(event)
    received = [await asyncio.wait_for(stream.__anext__(), timeout=5)]
    await stream.aclose()
    return received


def test_only_the_ordering_doctors_criticals_arrive() -> None:
    base = {"topic": "result", "facility": "48001", "visit_id": 7, "patient_id": 3}
    events = [
        {**base, "kind": "critical", "doctor": "bs.lan", "analyte_code": "K"},
        {**base, "kind": "verified", "doctor": "bs.nam"},
        {**base, "kind": "critical", "doctor": "bs.nam", "analyte_code": "K", "value": "6.9"},
    ]
    (received,) = asyncio.run(_received_after(events))
    assert received.startswith("event: result\n")
    assert '"doctor": "bs.nam"' in received and '"value": "6.9"' in received
