"""claims: status of each visit's XML 130 check-in and claim with the BHXH portal

Revision ID: 0009_claims
Revises: 0007_prescriptions
Create Date: 2026-11-26 08:12:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0009_claims"
down_revision = "0007_prescriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("document", sa.String(length=8), nullable=False),
        sa.Column("ma_lk", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("xml_digest", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("transaction_code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'accepted', 'rejected')",
            name=op.f("ck_claim_submissions_status"),
        ),
        sa.CheckConstraint(
            "document IN ('checkin', 'claim')", name=op.f("ck_claim_submissions_document")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_claim_submissions_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_submissions")),
        sa.UniqueConstraint(
            "facility_code",
            "ma_lk",
            "document",
            name=op.f("uq_claim_submissions_facility_code_ma_lk_document"),
        ),
    )
    with op.batch_alter_table("claim_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_submissions_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_submissions_visit_id"), ["visit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_submissions_visit_id"))
        batch_op.drop_index("ix_claim_submissions_due")
    op.drop_table("claim_submissions")
