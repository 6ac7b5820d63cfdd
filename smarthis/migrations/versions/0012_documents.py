"""documents: the patient's registry of signed PDFs and their signatures

Revision ID: 0012_documents
Revises: 0011_merge
Create Date: 2026-11-26 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0012_documents"
down_revision = "0011_merge"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", _ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("patient_id", _ID, nullable=False),
        sa.Column("visit_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("series_key", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", _ID, nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("original_sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_documents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["documents.id"], name=op.f("fk_documents_supersedes_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_documents_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("series_key", "version", name=op.f("uq_documents_series_key_version")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_documents_supersedes_id")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_documents_facility_patient", ["facility_code", "patient_id"], unique=False
        )

    op.create_table(
        "document_signatures",
        sa.Column("id", _ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field_name", sa.String(length=100), nullable=False),
        sa.Column("staff_login", sa.String(length=64), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.String(length=32), nullable=False),
        sa.Column("signed_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("certificate_serial", sa.String(length=64), nullable=False),
        sa.Column("signed_length", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_signatures_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_signatures")),
        sa.UniqueConstraint(
            "document_id", "field_name", name=op.f("uq_document_signatures_document_id_field_name")
        ),
        sa.UniqueConstraint(
            "document_id", "position", name=op.f("uq_document_signatures_document_id_position")
        ),
    )


def downgrade() -> None:
    op.drop_table("document_signatures")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_facility_patient")
    op.drop_table("documents")
