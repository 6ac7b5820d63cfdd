"""queue: areas, service points, tickets, events

Revision ID: 0002_queue
Revises: 0001_foundation
Create Date: 2026-11-26 05:03:23.124201
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0002_queue"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_announcements",
        sa.Column(
            "event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("device_code", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_queue_announcements")),
    )
    op.create_table(
        "queue_areas",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_areas")),
        sa.UniqueConstraint(
            "facility_code", "code", name=op.f("uq_queue_areas_facility_code_code")
        ),
    )
    op.create_table(
        "queue_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("service_point_code", sa.String(length=32), nullable=False),
        sa.Column(
            "ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_events")),
    )
    with op.batch_alter_table("queue_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_events_area", ["facility_code", "area_code", "id"], unique=False
        )

    op.create_table(
        "queue_policies",
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("priority_calls_per_normal", sa.Integer(), nullable=False),
        sa.Column("skip_back_after_minutes", sa.Integer(), nullable=False),
        sa.Column("max_skips", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("facility_code", name=op.f("pk_queue_policies")),
    )
    op.create_table(
        "service_points",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("specialty", sa.String(length=100), nullable=True),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("queue_group", sa.String(length=32), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("room_label", sa.String(length=16), nullable=False),
        sa.Column("floor", sa.String(length=32), nullable=True),
        sa.Column("default_service_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("priority_streak", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_points")),
        sa.UniqueConstraint(
            "facility_code", "code", name=op.f("uq_service_points_facility_code_code")
        ),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("queue_group", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("display_number", sa.String(length=16), nullable=False),
        sa.Column("service_point_code", sa.String(length=32), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("masked_name", sa.String(length=100), nullable=True),
        sa.Column("call_name", sa.String(length=100), nullable=True),
        sa.Column("priority_group", sa.String(length=24), nullable=True),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("called_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("call_count", sa.Integer(), nullable=False),
        sa.Column("skip_count", sa.Integer(), nullable=False),
        sa.Column("back_in_queue_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expected_wait_minutes", sa.Integer(), nullable=True),
        sa.Column("return_to_point_code", sa.String(length=32), nullable=True),
        sa.Column(
            "previous_ticket_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("issued_via", sa.String(length=16), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("lookup_token", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("insurance_status_vi", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_tickets_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["previous_ticket_id"],
            ["tickets.id"],
            name=op.f("fk_tickets_previous_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_tickets_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint(
            "facility_code",
            "service_day",
            "queue_group",
            "number",
            name=op.f("uq_tickets_facility_code_service_day_queue_group_number"),
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_tickets_idempotency_key")),
        sa.UniqueConstraint("lookup_token", name=op.f("uq_tickets_lookup_token")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_point_status",
            ["facility_code", "service_point_code", "status"],
            unique=False,
        )
        batch_op.create_index("ix_tickets_visit", ["visit_id"], unique=False)

    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registered_via", sa.String(length=16), nullable=False, server_default="reception"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("registered_via")

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_visit")
        batch_op.drop_index("ix_tickets_point_status")

    op.drop_table("tickets")
    op.drop_table("service_points")
    op.drop_table("queue_policies")
    with op.batch_alter_table("queue_events", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_events_area")

    op.drop_table("queue_events")
    op.drop_table("queue_areas")
    op.drop_table("queue_announcements")
