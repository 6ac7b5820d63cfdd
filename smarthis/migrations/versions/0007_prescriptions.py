"""prescriptions: the visit's prescription and its drugs

Revision ID: 0007_prescriptions
Revises: 0006_merge
Create Date: 2026-11-26 06:20:04.105132
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0007_prescriptions"
down_revision = "0006_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("prescribed_by", sa.String(length=100), nullable=False),
        sa.Column("prescribed_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("diagnosis_text", sa.Text(), nullable=True),
        sa.Column("advice", sa.Text(), nullable=True),
        sa.Column("issued_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_prescriptions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_prescriptions_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescriptions")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_prescriptions_visit_id")),
    )
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prescriptions_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "prescription_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column(
            "prescription_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("drug_code", sa.String(length=32), nullable=False),
        sa.Column("active_ingredient", sa.String(length=300), nullable=False),
        sa.Column("strength", sa.String(length=100), nullable=False),
        sa.Column("brand_name", sa.String(length=200), nullable=True),
        sa.Column("dosage_form", sa.String(length=60), nullable=False),
        sa.Column("route", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("unit_price_vnd", sa.Integer(), nullable=False),
        sa.Column("insurance_covered", sa.Boolean(), nullable=False),
        sa.Column("insurance_ratio", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_prescription_items_prescription_id_prescriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescription_items")),
    )
    with op.batch_alter_table("prescription_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prescription_items_prescription", ["prescription_id", "position"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prescription_items", schema=None) as batch_op:
        batch_op.drop_index("ix_prescription_items_prescription")

    op.drop_table("prescription_items")
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prescriptions_patient_id"))

    op.drop_table("prescriptions")
