"""inpatient: the catalogue drug and the units of a dose given on the ward (its charge)

Revision ID: 0016_ward_drug_charges
Revises: 0015_inpatient_charges
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_ward_drug_charges"
down_revision = "0015_inpatient_charges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inpatient_medication_administrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drug_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("quantity", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inpatient_medication_administrations", schema=None) as batch_op:
        batch_op.drop_column("quantity")
        batch_op.drop_column("drug_code")
