"""kiosk printer target

Revision ID: 0003_kiosk_printer
Revises: 0002_queue
Create Date: 2026-11-26 05:08:12.994027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_kiosk_printer"
down_revision = "0002_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printer_target", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("printer_target")
