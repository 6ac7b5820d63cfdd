"""The kiosk's "pay fees" routes (kiosk devices only, /api/kiosk/billing)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.billing import kiosk_service
from smarthis.billing.invoice_qr import invoice_qr, qr_svg
from smarthis.billing.invoices import invoice_for
from smarthis.billing.payments import payment_for, remaining
from smarthis.billing.presenters import invoice_out, visit_out
from smarthis.billing.receipt import receipt_rows
from smarthis.billing.receipt_print import print_receipt, receipt_pdf
from smarthis.billing.schemas import KioskBillIn
from smarthis.billing.visit_search import patient_of
from smarthis.db import Database
from smarthis.errors import Conflict
from smarthis.printing.escpos_ticket import PrinterUnavailable
from smarthis.security.deps import database, require
from smarthis.security.models import Device
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/kiosk/billing", tags=["kiosk"])


@router.post("/lookup")
def look_up_bill(
    body: KioskBillIn,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    settings = request.app.state.settings
    with db.session() as session:
        visit, invoice = kiosk_service.kiosk_bill(
            session,
            principal,
            ticket_qr=body.ticket_qr,
            qr_text=body.qr_text,
            date_of_birth=body.date_of_birth,
        )
        out: dict[str, Any] = {
            "visit": visit_out(visit, patient_of(session, visit), masked=True),
            "invoice": invoice_out(session, invoice, with_payments=False),
            "vietqr": None,
        }
        if invoice.status == "open" and remaining(invoice) > 0:
            qr = invoice_qr(settings, invoice)
            out["vietqr"] = {**qr.__dict__, "svg": qr_svg(qr.payload)}
        return out


@router.get("/invoices/{invoice_id}/status")
def invoice_status(
    invoice_id: int,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    """Polled by the kiosk while the patient pays: no names, only the money's state."""
    with db.session() as session:
        invoice = invoice_for(session, principal, invoice_id)
        payment = kiosk_service.last_receipted_payment(session, invoice.id)
        return {
            "status": invoice.status,
            "amount_due": invoice.amount_due,
            "paid_vnd": invoice.paid_vnd,
            "remaining_vnd": remaining(invoice) if invoice.status == "open" else 0,
            "payment_id": payment.id if payment else None,
        }


@router.post("/invoices/{invoice_id}/receipt")
def print_invoice_receipt(
    invoice_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    """Print the receipt of the invoice's latest payment on the kiosk's own printer."""
    with db.session() as session:
        invoice = invoice_for(session, principal, invoice_id)
        payment = kiosk_service.last_receipted_payment(session, invoice.id)
        if payment is None:
            raise Conflict(
                "receipt_not_paid",
                "Hoá đơn chưa được thanh toán",
                "The invoice is not paid yet",
                field="invoice_id",
            )
        rows = receipt_rows(session, request.app.state.settings, payment)
        device = session.get(Device, principal.id) if principal.kind == "device" else None
        target = device.printer_target if device else None
    pdf_url = f"/api/kiosk/billing/payments/{payment.id}/receipt.pdf"
    if not target:
        return {"printed": False, "message_vi": "Kiosk chưa nối máy in", "receipt_pdf": pdf_url}
    try:
        print_receipt(rows, target)
    except PrinterUnavailable as exc:
        return {"printed": False, "message_vi": exc.message, "receipt_pdf": pdf_url}
    return {"printed": True, "message_vi": "Đã in biên lai, mời nhận", "receipt_pdf": pdf_url}


@router.get("/payments/{payment_id}/receipt.pdf")
def kiosk_receipt_pdf(
    payment_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        payment = payment_for(session, principal, payment_id)
        rows = receipt_rows(session, request.app.state.settings, payment)
    return Response(
        receipt_pdf(rows, f"Biên lai {payment.receipt_number}"),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{payment.receipt_number}.pdf"'},
    )
