"""foundation

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-26 04:53:27.236435
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_patient_at", ["patient_id", "at"], unique=False)

    op.create_table(
        "card_check_cache",
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("card_key", sa.String(length=64), nullable=False),
        sa.Column("result_code", sa.String(length=8), nullable=False),
        sa.Column("answer_json", sa.Text(), nullable=False),
        sa.Column("checked_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("facility_code", "card_key", name=op.f("pk_card_check_cache")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint(
            "facility_code", "code", name=op.f("uq_departments_facility_code_code")
        ),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("mrn", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("ward_code", sa.String(length=10), nullable=True),
        sa.Column("province_code", sa.String(length=3), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("bhyt_code", sa.String(length=15), nullable=True),
        sa.Column("vneid_level2", sa.Boolean(), nullable=False),
        sa.Column("guardian_cccd", sa.String(length=12), nullable=True),
        sa.Column("guardian_name", sa.String(length=200), nullable=True),
        sa.Column("is_temporary", sa.Boolean(), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["patients.id"], name=op.f("fk_patients_merged_into_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("facility_code", "mrn", name=op.f("uq_patients_facility_code_mrn")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_facility_name", ["facility_code", "name_folded"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patients_guardian_cccd"), ["guardian_cccd"], unique=False
        )

    op.create_table(
        "rooms",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("specialty", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("facility_code", "code", name=op.f("uq_rooms_facility_code_code")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("cccd", sa.String(length=12), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("login", name=op.f("uq_staff_login")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("staff_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_api_tokens_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "devices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "on_duty_staff_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["on_duty_staff_id"], ["staff.id"], name=op.f("fk_devices_on_duty_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("code", name=op.f("uq_devices_code")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    op.create_table(
        "patient_demographics_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_demographics_versions_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_demographics_versions")),
        sa.UniqueConstraint(
            "patient_id",
            "version",
            name=op.f("uq_patient_demographics_versions_patient_id_version"),
        ),
    )
    with op.batch_alter_table("patient_demographics_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_demographics_versions_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "patient_identifiers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_identifiers_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_identifiers")),
        sa.UniqueConstraint(
            "facility_code",
            "kind",
            "value",
            name=op.f("uq_patient_identifiers_facility_code_kind_value"),
        ),
    )
    with op.batch_alter_table("patient_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_identifiers_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "visits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("visit_number", sa.String(length=20), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("registered_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=100), nullable=False),
        sa.Column("arrival_mode", sa.String(length=20), nullable=False),
        sa.Column("proposed_category", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("uses_insurance", sa.Boolean(), nullable=False),
        sa.Column("bhyt_code", sa.String(length=15), nullable=True),
        sa.Column("card_check_status", sa.String(length=20), nullable=False),
        sa.Column("card_check_code", sa.String(length=8), nullable=True),
        sa.Column("card_check_message", sa.Text(), nullable=True),
        sa.Column("card_check_raw", sa.Text(), nullable=True),
        sa.Column("card_checked_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("card_check_attempts", sa.Integer(), nullable=False),
        sa.Column("card_check_claimed_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("card_check_staff_name", sa.String(length=200), nullable=True),
        sa.Column("card_check_staff_cccd", sa.String(length=12), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_visits_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint(
            "facility_code", "visit_number", name=op.f("uq_visits_facility_code_visit_number")
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_visits_idempotency_key")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_card_check_status", ["facility_code", "card_check_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_visits_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_web_sessions_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_staff_id"), ["staff_id"], unique=False)

    # The audit chain's tip starts at the genesis hash; appends lock this row.
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("last_id"), sa.column("last_hash")),
        [{"id": 1, "last_id": 0, "last_hash": "0" * 64}],
    )


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_staff_id"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_patient_id"))
        batch_op.drop_index("ix_visits_card_check_status")

    op.drop_table("visits")
    with op.batch_alter_table("patient_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_identifiers_patient_id"))

    op.drop_table("patient_identifiers")
    with op.batch_alter_table("patient_demographics_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_demographics_versions_patient_id"))

    op.drop_table("patient_demographics_versions")
    op.drop_table("devices")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_staff_id"))

    op.drop_table("api_tokens")
    op.drop_table("staff")
    op.drop_table("rooms")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_guardian_cccd"))
        batch_op.drop_index("ix_patients_facility_name")

    op.drop_table("patients")
    op.drop_table("departments")
    op.drop_table("counters")
    op.drop_table("card_check_cache")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_patient_at")

    op.drop_table("audit_log")
    op.drop_table("audit_head")
