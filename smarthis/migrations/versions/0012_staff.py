"""staff: profiles (title, department, practising certificate) and the rooms' duty plan

Revision ID: 0012_staff
Revises: 0011_merge
Create Date: 2026-11-26 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0012_staff"
down_revision = "0011_merge"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_profiles",
        sa.Column("id", _ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("staff_id", _ID, nullable=False),
        sa.Column("title", sa.String(length=16), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("specialty", sa.String(length=100), nullable=True),
        sa.Column("certificate_number", sa.String(length=32), nullable=True),
        sa.Column("updated_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_profiles_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_profiles")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_staff_profiles_staff_id")),
        sa.UniqueConstraint(
            "facility_code",
            "certificate_number",
            name=op.f("uq_staff_profiles_facility_code_certificate_number"),
        ),
    )
    op.create_table(
        "staff_schedules",
        sa.Column("id", _ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("staff_id", _ID, nullable=False),
        sa.Column("room_code", sa.String(length=32), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        sa.Column("starts_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "shift IN ('morning', 'afternoon', 'night')", name=op.f("ck_staff_schedules_shift")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_staff_schedules_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_schedules_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_schedules")),
        sa.UniqueConstraint(
            "facility_code",
            "staff_id",
            "work_date",
            "shift",
            name=op.f("uq_staff_schedules_facility_code_staff_id_work_date_shift"),
        ),
    )
    with op.batch_alter_table("staff_schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staff_schedules_day", ["facility_code", "work_date", "room_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staff_schedules_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_schedules_staff_id"))
        batch_op.drop_index("ix_staff_schedules_day")
    op.drop_table("staff_schedules")
    op.drop_table("staff_profiles")
