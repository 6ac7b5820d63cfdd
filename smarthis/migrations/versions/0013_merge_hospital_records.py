"""merge consultations, documents, inpatient, pharmacy stock and staff branches

Revision ID: 0013_merge
Revises: 0012_consultations, 0012_documents, 0012_inpatient, 0012_pharmacy_stock, 0012_staff
"""

from __future__ import annotations

revision = "0013_merge"
down_revision = (
    "0012_consultations",
    "0012_documents",
    "0012_inpatient",
    "0012_pharmacy_stock",
    "0012_staff",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
