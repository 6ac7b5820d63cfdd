"""merge the LIS, DICOM, billing, claims and search-index branches

Revision ID: 0011_merge
Revises: 0008_hl7_outbox, 0008_dicom, 0009_billing, 0009_claims, 0010_search_indexes
"""

from __future__ import annotations

revision = "0011_merge"
down_revision = (
    "0008_hl7_outbox",
    "0008_dicom",
    "0009_billing",
    "0009_claims",
    "0010_search_indexes",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
