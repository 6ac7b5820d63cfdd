"""outpatient examination: record, vital signs, diagnoses, visit steps

Revision ID: 0005_examination
Revises: 0004_service_time
Create Date: 2026-11-26 06:06:23.115786
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0005_examination"
down_revision = "0004_service_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "examinations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("history", sa.Text(), nullable=True),
        sa.Column("examination_notes", sa.Text(), nullable=True),
        sa.Column("started_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("concluded_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("concluded_by", sa.String(length=100), nullable=True),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("follow_up_date", sa.Date(), nullable=True),
        sa.Column("referral_to", sa.String(length=300), nullable=True),
        sa.Column("referral_reason", sa.Text(), nullable=True),
        sa.Column("advice", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_examinations_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examinations")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_examinations_visit_id")),
    )
    op.create_table(
        "visit_diagnoses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("icd_code", sa.String(length=10), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_diagnoses_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_diagnoses")),
        sa.UniqueConstraint(
            "visit_id", "icd_code", name=op.f("uq_visit_diagnoses_visit_id_icd_code")
        ),
    )
    with op.batch_alter_table("visit_diagnoses", schema=None) as batch_op:
        batch_op.create_index("ix_visit_diagnoses_visit", ["visit_id"], unique=False)

    op.create_table(
        "visit_steps",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_steps_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_steps")),
    )
    with op.batch_alter_table("visit_steps", schema=None) as batch_op:
        batch_op.create_index("ix_visit_steps_visit", ["visit_id", "at"], unique=False)

    op.create_table(
        "vital_signs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("measured_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("measured_by", sa.String(length=100), nullable=False),
        sa.Column("pulse", sa.Integer(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("systolic", sa.Integer(), nullable=True),
        sa.Column("diastolic", sa.Integer(), nullable=True),
        sa.Column("respiratory_rate", sa.Integer(), nullable=True),
        sa.Column("spo2", sa.Integer(), nullable=True),
        sa.Column("height_cm", sa.Float(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("bmi", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_vital_signs_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_signs")),
    )
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.create_index("ix_vital_signs_visit", ["visit_id", "measured_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.drop_index("ix_vital_signs_visit")

    op.drop_table("vital_signs")
    with op.batch_alter_table("visit_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_steps_visit")

    op.drop_table("visit_steps")
    with op.batch_alter_table("visit_diagnoses", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_diagnoses_visit")

    op.drop_table("visit_diagnoses")
    op.drop_table("examinations")
