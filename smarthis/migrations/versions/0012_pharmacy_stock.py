"""pharmacy stock: drug lots (never below zero), dispensings and the lots they took

Revision ID: 0012_pharmacy_stock
Revises: 0011_merge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0012_pharmacy_stock"
down_revision = "0011_merge"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pharmacy_drug_lots",
        sa.Column("id", ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("drug_code", sa.String(length=32), nullable=False),
        sa.Column("lot_number", sa.String(length=40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("quantity_on_hand", sa.Integer(), nullable=False),
        sa.Column("quantity_received", sa.Integer(), nullable=False),
        sa.Column("unit_cost_vnd", sa.BigInteger(), nullable=True),
        sa.Column("received_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "quantity_on_hand >= 0",
            name=op.f("ck_pharmacy_drug_lots_quantity_on_hand_not_negative"),
        ),
        sa.CheckConstraint(
            "quantity_received > 0",
            name=op.f("ck_pharmacy_drug_lots_quantity_received_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacy_drug_lots")),
        sa.UniqueConstraint(
            "facility_code",
            "drug_code",
            "lot_number",
            name=op.f("uq_pharmacy_drug_lots_facility_code_drug_code_lot_number"),
        ),
    )
    op.create_index(
        "ix_pharmacy_drug_lots_fefo",
        "pharmacy_drug_lots",
        ["facility_code", "drug_code", "expiry_date"],
        unique=False,
    )
    op.create_table(
        "pharmacy_dispensings",
        sa.Column("id", ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("prescription_id", ID, nullable=False),
        sa.Column("visit_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("dispensed_by", sa.String(length=100), nullable=False),
        sa.Column("dispensed_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_pharmacy_dispensings_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_pharmacy_dispensings_prescription_id_prescriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_pharmacy_dispensings_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacy_dispensings")),
        sa.UniqueConstraint(
            "prescription_id", name=op.f("uq_pharmacy_dispensings_prescription_id")
        ),
    )
    op.create_index(
        "ix_pharmacy_dispensings_visit",
        "pharmacy_dispensings",
        ["facility_code", "visit_id"],
        unique=False,
    )
    op.create_table(
        "pharmacy_dispensed_items",
        sa.Column("id", ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("dispensing_id", ID, nullable=False),
        sa.Column("prescription_item_id", ID, nullable=False),
        sa.Column("lot_id", ID, nullable=False),
        sa.Column("drug_code", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_pharmacy_dispensed_items_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["dispensing_id"],
            ["pharmacy_dispensings.id"],
            name=op.f("fk_pharmacy_dispensed_items_dispensing_id_pharmacy_dispensings"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["pharmacy_drug_lots.id"],
            name=op.f("fk_pharmacy_dispensed_items_lot_id_pharmacy_drug_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["prescription_item_id"],
            ["prescription_items.id"],
            name=op.f("fk_pharmacy_dispensed_items_prescription_item_id_prescription_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacy_dispensed_items")),
        sa.UniqueConstraint(
            "prescription_item_id",
            "lot_id",
            name=op.f("uq_pharmacy_dispensed_items_prescription_item_id_lot_id"),
        ),
    )
    op.create_index(
        "ix_pharmacy_dispensed_items_dispensing",
        "pharmacy_dispensed_items",
        ["dispensing_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pharmacy_dispensed_items_lot_id"),
        "pharmacy_dispensed_items",
        ["lot_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pharmacy_dispensed_items_lot_id"), table_name="pharmacy_dispensed_items")
    op.drop_index("ix_pharmacy_dispensed_items_dispensing", table_name="pharmacy_dispensed_items")
    op.drop_table("pharmacy_dispensed_items")
    op.drop_index("ix_pharmacy_dispensings_visit", table_name="pharmacy_dispensings")
    op.drop_table("pharmacy_dispensings")
    op.drop_index("ix_pharmacy_drug_lots_fefo", table_name="pharmacy_drug_lots")
    op.drop_table("pharmacy_drug_lots")
