"""search indexes: patient search by any number and by name fragment at a million patients

Revision ID: 0010_search_indexes
Revises: 0007_prescriptions
Create Date: 2026-11-26 08:30:00

Found by bench/volume_bench.py: an identifier search read every patient (no index on the
number without its kind, none on the BHYT card code), and a name search read every name.
"""

from __future__ import annotations

from alembic import op

revision = "0010_search_indexes"
down_revision = "0007_prescriptions"
branch_labels = None
depends_on = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    with op.batch_alter_table("patient_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_identifiers_facility_value", ["facility_code", "value"], unique=False
        )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_facility_bhyt", ["facility_code", "bhyt_code"], unique=False
        )
    if _is_postgresql():
        # Trigram index for LIKE '%fragment%' on the folded name (PostgreSQL only).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_patients_name_trgm",
            "patients",
            ["name_folded"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"name_folded": "gin_trgm_ops"},
        )
    else:
        # The models name this index on every database; SQLite cannot use a trigram index
        # (nor any index for LIKE '%...%'), so it holds a plain one.
        with op.batch_alter_table("patients", schema=None) as batch_op:
            batch_op.create_index("ix_patients_name_trgm", ["name_folded"], unique=False)


def downgrade() -> None:
    # The pg_trgm extension stays: other objects may use it, and keeping it is harmless.
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_name_trgm")
        batch_op.drop_index("ix_patients_facility_bhyt")
    with op.batch_alter_table("patient_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_identifiers_facility_value")
