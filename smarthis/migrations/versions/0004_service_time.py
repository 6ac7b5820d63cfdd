"""live service time per point

Revision ID: 0004_service_time
Revises: 0003_kiosk_printer
Create Date: 2026-11-26 05:55:43.010037
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_service_time"
down_revision = "0003_kiosk_printer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_seconds_mean", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("services_measured", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("service_points", schema=None) as batch_op:
        batch_op.drop_column("services_measured")
        batch_op.drop_column("service_seconds_mean")
