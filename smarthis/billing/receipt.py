"""The payment receipt (biên lai thu tiền) as rows of text, in Vietnamese: what was paid,
for which care, what the insurance fund pays. One layout for the 80 mm thermal printer and
the PDF, so both say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from smarthis.billing.invoices import lines_of
from smarthis.billing.models import Invoice, Payment
from smarthis.billing.payments import METHOD_NAMES_VI
from smarthis.billing.presenters import money_vi
from smarthis.clinical.models import Visit
from smarthis.config import Settings
from smarthis.errors import Conflict
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ


@dataclass(frozen=True)
class ReceiptRow:
    left: str
    right: str = ""
    bold: bool = False
    size: int = 24  # printer dots (203 dpi); the PDF scales the same
    centred: bool = False


def receipt_rows(session: Session, settings: Settings, payment: Payment) -> list[ReceiptRow]:
    if payment.invoice_id is None or payment.receipt_number is None:
        raise Conflict(
            "receipt_unavailable",
            "Khoản tiền này chưa gắn với hoá đơn nên chưa có biên lai",
            "This payment is not on an invoice and has no receipt",
            field="payment_id",
        )
    invoice = session.get(Invoice, payment.invoice_id)
    assert invoice is not None
    visit = session.get(Visit, invoice.visit_id)
    patient = session.get(Patient, invoice.patient_id)
    assert visit is not None and patient is not None
    when = payment.received_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m/%Y")
    rows = [
        ReceiptRow(settings.facility_name.upper(), bold=True, size=22, centred=True),
        ReceiptRow(f"Mã cơ sở KCB: {settings.facility_code}", size=20, centred=True),
        ReceiptRow("BIÊN LAI THU TIỀN", bold=True, size=34, centred=True),
        ReceiptRow(f"Số: {payment.receipt_number}", size=22, centred=True),
        ReceiptRow(when, size=20, centred=True),
        ReceiptRow(f"Người bệnh: {patient.full_name}", bold=True),
        ReceiptRow(f"Mã BN: {patient.mrn}   Lượt khám: {visit.visit_number}", size=20),
        ReceiptRow(f"Hoá đơn: {invoice.invoice_number} (lần {invoice.version})", size=20),
    ]
    if invoice.benefit_level is not None:
        rows.append(
            ReceiptRow(f"Thẻ BHYT: {visit.bhyt_code} — mức hưởng {invoice.muc_huong:g}%", size=20)
        )
    rows.append(ReceiptRow("-" * 40, size=20, centred=True))
    for line in lines_of(session, invoice.id):
        patient_part = line.patient_copay + line.patient_self_pay
        rows.append(ReceiptRow(f"{line.name} × {line.quantity} {line.unit}", size=20))
        rows.append(
            ReceiptRow(
                f"BHYT trả {money_vi(line.fund_pays)}",
                f"NB trả {money_vi(patient_part)}",
                size=20,
            )
        )
    rows += [
        ReceiptRow("-" * 40, size=20, centred=True),
        ReceiptRow("Tổng chi phí", money_vi(invoice.hospital_total)),
        ReceiptRow("Quỹ BHYT chi trả", money_vi(invoice.fund_pays)),
        ReceiptRow("Người bệnh cùng chi trả", money_vi(invoice.patient_copay)),
        ReceiptRow("Người bệnh tự trả", money_vi(invoice.patient_self_pay)),
        ReceiptRow("ĐÃ THU", money_vi(payment.amount_vnd), bold=True, size=30),
        ReceiptRow(f"Hình thức: {METHOD_NAMES_VI.get(payment.method, payment.method)}", size=20),
    ]
    if payment.bank_transaction_id:
        rows.append(ReceiptRow(f"Mã giao dịch: {payment.bank_transaction_id}", size=20))
    cashier = "Kiosk / ngân hàng" if payment.received_by == "bank" else payment.received_by
    rows += [
        ReceiptRow(f"Người thu: {cashier}", size=20),
        ReceiptRow("Xin cảm ơn và chúc Quý khách mau khỏe!", size=20, centred=True),
    ]
    return rows
