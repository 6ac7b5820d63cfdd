"""Simulator of the national EMR portal's receiving service, over a real HTTP socket.

`smarthis sim emr` serves it on 127.0.0.1; tests build it with `create_emr_simulator`.
POST /api/emr/visits (Authorization: Bearer TOKEN, body: the document of payload.py) ->
  200 {"code": "00", "receipt": "BA-...", "messageId", "receivedAt"} when it is valid; a
      repeat of a messageId gets its first receipt back and is counted, not stored again;
  422 {"code": "E01", "errors": [...]} when it is not (the reasons, in English);
  401 {"code": "E401"} without the right token.
Admin endpoints for tests and demos: POST /_sim/outage {"down": bool} (every call -> 503),
GET /_sim/received (messageId -> receipt, times received), GET /_sim/stats.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from smarthis.integrations.emr.delivery import ACCEPTED, SUBMIT_PATH
from smarthis.integrations.emr.payload import problems_of
from smarthis.queueing.clock import HOSPITAL_TZ


@dataclass
class _Portal:
    token: str
    facility_code: str
    down: bool = False
    receipts: dict[str, str] = field(default_factory=dict)  # messageId -> receipt
    times: Counter[str] = field(default_factory=Counter)  # messageId -> times received
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)


def create_emr_simulator(token: str, facility_code: str) -> FastAPI:
    portal = _Portal(token=token, facility_code=facility_code)
    app = FastAPI(title="Cổng hồ sơ bệnh án điện tử (giả lập) / EMR portal simulator")
    app.state.portal = portal

    @app.post(SUBMIT_PATH)
    async def receive(request: Request) -> JSONResponse:
        portal.stats["calls"] += 1
        if portal.down:
            return JSONResponse({"code": "E503", "message": "bảo trì / maintenance"}, 503)
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), portal.token.encode()):
            portal.stats["unauthorised"] += 1
            return JSONResponse({"code": "E401", "message": "token không hợp lệ"}, 401)
        try:
            payload = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            payload = None
        problems = problems_of(payload, portal.facility_code)
        if problems:
            portal.stats["rejected"] += 1
            return JSONResponse({"code": "E01", "errors": problems}, 422)
        key = payload["messageId"]
        portal.times[key] += 1
        if key not in portal.receipts:
            portal.receipts[key] = f"BA-{secrets.token_hex(6).upper()}"
            portal.documents[key] = payload
            portal.stats["accepted"] += 1
        else:
            portal.stats["repeats"] += 1
        return JSONResponse(
            {
                "code": ACCEPTED,
                "receipt": portal.receipts[key],
                "messageId": key,
                "receivedAt": datetime.now(HOSPITAL_TZ).isoformat(timespec="seconds"),
            }
        )

    @app.post("/_sim/outage")
    async def outage(request: Request) -> dict[str, bool]:
        portal.down = bool((await request.json()).get("down"))
        return {"down": portal.down}

    @app.get("/_sim/received")
    def received() -> dict[str, Any]:
        return {
            key: {"receipt": receipt, "times": portal.times[key]}
            for key, receipt in portal.receipts.items()
        }

    @app.get("/_sim/stats")
    def stats() -> dict[str, int]:
        return dict(portal.stats)

    return app
