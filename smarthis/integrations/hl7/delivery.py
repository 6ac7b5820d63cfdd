"""The outbox's LIS channel: sends due order messages over MLLP and reads each ACK."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations import outbox
from smarthis.integrations.hl7.ack_reader import outcome_of_ack
from smarthis.integrations.hl7.mllp import MllpClient, MllpError
from smarthis.integrations.hl7.outbound import CHANNEL

log = logging.getLogger(__name__)


def retry_policy(settings: Settings) -> outbox.RetryPolicy:
    return outbox.RetryPolicy(
        base_s=settings.outbox_retry_base_s,
        max_s=settings.outbox_retry_max_s,
        max_attempts=settings.outbox_max_attempts,
        lease_s=settings.outbox_lease_s,
    )


class LisSender:
    """Sends a batch on one connection. After a transport failure the connection is
    reopened once for the next message; if that fails too, the rest of the batch waits
    for the next pass (a LIS that is down is not asked again fifty times)."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.lis_host
        self.port = settings.lis_port
        self.timeout_s = settings.lis_timeout_s

    def __call__(self, batch: Sequence[outbox.Claimed]) -> list[outbox.Outcome]:
        outcomes: list[outbox.Outcome] = []
        client: MllpClient | None = None
        down: str | None = None
        try:
            for message in batch:
                if down is not None:
                    outcomes.append(outbox.Outcome("retry", down))
                    continue
                try:
                    if client is None:
                        client = MllpClient(self.host, self.port, self.timeout_s)
                    answer = client.exchange(message.payload)
                except (OSError, MllpError) as exc:
                    if client is None:
                        down = f"không kết nối được LIS / LIS unreachable: {exc}"
                        outcomes.append(outbox.Outcome("retry", down))
                        continue
                    client.close()
                    client = None
                    outcomes.append(outbox.Outcome("retry", f"lỗi truyền / transport: {exc}"))
                    continue
                outcomes.append(outcome_of_ack(answer, message.message_control_id))
        finally:
            if client is not None:
                client.close()
        return outcomes


def deliver_lis_orders(db: Database, settings: Settings) -> int:
    """One pass of the delivery worker; returns how many messages the LIS acknowledged."""
    return outbox.deliver_due(
        db, CHANNEL, LisSender(settings), retry_policy(settings), settings.outbox_batch_size
    )


def drain_lis_outbox(db: Database, settings: Settings, max_passes: int = 20) -> int:
    """Passes while whole batches get acknowledged (a backlog after an outage goes out at
    once, not one batch per poll interval), bounded so a worker tick always ends."""
    total = 0
    for _ in range(max_passes):
        acked = deliver_lis_orders(db, settings)
        total += acked
        if acked < settings.outbox_batch_size:
            break
    return total
