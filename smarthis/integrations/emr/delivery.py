"""The outbox's EMR channel: posts due documents to the portal over HTTP and reads each
receipt. A portal that is down or answers 5xx is asked again later without limit (an
outage loses nothing); an authentication problem is retried up to the outbox's limit; a
document the portal refuses (4xx with its reasons) fails at once for a person to look at."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations import outbox
from smarthis.integrations.emr.outbound import CHANNEL
from smarthis.integrations.emr.settings import EmrSettings, retry_policy

SUBMIT_PATH = "/api/emr/visits"
ACCEPTED = "00"


def _outcome(response: httpx.Response) -> outbox.Outcome:
    text = response.text[:4000]
    if response.status_code >= 500:
        return outbox.Outcome("retry", f"cổng EMR lỗi / portal error HTTP {response.status_code}")
    if response.status_code in (401, 403):
        return outbox.Outcome(
            "retry", f"cổng EMR từ chối token / token refused: {text[:200]}", text
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict) and body.get("code") == ACCEPTED:
        return outbox.Outcome("acked", response=text)
    reason = body.get("errors") if isinstance(body, dict) else None
    return outbox.Outcome(
        "rejected",
        f"cổng EMR không nhận / refused (HTTP {response.status_code}): "
        f"{json.dumps(reason, ensure_ascii=False) if reason else text[:300]}",
        text,
    )


class EmrSender:
    """Posts a batch on one connection; once the portal cannot be reached, the rest of the
    batch waits for the next pass instead of timing out one by one."""

    def __init__(self, emr_settings: EmrSettings, transport: httpx.BaseTransport | None = None):
        self.settings = emr_settings
        self.transport = transport

    def __call__(self, batch: Sequence[outbox.Claimed]) -> list[outbox.Outcome]:
        outcomes: list[outbox.Outcome] = []
        down: str | None = None
        headers = {
            "Authorization": f"Bearer {self.settings.portal_token}",
            "Content-Type": "application/json; charset=utf-8",
        }
        with httpx.Client(
            base_url=self.settings.portal_url.rstrip("/"),
            timeout=self.settings.timeout_s,
            transport=self.transport,
        ) as client:
            for message in batch:
                if down is not None:
                    outcomes.append(outbox.Outcome("retry", down))
                    continue
                try:
                    response = client.post(
                        SUBMIT_PATH,
                        content=message.payload.encode(),
                        headers={**headers, "Idempotency-Key": message.message_control_id},
                    )
                except httpx.HTTPError as exc:
                    down = f"không kết nối được cổng EMR / portal unreachable: {exc!r}"[:500]
                    outcomes.append(outbox.Outcome("retry", down))
                    continue
                outcomes.append(_outcome(response))
        return outcomes


def deliver_emr_documents(
    db: Database, settings: Settings, emr_settings: EmrSettings | None = None
) -> int:
    """One pass of the delivery worker; returns how many documents the portal received."""
    return outbox.deliver_due(
        db,
        CHANNEL,
        EmrSender(emr_settings or EmrSettings()),
        retry_policy(settings),
        settings.outbox_batch_size,
    )


def drain_emr_outbox(
    db: Database, settings: Settings, emr_settings: EmrSettings | None = None, max_passes: int = 20
) -> int:
    """Passes while whole batches go through (a backlog after an outage leaves at once),
    bounded so a worker tick always ends."""
    total = 0
    for _ in range(max_passes):
        sent = deliver_emr_documents(db, settings, emr_settings)
        total += sent
        if sent < settings.outbox_batch_size:
            break
    return total
