"""The bank simulator re-sends an unacknowledged notification, as a real bank does: no
answer or a 5xx is tried again with back-off; SmartHIS's refusal (4xx) is final."""

from __future__ import annotations

import time

import httpx
from fastapi import FastAPI, Response

from smarthis.billing.bank_simulator import Retry, create_bank_simulator_app
from smarthis.billing.vietqr import make_payload
from tests.servers import serve_in_thread

QUICK = Retry(first_delay_s=0.05, max_delay_s=0.1, attempts=5)


def flaky_receiver(statuses: list[int]) -> tuple[FastAPI, list[int]]:
    """Answers each delivery with the next status of `statuses` (the last one repeats)."""
    received: list[int] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook() -> Response:
        status = statuses[min(len(received), len(statuses) - 1)]
        received.append(status)
        return Response(status_code=status)

    return app, received


def pay_and_settle(statuses: list[int]) -> tuple[list[int], dict]:
    app, received = flaky_receiver(statuses)
    receiver = serve_in_thread(app)
    bank = serve_in_thread(create_bank_simulator_app(f"{receiver.base_url}/hook", "s", QUICK))
    try:
        payload = make_payload("970436", "0011004567890", 45000, "HD26112600001V1")
        httpx.post(f"{bank.base_url}/_sim/pay", json={"payload": payload}, timeout=10)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            (sent,) = httpx.get(f"{bank.base_url}/_sim/transactions").json()["transactions"]
            if not sent["retrying"]:
                break
            time.sleep(0.05)
        return received, sent
    finally:
        bank.stop()
        receiver.stop()


def test_a_failed_notification_is_sent_again_until_acknowledged() -> None:
    received, sent = pay_and_settle([503, 500, 200])
    assert received == [503, 500, 200]
    assert sent["acknowledged"] is True


def test_a_refusal_is_not_repeated() -> None:
    received, sent = pay_and_settle([401])
    assert received == [401]
    assert sent["acknowledged"] is False


def test_retries_end_after_the_last_attempt() -> None:
    received, sent = pay_and_settle([503])
    assert received == [503] * QUICK.attempts
    assert sent["acknowledged"] is False and sent["retrying"] is False
