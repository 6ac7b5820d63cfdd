"""examinations: an index for the day's follow-up list of the examination rooms

Revision ID: 0017_follow_up_index
Revises: 0016_ward_drug_charges
"""

from __future__ import annotations

from alembic import op

revision = "0017_follow_up_index"
down_revision = "0016_ward_drug_charges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_examinations_follow_up", "examinations", ["facility_code", "follow_up_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_examinations_follow_up", table_name="examinations")
