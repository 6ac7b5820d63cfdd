"""dicom: imaging procedures (worklist), studies linked from Orthanc, the changes-feed
cursor and the DICOM traffic log

Revision ID: 0008_dicom
Revises: 0007_prescriptions
Create Date: 2026-11-26 07:42:45.977852
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0008_dicom"
down_revision = "0007_prescriptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dicom_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("calling_ae", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dicom_events")),
    )
    with op.batch_alter_table("dicom_events", schema=None) as batch_op:
        batch_op.create_index("ix_dicom_events_recent", ["facility_code", "id"], unique=False)

    op.create_table(
        "pacs_cursors",
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("updated_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failing_since", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("facility_code", name=op.f("pk_pacs_cursors")),
    )
    op.create_table(
        "imaging_procedures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column(
            "order_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("accession_number", sa.String(length=16), nullable=False),
        sa.Column("modality", sa.String(length=4), nullable=False),
        sa.Column("point_code", sa.String(length=32), nullable=False),
        sa.Column("scheduled_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("images_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_imaging_procedures_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_imaging_procedures_order_item_id_order_items"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_imaging_procedures_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_imaging_procedures_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_procedures")),
        sa.UniqueConstraint(
            "facility_code",
            "accession_number",
            name=op.f("uq_imaging_procedures_facility_code_accession_number"),
        ),
        sa.UniqueConstraint("order_item_id", name=op.f("uq_imaging_procedures_order_item_id")),
    )
    with op.batch_alter_table("imaging_procedures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_imaging_procedures_modality",
            ["facility_code", "modality", "scheduled_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_imaging_procedures_station",
            ["facility_code", "point_code", "scheduled_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_imaging_procedures_visit", ["facility_code", "visit_id"], unique=False
        )

    op.create_table(
        "imaging_studies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("orthanc_study_id", sa.String(length=64), nullable=False),
        sa.Column("study_instance_uid", sa.String(length=64), nullable=False),
        sa.Column("accession_number", sa.String(length=16), nullable=False),
        sa.Column(
            "order_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "procedure_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("series_count", sa.Integer(), nullable=False),
        sa.Column("instances_count", sa.Integer(), nullable=False),
        sa.Column("first_series_id", sa.String(length=64), nullable=True),
        sa.Column("preview_instance_id", sa.String(length=64), nullable=True),
        sa.Column("received_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_imaging_studies_order_item_id_order_items"),
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["imaging_procedures.id"],
            name=op.f("fk_imaging_studies_procedure_id_imaging_procedures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_studies")),
        sa.UniqueConstraint(
            "facility_code",
            "orthanc_study_id",
            name=op.f("uq_imaging_studies_facility_code_orthanc_study_id"),
        ),
    )
    with op.batch_alter_table("imaging_studies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_imaging_studies_accession", ["facility_code", "accession_number"], unique=False
        )
        batch_op.create_index("ix_imaging_studies_item", ["order_item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imaging_studies", schema=None) as batch_op:
        batch_op.drop_index("ix_imaging_studies_item")
        batch_op.drop_index("ix_imaging_studies_accession")

    op.drop_table("imaging_studies")
    with op.batch_alter_table("imaging_procedures", schema=None) as batch_op:
        batch_op.drop_index("ix_imaging_procedures_visit")
        batch_op.drop_index("ix_imaging_procedures_station")
        batch_op.drop_index("ix_imaging_procedures_modality")

    op.drop_table("imaging_procedures")
    op.drop_table("pacs_cursors")
    with op.batch_alter_table("dicom_events", schema=None) as batch_op:
        batch_op.drop_index("ix_dicom_events_recent")

    op.drop_table("dicom_events")
