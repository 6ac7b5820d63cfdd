"""Invoices, payments and visits as the JSON the cashier's and the kiosk's screens read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smarthis.billing.invoices import lines_of
from smarthis.billing.models import Invoice, Payment
from smarthis.billing.payments import (
    METHOD_NAMES_VI,
    REVIEW_REASONS_VI,
    payments_of_invoice,
    remaining,
)
from smarthis.clinical.models import Visit
from smarthis.patients.models import Patient
from smarthis.queueing.names import mask_name

INVOICE_STATUS_VI = {
    "open": "Chưa thanh toán",
    "paid": "Đã thanh toán",
    "voided": "Đã huỷ",
    "refunded": "Đã hoàn tiền",
}


def money_vi(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "invoice_id": payment.invoice_id,
        "method": payment.method,
        "method_vi": METHOD_NAMES_VI.get(payment.method, payment.method),
        "amount_vnd": payment.amount_vnd,
        "refunded_vnd": payment.refunded_vnd,
        "status": payment.status,
        "review_reason": payment.review_reason,
        "review_reason_vi": REVIEW_REASONS_VI.get(payment.review_reason or ""),
        "receipt_number": payment.receipt_number,
        "bank_transaction_id": payment.bank_transaction_id,
        "bank_description": payment.bank_description,
        "received_at": payment.received_at.isoformat(),
        "received_by": payment.received_by,
    }


def _number(value: Any) -> int | float:
    return int(value) if value == int(value) else float(value)


def invoice_out(
    session: Session, invoice: Invoice, *, with_payments: bool = True
) -> dict[str, Any]:
    lines = lines_of(session, invoice.id)
    return {
        "id": invoice.id,
        "visit_id": invoice.visit_id,
        "invoice_number": invoice.invoice_number,
        "version": invoice.version,
        "payment_reference": invoice.payment_reference,
        "status": invoice.status,
        "status_vi": INVOICE_STATUS_VI.get(invoice.status, invoice.status),
        "category": invoice.category,
        "benefit_level": invoice.benefit_level,
        "muc_huong": _number(invoice.muc_huong),
        "totals": {
            "hospital_total": invoice.hospital_total,
            "insurance_scope_total": invoice.insurance_scope_total,
            "fund_pays": invoice.fund_pays,
            "patient_copay": invoice.patient_copay,
            "patient_self_pay": invoice.patient_self_pay,
        },
        "amount_due": invoice.amount_due,
        "paid_vnd": invoice.paid_vnd,
        "remaining_vnd": remaining(invoice) if invoice.status == "open" else 0,
        "explanation_vi": invoice.explanation_vi,
        "warnings_vi": [w for w in invoice.warnings_vi.split("\n") if w],
        "created_at": invoice.created_at.isoformat(),
        "paid_at": invoice.paid_at.isoformat() if invoice.paid_at else None,
        "lines": [
            {
                "name": line.name,
                "quantity": line.quantity,
                "unit": line.unit,
                "cost_group": line.cost_group,
                "hospital_amount": line.hospital_amount,
                "insurance_scope": line.insurance_scope,
                "fund_pays": line.fund_pays,
                "patient_copay": line.patient_copay,
                "patient_self_pay": line.patient_self_pay,
                "explanation_vi": line.explanation_vi,
            }
            for line in lines
        ],
        "payments": [payment_out(p) for p in payments_of_invoice(session, invoice.id)]
        if with_payments
        else [],
    }


def visit_out(visit: Visit, patient: Patient, *, masked: bool = False) -> dict[str, Any]:
    return {
        "id": visit.id,
        "visit_number": visit.visit_number,
        "registered_at": visit.registered_at.isoformat(),
        "status": visit.status,
        "uses_insurance": visit.uses_insurance,
        "card_check_status": visit.card_check_status,
        "bhyt_code": None if masked else visit.bhyt_code,
        "patient": {
            "id": patient.id,
            "name": mask_name(patient.full_name) if masked else patient.full_name,
            "mrn": patient.mrn,
            "date_of_birth": None
            if masked or patient.date_of_birth is None
            else patient.date_of_birth.isoformat(),
        },
    }
