"""hl7 outbox: the generic transactional outbox, the HL7 inbound log, LIS filler numbers

Revision ID: 0008_hl7_outbox
Revises: 0007_prescriptions
Create Date: 2026-11-26 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0008_hl7_outbox"
down_revision = "0007_prescriptions"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("message_type", sa.String(length=32), nullable=False),
        sa.Column("message_control_id", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acked_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint(
            "message_control_id", name=op.f("uq_outbox_messages_message_control_id")
        ),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_channel"), ["channel"], unique=False)
        batch_op.create_index("ix_outbox_messages_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "hl7_inbound_messages",
        sa.Column("id", ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("message_control_id", sa.String(length=40), nullable=False),
        sa.Column("message_type", sa.String(length=32), nullable=False),
        sa.Column("sending_application", sa.String(length=64), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ack_code", sa.String(length=2), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("order_item_ids", sa.String(length=400), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("times_received", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hl7_inbound_messages")),
        sa.UniqueConstraint(
            "facility_code",
            "message_control_id",
            name=op.f("uq_hl7_inbound_messages_facility_code_message_control_id"),
        ),
    )

    op.create_table(
        "lis_order_links",
        sa.Column("id", ID, nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("order_item_id", ID, nullable=False),
        sa.Column("filler_order_number", sa.String(length=64), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_lis_order_links_order_item_id_order_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lis_order_links")),
        sa.UniqueConstraint(
            "facility_code",
            "filler_order_number",
            name=op.f("uq_lis_order_links_facility_code_filler_order_number"),
        ),
        sa.UniqueConstraint("order_item_id", name=op.f("uq_lis_order_links_order_item_id")),
    )


def downgrade() -> None:
    op.drop_table("lis_order_links")
    op.drop_table("hl7_inbound_messages")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_channel"))
    op.drop_table("outbox_messages")
