"""billing: charges, invoices and their lines, payments (cash, card, VietQR), refunds

Revision ID: 0009_billing
Revises: 0007_prescriptions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0009_billing"
down_revision = "0007_prescriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_charges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source_kind", sa.String(length=24), nullable=False),
        sa.Column(
            "source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column("national_code", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("hospital_price_vnd", sa.BigInteger(), nullable=False),
        sa.Column("insurance_price_vnd", sa.BigInteger(), nullable=False),
        sa.Column("cost_group", sa.Integer(), nullable=False),
        sa.Column("ratio_service", sa.Integer(), nullable=False),
        sa.Column("ratio_insurance", sa.Integer(), nullable=False),
        sa.Column("in_benefit_list", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("cancelled_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_billing_charges_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_billing_charges_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_charges")),
        sa.UniqueConstraint(
            "source_kind", "source_id", name=op.f("uq_billing_charges_source_kind_source_id")
        ),
    )
    op.create_index(
        op.f("ix_billing_charges_patient_id"), "billing_charges", ["patient_id"], unique=False
    )
    op.create_index(
        "ix_billing_charges_visit", "billing_charges", ["facility_code", "visit_id"], unique=False
    )
    op.create_table(
        "billing_invoices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("invoice_number", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payment_reference", sa.String(length=25), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("benefit_level", sa.Integer(), nullable=True),
        sa.Column("muc_huong", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("copay_paid_before", sa.BigInteger(), nullable=False),
        sa.Column("hospital_total", sa.BigInteger(), nullable=False),
        sa.Column("insurance_scope_total", sa.BigInteger(), nullable=False),
        sa.Column("fund_pays", sa.BigInteger(), nullable=False),
        sa.Column("patient_copay", sa.BigInteger(), nullable=False),
        sa.Column("patient_self_pay", sa.BigInteger(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("paid_vnd", sa.BigInteger(), nullable=False),
        sa.Column("explanation_vi", sa.Text(), nullable=False),
        sa.Column("warnings_vi", sa.Text(), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("paid_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("voided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_billing_invoices_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_billing_invoices_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoices")),
        sa.UniqueConstraint(
            "facility_code",
            "invoice_number",
            "version",
            name=op.f("uq_billing_invoices_facility_code_invoice_number_version"),
        ),
        sa.UniqueConstraint(
            "payment_reference", name=op.f("uq_billing_invoices_payment_reference")
        ),
    )
    op.create_index(
        "ix_billing_invoices_patient",
        "billing_invoices",
        ["facility_code", "patient_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_billing_invoices_visit", "billing_invoices", ["facility_code", "visit_id"], unique=False
    )
    op.create_table(
        "billing_invoice_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column(
            "invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "charge_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("cost_group", sa.Integer(), nullable=False),
        sa.Column("hospital_amount", sa.BigInteger(), nullable=False),
        sa.Column("insurance_scope", sa.BigInteger(), nullable=False),
        sa.Column("fund_pays", sa.BigInteger(), nullable=False),
        sa.Column("patient_copay", sa.BigInteger(), nullable=False),
        sa.Column("patient_self_pay", sa.BigInteger(), nullable=False),
        sa.Column("explanation_vi", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["billing_charges.id"],
            name=op.f("fk_billing_invoice_lines_charge_id_billing_charges"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoices.id"],
            name=op.f("fk_billing_invoice_lines_invoice_id_billing_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoice_lines")),
    )
    op.create_index(
        "ix_billing_invoice_lines_invoice",
        "billing_invoice_lines",
        ["invoice_id", "position"],
        unique=False,
    )
    op.create_table(
        "billing_payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column(
            "invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("refunded_vnd", sa.BigInteger(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_reason", sa.String(length=32), nullable=True),
        sa.Column("receipt_number", sa.String(length=16), nullable=True),
        sa.Column("bank_transaction_id", sa.String(length=64), nullable=True),
        sa.Column("bank_description", sa.Text(), nullable=True),
        sa.Column("card_reference", sa.String(length=64), nullable=True),
        sa.Column("received_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoices.id"],
            name=op.f("fk_billing_payments_invoice_id_billing_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_billing_payments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_billing_payments_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payments")),
        sa.UniqueConstraint(
            "bank_transaction_id", name=op.f("uq_billing_payments_bank_transaction_id")
        ),
        sa.UniqueConstraint(
            "facility_code",
            "receipt_number",
            name=op.f("uq_billing_payments_facility_code_receipt_number"),
        ),
    )
    op.create_index(
        "ix_billing_payments_day",
        "billing_payments",
        ["facility_code", "received_at"],
        unique=False,
    )
    op.create_index("ix_billing_payments_invoice", "billing_payments", ["invoice_id"], unique=False)
    op.create_table(
        "billing_refunds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refunded_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("refunded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["billing_invoices.id"],
            name=op.f("fk_billing_refunds_invoice_id_billing_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["billing_payments.id"],
            name=op.f("fk_billing_refunds_payment_id_billing_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_refunds")),
    )
    op.create_index(
        "ix_billing_refunds_day", "billing_refunds", ["facility_code", "refunded_at"], unique=False
    )
    op.create_index(
        op.f("ix_billing_refunds_payment_id"), "billing_refunds", ["payment_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_billing_refunds_payment_id"), table_name="billing_refunds")
    op.drop_index("ix_billing_refunds_day", table_name="billing_refunds")
    op.drop_table("billing_refunds")
    op.drop_index("ix_billing_payments_invoice", table_name="billing_payments")
    op.drop_index("ix_billing_payments_day", table_name="billing_payments")
    op.drop_table("billing_payments")
    op.drop_index("ix_billing_invoice_lines_invoice", table_name="billing_invoice_lines")
    op.drop_table("billing_invoice_lines")
    op.drop_index("ix_billing_invoices_visit", table_name="billing_invoices")
    op.drop_index("ix_billing_invoices_patient", table_name="billing_invoices")
    op.drop_table("billing_invoices")
    op.drop_index("ix_billing_charges_visit", table_name="billing_charges")
    op.drop_index(op.f("ix_billing_charges_patient_id"), table_name="billing_charges")
    op.drop_table("billing_charges")
