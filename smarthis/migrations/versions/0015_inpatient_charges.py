"""inpatient: bed days and medical supplies used on the ward (the sources of their charges)

Revision ID: 0015_inpatient_charges
Revises: 0014_visit_category
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0015_inpatient_charges"
down_revision = "0014_visit_category"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inpatient_bed_days",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ward_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bed_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bed_id"],
            ["inpatient_beds.id"],
            name=op.f("fk_inpatient_bed_days_bed_id_inpatient_beds"),
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_bed_days_stay_id_inpatient_stays"),
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"],
            ["inpatient_wards.id"],
            name=op.f("fk_inpatient_bed_days_ward_id_inpatient_wards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_bed_days")),
        sa.UniqueConstraint("stay_id", "day", name=op.f("uq_inpatient_bed_days_stay_id_day")),
    )
    with op.batch_alter_table("inpatient_bed_days", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inpatient_bed_days_stay_id"), ["stay_id"], unique=False
        )

    op.create_table(
        "inpatient_supply_uses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("supply_code", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("used_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_supply_uses_stay_id_inpatient_stays"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_supply_uses")),
    )
    with op.batch_alter_table("inpatient_supply_uses", schema=None) as batch_op:
        batch_op.create_index("ix_inpatient_supply_uses_stay", ["stay_id", "used_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inpatient_supply_uses", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_supply_uses_stay")

    op.drop_table("inpatient_supply_uses")
    with op.batch_alter_table("inpatient_bed_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inpatient_bed_days_stay_id"))

    op.drop_table("inpatient_bed_days")
