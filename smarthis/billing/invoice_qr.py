"""The VietQR of an invoice: a dynamic payload for what is left to pay, with the invoice's
reference as the transfer's purpose, drawn as SVG or PNG by segno."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from smarthis.billing.models import Invoice
from smarthis.billing.payments import remaining
from smarthis.billing.vietqr import make_payload
from smarthis.config import Settings
from smarthis.errors import Conflict


@dataclass(frozen=True)
class InvoiceQR:
    payload: str
    amount_vnd: int
    purpose: str
    bank_bin: str
    account: str
    account_name: str


def invoice_qr(settings: Settings, invoice: Invoice) -> InvoiceQR:
    amount = remaining(invoice)
    if invoice.status != "open" or amount <= 0:
        raise Conflict(
            "invoice_nothing_to_pay",
            "Hoá đơn không còn số tiền phải trả",
            "The invoice has nothing left to pay",
            field="invoice_id",
        )
    payload = make_payload(
        settings.bank_bin, settings.bank_account, amount, invoice.payment_reference
    )
    return InvoiceQR(
        payload=payload,
        amount_vnd=amount,
        purpose=invoice.payment_reference,
        bank_bin=settings.bank_bin,
        account=settings.bank_account,
        account_name=settings.bank_account_name,
    )


def qr_svg(payload: str) -> str:
    # Error level M and a quiet zone of 4: what banking apps read reliably from a screen.
    return segno.make(payload, error="m", micro=False).svg_inline(scale=6, border=4, omitsize=True)


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
