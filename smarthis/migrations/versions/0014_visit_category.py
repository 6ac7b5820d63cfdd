"""visits: the category (MA_DOITUONG_KCB) the doctor confirmed at the conclusion

Revision ID: 0014_visit_category
Revises: 0013_merge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_visit_category"
down_revision = "0013_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_category", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("category_confirmed_by", sa.String(length=100), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("category_confirmed_by")
        batch_op.drop_column("confirmed_category")
