"""JSON routes of the cashier's workstation (/api/billing)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from smarthis.billing import invoices, payments, refunds
from smarthis.billing.charges import charges_of_visit
from smarthis.billing.invoice_qr import invoice_qr, qr_svg
from smarthis.billing.presenters import invoice_out, payment_out, visit_out
from smarthis.billing.receipt import receipt_rows
from smarthis.billing.receipt_print import receipt_pdf
from smarthis.billing.reconciliation import day_end, day_end_json
from smarthis.billing.schemas import CollectIn, ReasonIn, RefundIn, ReviewIn
from smarthis.billing.visit_search import find_visits, patient_of
from smarthis.db import Database
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/billing", tags=["billing"])


@router.get("/visits")
def search_visits(
    q: str = Query(default="", max_length=200),
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        found = find_visits(session, principal, q)
        return {"visits": [visit_out(v, patient_of(session, v)) for v in found]}


@router.get("/visits/{visit_id}/invoice")
def visit_invoice(
    visit_id: int,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    """The invoice to pay now, brought up to date with the visit's charges (repeatable:
    the same charges give back the same invoice)."""
    with db.session() as session:
        invoice = invoices.current_invoice(session, principal, visit_id)
        visit = invoices.visit_for(session, principal, visit_id)
        audit.record(
            session,
            principal,
            "billing.invoice_read",
            patient_id=visit.patient_id,
            detail={"visit": visit.visit_number},
        )
        return {
            "visit": visit_out(visit, patient_of(session, visit)),
            "invoice": invoice_out(session, invoice) if invoice else None,
            "history": [
                invoice_out(session, i, with_payments=False)
                for i in invoices.invoices_of_visit(session, visit.id)
                if invoice is None or i.id != invoice.id
            ],
        }


@router.get("/visits/{visit_id}/charges")
def visit_charges(
    visit_id: int,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        visit = invoices.visit_for(session, principal, visit_id)
        return {
            "charges": [
                {
                    "id": c.id,
                    "source_kind": c.source_kind,
                    "source_id": c.source_id,
                    "item_code": c.item_code,
                    "national_code": c.national_code,
                    "name": c.name,
                    "quantity": c.quantity,
                    "unit": c.unit,
                    "hospital_price_vnd": c.hospital_price_vnd,
                    "insurance_price_vnd": c.insurance_price_vnd,
                    "cost_group": c.cost_group,
                    "ratio_service": c.ratio_service,
                    "ratio_insurance": c.ratio_insurance,
                    "in_benefit_list": c.in_benefit_list,
                    "status": c.status,
                }
                for c in charges_of_visit(session, visit.id)
            ]
        }


@router.get("/invoices/{invoice_id}")
def get_invoice(
    invoice_id: int,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        invoice = invoices.invoice_for(session, principal, invoice_id)
        audit.record(
            session,
            principal,
            "billing.invoice_read",
            patient_id=invoice.patient_id,
            detail={"invoice": invoice.id},
        )
        return invoice_out(session, invoice)


@router.get("/invoices/{invoice_id}/vietqr")
def get_invoice_qr(
    invoice_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        qr = invoice_qr(
            request.app.state.settings, invoices.invoice_for(session, principal, invoice_id)
        )
    return {**qr.__dict__, "svg": qr_svg(qr.payload)}


@router.post("/invoices/{invoice_id}/payments", status_code=201)
def collect(
    invoice_id: int,
    body: CollectIn,
    principal: Principal = Depends(require(Permission.BILLING_COLLECT)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        payment = payments.collect_at_counter(
            session, principal, invoice_id, body.method, body.amount_vnd, body.card_reference
        )
        return {
            "payment": payment_out(payment),
            "invoice": invoice_out(session, invoices.invoice_for(session, principal, invoice_id)),
            "receipt_pdf": f"/api/billing/payments/{payment.id}/receipt.pdf",
        }


@router.post("/invoices/{invoice_id}/cancel")
def cancel(
    invoice_id: int,
    body: ReasonIn,
    principal: Principal = Depends(require(Permission.BILLING_REFUND)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        invoice = invoices.cancel_invoice(session, principal, invoice_id, body.reason)
        audit.record(
            session,
            principal,
            "billing.cancel",
            patient_id=invoice.patient_id,
            detail={"invoice": invoice.id, "reason": invoice.void_reason},
        )
        return invoice_out(session, invoice)


@router.get("/payments/review")
def to_review(
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        return {
            "payments": [payment_out(p) for p in payments.payments_to_review(session, principal)]
        }


@router.post("/payments/{payment_id}/reviewed")
def reviewed(
    payment_id: int,
    body: ReviewIn,
    principal: Principal = Depends(require(Permission.BILLING_COLLECT)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        return payment_out(payments.mark_reviewed(session, principal, payment_id, body.note))


@router.post("/payments/{payment_id}/refunds", status_code=201)
def refund(
    payment_id: int,
    body: RefundIn,
    principal: Principal = Depends(require(Permission.BILLING_REFUND)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        done = refunds.refund_payment(
            session, principal, payment_id, body.amount_vnd, body.reason, body.method
        )
        payment = payments.payment_for(session, principal, payment_id)
        return {
            "refund": {
                "id": done.id,
                "amount_vnd": done.amount_vnd,
                "method": done.method,
                "reason": done.reason,
                "refunded_by": done.refunded_by,
                "refunded_at": done.refunded_at.isoformat(),
            },
            "payment": payment_out(payment),
        }


@router.get("/payments/{payment_id}/receipt.pdf")
def receipt(
    payment_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        payment = payments.payment_for(session, principal, payment_id)
        rows = receipt_rows(session, request.app.state.settings, payment)
        audit.record(
            session,
            principal,
            "billing.receipt",
            patient_id=payment.patient_id,
            detail={"payment": payment.id},
        )
    return Response(
        receipt_pdf(rows, f"Biên lai {payment.receipt_number}"),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{payment.receipt_number}.pdf"'},
    )


@router.get("/day-end")
def day_end_report(
    day: date | None = None,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        chosen = day or invoices.hospital_day(invoices.utcnow())
        return day_end_json(day_end(session, principal, chosen))
