"""merge the examination and orders branches

Revision ID: 0006_merge
Revises: 0005_examination, 0005_orders
"""

from __future__ import annotations

revision = "0006_merge"
down_revision = ("0005_examination", "0005_orders")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
