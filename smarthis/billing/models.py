"""Billing tables: charges (what was done), invoices (who pays what of them), payments
(cash, card, VietQR bank transfers) and refunds. Money is whole VND everywhere.

Invoices are never edited once paid: a change of charges before payment voids the open
invoice and writes the next version; a refund is a row of its own."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Charge(Base):
    """One billable thing done for a visit: the examination, an ordered service, a drug.

    `source_kind` + `source_id` name the row that caused it (examination, order item,
    prescription item); unique, so a hook called twice charges once."""

    __tablename__ = "billing_charges"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id"),
        Index("ix_billing_charges_visit", "facility_code", "visit_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    source_kind: Mapped[str] = mapped_column(String(24))  # examination | order_item | drug
    source_id: Mapped[int] = mapped_column(BigId)
    item_code: Mapped[str] = mapped_column(String(32))  # our service or drug code
    national_code: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    hospital_price_vnd: Mapped[int] = mapped_column(BigInteger)
    insurance_price_vnd: Mapped[int] = mapped_column(BigInteger)  # 0: the fund pays none
    cost_group: Mapped[int] = mapped_column(Integer)  # MA_NHOM of XML 130
    ratio_service: Mapped[int] = mapped_column(Integer, default=100)  # TYLE_TT_DV
    ratio_insurance: Mapped[int] = mapped_column(Integer, default=100)  # TYLE_TT_BH
    in_benefit_list: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class Invoice(Base):
    """The visit's bill as computed from its active charges at one moment (one version).

    open -> paid (fully paid), or voided (charges changed before payment, or cancelled
    with a reason), or refunded (money given back after payment)."""

    __tablename__ = "billing_invoices"
    __table_args__ = (
        UniqueConstraint("facility_code", "invoice_number", "version"),
        UniqueConstraint("payment_reference"),
        Index("ix_billing_invoices_visit", "facility_code", "visit_id"),
        Index("ix_billing_invoices_patient", "facility_code", "patient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    invoice_number: Mapped[str] = mapped_column(String(16))  # yymmdd + 5 digits, per day
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Carried in the VietQR transfer's purpose; the bank's notification quotes it back.
    payment_reference: Mapped[str] = mapped_column(String(25))
    status: Mapped[str] = mapped_column(String(12), default="open")
    category: Mapped[str] = mapped_column(String(8))  # MA_DOITUONG_KCB used for the split
    benefit_level: Mapped[int | None] = mapped_column(Integer)
    muc_huong: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # MUC_HUONG
    copay_paid_before: Mapped[int] = mapped_column(BigInteger, default=0)
    hospital_total: Mapped[int] = mapped_column(BigInteger)
    insurance_scope_total: Mapped[int] = mapped_column(BigInteger)
    fund_pays: Mapped[int] = mapped_column(BigInteger)
    patient_copay: Mapped[int] = mapped_column(BigInteger)
    patient_self_pay: Mapped[int] = mapped_column(BigInteger)
    amount_due: Mapped[int] = mapped_column(BigInteger)  # copay + self-pay
    paid_vnd: Mapped[int] = mapped_column(BigInteger, default=0)  # net of refunds
    explanation_vi: Mapped[str] = mapped_column(Text)
    warnings_vi: Mapped[str] = mapped_column(Text, default="")  # one warning per line
    # What the split was computed from: a different digest means recompute (if unpaid).
    inputs_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by: Mapped[str | None] = mapped_column(String(100))


class InvoiceLine(Base):
    __tablename__ = "billing_invoice_lines"
    __table_args__ = (Index("ix_billing_invoice_lines_invoice", "invoice_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("billing_invoices.id"))
    charge_id: Mapped[int] = mapped_column(ForeignKey("billing_charges.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    cost_group: Mapped[int] = mapped_column(Integer)
    hospital_amount: Mapped[int] = mapped_column(BigInteger)
    insurance_scope: Mapped[int] = mapped_column(BigInteger)
    fund_pays: Mapped[int] = mapped_column(BigInteger)
    patient_copay: Mapped[int] = mapped_column(BigInteger)
    patient_self_pay: Mapped[int] = mapped_column(BigInteger)
    explanation_vi: Mapped[str] = mapped_column(Text)


class Payment(Base):
    """Money received: at the cashier (cash, card) or by bank transfer (VietQR webhook).

    A bank transfer is unique by the bank's transaction id, so a replayed notification
    pays once. `status` is confirmed, needs_review (partial, over-paid, unknown reference,
    invoice no longer open: the cashier decides) or reviewed (the cashier has seen it)."""

    __tablename__ = "billing_payments"
    __table_args__ = (
        UniqueConstraint("bank_transaction_id"),
        UniqueConstraint("facility_code", "receipt_number"),
        Index("ix_billing_payments_invoice", "invoice_id"),
        Index("ix_billing_payments_day", "facility_code", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoices.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    method: Mapped[str] = mapped_column(String(12))  # cash | card | vietqr
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    refunded_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    # False: the money is not counted on the invoice (unknown reference, invoice already
    # settled): it waits for the cashier to refund or re-assign it.
    applied: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    review_reason: Mapped[str | None] = mapped_column(String(32))
    receipt_number: Mapped[str | None] = mapped_column(String(16))
    bank_transaction_id: Mapped[str | None] = mapped_column(String(64))
    bank_description: Mapped[str | None] = mapped_column(Text)  # the transfer's text
    card_reference: Mapped[str | None] = mapped_column(String(64))  # POS approval code
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_by: Mapped[str] = mapped_column(String(100))  # cashier login, or "bank"
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))


class Refund(Base):
    """Money given back, with the reason and who did it (also in the audit log)."""

    __tablename__ = "billing_refunds"
    __table_args__ = (Index("ix_billing_refunds_day", "facility_code", "refunded_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    payment_id: Mapped[int] = mapped_column(ForeignKey("billing_payments.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoices.id"))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(12))  # cash | card | transfer
    reason: Mapped[str] = mapped_column(Text)
    refunded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    refunded_by: Mapped[str] = mapped_column(String(100))
