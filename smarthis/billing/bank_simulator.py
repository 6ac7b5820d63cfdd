"""Simulator of the hospital's bank: it "pays" a VietQR payload and tells SmartHIS, over a
real socket, the way the bank's credit-notification webhook does (signed JSON, see
bank_webhook.py).

Start it with `smarthis sim bank`; tests build the app with `create_bank_simulator_app()`.

Endpoints (HTTP JSON, loopback only):
  POST /_sim/pay {"payload": "000201...", "amount"?: int, "transaction_id"?: str,
                  "description"?: str}
      decodes the payload with our VietQR codec (a bad one -> 422 with the codec's code),
      credits the payload's account with the payload's amount (or `amount`: a payer may
      type another one; a static QR needs it) and posts the signed notification.
  POST /_sim/replay {"transaction_id": "..."}   sends the same signed bytes again.
  GET  /_sim/transactions                       what was paid and SmartHIS's answers.

Like a real bank, it re-sends a notification that was not acknowledged: no answer (SmartHIS
down or unreachable), a 5xx, 408 or 429 is tried again with exponential back-off (`Retry`)
until a 2xx arrives or the attempts run out. Any other 4xx is SmartHIS's verdict on the
notification itself (bad signature, malformed) and is not repeated.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from smarthis.billing.bank_webhook import SIGNATURE_HEADER, sign
from smarthis.billing.vietqr import decode_payload
from smarthis.errors import DomainError

BANK_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DELIVERY_TIMEOUT_S = 10.0
RETRIED_STATUSES = frozenset({408, 429})  # and every 5xx, and no answer at all


@dataclass(frozen=True)
class Retry:
    """When an unacknowledged notification is sent again: after first_delay_s, doubling up
    to max_delay_s, at most `attempts` deliveries in all (the first one included)."""

    first_delay_s: float = 1.0
    max_delay_s: float = 60.0
    attempts: int = 12

    def delay(self, retry_number: int) -> float:
        return min(self.first_delay_s * 2 ** (retry_number - 1), self.max_delay_s)


def acknowledged(answer: dict[str, Any]) -> bool:
    status = answer["status_code"]
    return status is not None and 200 <= status < 300


def worth_retrying(answer: dict[str, Any]) -> bool:
    status = answer["status_code"]
    return status is None or status >= 500 or status in RETRIED_STATUSES


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payload: str = Field(min_length=1, max_length=512)
    amount: int | None = Field(default=None, gt=0, lt=10**13)
    transaction_id: str | None = Field(default=None, min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=200)


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transaction_id: str = Field(min_length=1, max_length=64)


@dataclass
class _Sent:
    body: bytes
    signature: str
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(acknowledged(answer) for answer in self.answers)


class _Bank:
    def __init__(self, webhook_url: str, secret: str, retry: Retry) -> None:
        self.webhook_url = webhook_url
        self.secret = secret
        self.retry = retry
        self.sent: dict[str, _Sent] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        # Re-deliveries in progress, kept referenced so the event loop does not drop them.
        self.retrying: dict[str, asyncio.Task[None]] = {}

    def next_transaction_id(self) -> str:
        with self._lock:
            return f"FT{datetime.now(BANK_TZ):%y%m%d}{next(self._numbers):06d}"

    async def deliver(self, transaction_id: str) -> dict[str, Any]:
        sent = self.sent[transaction_id]
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sent.signature}
        async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_S) as client:
            try:
                response = await client.post(self.webhook_url, content=sent.body, headers=headers)
                answer = {"status_code": response.status_code, "body": _json(response)}
            except httpx.HTTPError as error:
                answer = {"status_code": None, "body": {"error": str(error)}}
        sent.answers.append(answer)
        return answer

    def retry_later(self, transaction_id: str) -> None:
        """After a failed first delivery: keep sending in the background until acknowledged."""
        if transaction_id not in self.retrying:
            task = asyncio.create_task(self._redeliver(transaction_id))
            self.retrying[transaction_id] = task

    async def _redeliver(self, transaction_id: str) -> None:
        sent = self.sent[transaction_id]
        try:
            for retry_number in range(1, self.retry.attempts):
                await asyncio.sleep(self.retry.delay(retry_number))
                if sent.acknowledged:
                    return  # a replay got through meanwhile
                if not worth_retrying(await self.deliver(transaction_id)):
                    return
        finally:
            self.retrying.pop(transaction_id, None)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def create_bank_simulator_app(webhook_url: str, secret: str, retry: Retry = Retry()) -> FastAPI:
    bank = _Bank(webhook_url, secret, retry)
    app = FastAPI(title="Bank simulator (VietQR credit notifications)")
    app.state.bank = bank

    @app.exception_handler(DomainError)
    async def refused(_request: Any, exc: DomainError) -> JSONResponse:
        return JSONResponse({"error": exc.as_dict()}, status_code=exc.status_code)

    @app.post("/_sim/pay")
    async def pay(body: PayIn) -> dict[str, Any]:
        qr = decode_payload(body.payload)
        amount = body.amount or qr.amount
        if amount is None:
            raise DomainError(
                "bank_sim_amount_missing",
                "Mã QR tĩnh không có số tiền: cần nhập số tiền",
                "A static QR has no amount: give one",
                field="amount",
            )
        transaction_id = body.transaction_id or bank.next_transaction_id()
        note = {
            "transaction_id": transaction_id,
            "account": qr.account,
            "amount": amount,
            "description": body.description or qr.purpose or "",
            "transaction_time": datetime.now(BANK_TZ).isoformat(timespec="seconds"),
            "counter_account_name": "KHACH HANG THU NGHIEM",
        }
        raw = json.dumps(note, ensure_ascii=False).encode()
        bank.sent[transaction_id] = _Sent(raw, sign(bank.secret, raw))
        answer = await bank.deliver(transaction_id)
        if worth_retrying(answer):
            bank.retry_later(transaction_id)
        return {"transaction_id": transaction_id, "notification": note, "delivery": answer}

    @app.post("/_sim/replay")
    async def replay(body: ReplayIn) -> Any:
        if body.transaction_id not in bank.sent:
            return JSONResponse(
                {"error": {"code": "bank_sim_unknown_transaction", "field": "transaction_id"}},
                status_code=404,
            )
        return {
            "transaction_id": body.transaction_id,
            "delivery": await bank.deliver(body.transaction_id),
        }

    @app.get("/_sim/transactions")
    async def transactions() -> dict[str, Any]:
        return {
            "transactions": [
                {
                    "transaction_id": key,
                    "notification": json.loads(sent.body),
                    "answers": sent.answers,
                    "acknowledged": sent.acknowledged,
                    "retrying": key in bank.retrying,
                }
                for key, sent in bank.sent.items()
            ]
        }

    return app


def run_bank_simulator(host: str, port: int, webhook_url: str, secret: str) -> None:
    """Serve the simulator until interrupted (blocking); loopback only (checked by the CLI)."""
    import uvicorn

    uvicorn.run(create_bank_simulator_app(webhook_url, secret), host=host, port=port)
