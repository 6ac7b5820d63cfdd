"""The bank's credit-notification webhook: public (the bank has no SmartHIS login) and
authenticated by its HMAC signature instead."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from smarthis.billing import bank_webhook
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission

router = APIRouter(prefix="/api/bank", tags=["bank"])


def _parse(body: bytes) -> bank_webhook.BankNotification:
    try:
        return bank_webhook.BankNotification.model_validate(json.loads(body))
    except (ValueError, ValidationError) as error:
        field = "body"
        if isinstance(error, ValidationError) and error.errors():
            field = ".".join(str(p) for p in error.errors()[0]["loc"]) or "body"
        raise DomainError(
            "bank_notification_invalid",
            "Thông báo ngân hàng không đúng định dạng",
            f"The bank notification is malformed: {error.__class__.__name__}",
            field=field,
        ) from None


@router.post("/notifications", dependencies=[Depends(require(Permission.PUBLIC))])
async def bank_notification(request: Request, db: Database = Depends(database)) -> dict[str, Any]:
    settings = request.app.state.settings
    raw = await request.body()
    # The signature is over the exact bytes received: check before parsing anything.
    bank_webhook.check_signature(
        settings.bank_webhook_secret, raw, request.headers.get(bank_webhook.SIGNATURE_HEADER)
    )
    note = _parse(raw)

    def record() -> dict[str, Any]:
        with db.session() as session:
            outcome = bank_webhook.receive(
                session, settings.facility_code, settings.bank_account, note
            )
            payment = outcome.payment
            return {
                "accepted": True,
                "duplicate": outcome.duplicate,
                "payment_id": payment.id,
                "status": payment.status,
                "review_reason": payment.review_reason,
                "invoice_id": payment.invoice_id,
            }

    return await run_in_threadpool(record)
