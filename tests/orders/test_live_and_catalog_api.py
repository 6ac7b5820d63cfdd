"""The doctor's live feed of one visit (only that visit's result and visit events, a
keepalive while quiet, 404 for an unknown visit) and the service catalogue as JSON."""

from __future__ import annotations

import asyncio
import json

from smarthis.db import Database
from smarthis.events import bus
from smarthis.orders.live_api import visit_accepts, visit_stream
from smarthis.security.permissions import Role
from tests.apphelpers import FACILITY, client_for, make_app, sign_in_every_role


def test_the_stream_carries_only_this_visits_result_and_visit_events() -> None:
    async def run() -> list[str]:
        async def connected() -> bool:
            return False

        stream = visit_stream(connected, visit_accepts(FACILITY, 7), keepalive_s=0.05)
        chunks = [await anext(stream)]  # subscribed from here on
        for event in (
            {"topic": "result", "facility": FACILITY, "visit_id": 8, "kind": "entered"},
            {"topic": "queue", "facility": FACILITY, "visit_id": 7, "kind": "called"},
            {"topic": "result", "facility": "79001", "visit_id": 7, "kind": "entered"},
            {"topic": "result", "facility": FACILITY, "visit_id": 7, "kind": "critical"},
            {"topic": "visit", "facility": FACILITY, "visit_id": 7, "kind": "concluded"},
        ):
            bus.publish(event)
        chunks += [await anext(stream) for _ in range(3)]
        await stream.aclose()
        return chunks

    ready, critical, concluded, keepalive = asyncio.run(run())
    assert "event: ready" in ready
    assert critical.startswith("event: result\n")
    assert json.loads(critical.split("data: ", 1)[1])["kind"] == "critical"
    assert concluded.startswith("event: visit\n")
    assert keepalive == ": keepalive\n\n"
    assert bus.subscriber_count == 0


def test_events_of_an_unknown_visit_are_404(db: Database) -> None:
    app = make_app(db)
    creds = sign_in_every_role(db)
    response = client_for(app).get("/api/visits/999/events", headers=creds.headers(Role.DOCTOR))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "visit_not_found"


def test_the_service_catalogue_lists_orderable_services(db: Database) -> None:
    app = make_app(db)
    creds = sign_in_every_role(db)
    response = client_for(app).get("/api/catalog/services", headers=creds.headers(Role.DOCTOR))
    assert response.status_code == 200
    services = {s["code"]: s for s in response.json()}
    assert services["XN-DGD"]["kind"] == "lab"
    assert services["XN-DGD"]["lab_panel"] == "DGD"
    assert services["XN-DGD"]["lab_panel_name_vi"]
    assert services["SA-VU"]["point_kind"] == "ultrasound"
