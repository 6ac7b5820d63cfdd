"""inpatient stays: wards, beds, stays, bed movements, notes, vital signs, MAR

Revision ID: 0012_inpatient
Revises: 0011_merge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarthis.db

revision = "0012_inpatient"
down_revision = "0011_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inpatient_wards",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_wards")),
        sa.UniqueConstraint(
            "facility_code", "code", name=op.f("uq_inpatient_wards_facility_code_code")
        ),
    )

    op.create_table(
        "inpatient_beds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("ward_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ward_id"],
            ["inpatient_wards.id"],
            name=op.f("fk_inpatient_beds_ward_id_inpatient_wards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_beds")),
        sa.UniqueConstraint(
            "facility_code", "code", name=op.f("uq_inpatient_beds_facility_code_code")
        ),
    )

    with op.batch_alter_table("inpatient_beds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inpatient_beds_ward_id"), ["ward_id"], unique=False)

    op.create_table(
        "inpatient_stays",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_number", sa.String(length=20), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("admitted_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("admitted_by", sa.String(length=100), nullable=False),
        sa.Column("admitted_from", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ward_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bed_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("attending_doctor", sa.String(length=100), nullable=False),
        sa.Column("admission_icd_code", sa.String(length=10), nullable=False),
        sa.Column("admission_diagnosis", sa.Text(), nullable=False),
        sa.Column("admission_reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("discharged_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("discharged_by", sa.String(length=100), nullable=True),
        sa.Column("discharge_kind", sa.String(length=24), nullable=True),
        sa.Column("discharge_icd_code", sa.String(length=10), nullable=True),
        sa.Column("discharge_diagnosis", sa.Text(), nullable=True),
        sa.Column("discharge_summary", sa.Text(), nullable=True),
        sa.Column("discharge_advice", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bed_id"], ["inpatient_beds.id"], name=op.f("fk_inpatient_stays_bed_id_inpatient_beds")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_inpatient_stays_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_inpatient_stays_visit_id_visits")
        ),
        sa.ForeignKeyConstraint(
            ["ward_id"],
            ["inpatient_wards.id"],
            name=op.f("fk_inpatient_stays_ward_id_inpatient_wards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_stays")),
        sa.UniqueConstraint(
            "facility_code",
            "stay_number",
            name=op.f("uq_inpatient_stays_facility_code_stay_number"),
        ),
    )

    with op.batch_alter_table("inpatient_stays", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inpatient_stays_admitted_at", ["facility_code", "admitted_at"], unique=False
        )
        batch_op.create_index(
            "ix_inpatient_stays_discharged_at", ["facility_code", "discharged_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inpatient_stays_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inpatient_stays_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index("ix_inpatient_stays_ward_status", ["ward_id", "status"], unique=False)
        batch_op.create_index(
            "ux_inpatient_stays_open_bed",
            ["bed_id"],
            unique=True,
            sqlite_where=sa.text("status = 'admitted' AND bed_id IS NOT NULL"),
            postgresql_where=sa.text("status = 'admitted' AND bed_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ux_inpatient_stays_open_patient",
            ["patient_id"],
            unique=True,
            sqlite_where=sa.text("status = 'admitted'"),
            postgresql_where=sa.text("status = 'admitted'"),
        )

    op.create_table(
        "inpatient_bed_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "from_ward_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "from_bed_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "to_ward_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("to_bed_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("moved_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("moved_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_bed_id"],
            ["inpatient_beds.id"],
            name=op.f("fk_inpatient_bed_movements_from_bed_id_inpatient_beds"),
        ),
        sa.ForeignKeyConstraint(
            ["from_ward_id"],
            ["inpatient_wards.id"],
            name=op.f("fk_inpatient_bed_movements_from_ward_id_inpatient_wards"),
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_bed_movements_stay_id_inpatient_stays"),
        ),
        sa.ForeignKeyConstraint(
            ["to_bed_id"],
            ["inpatient_beds.id"],
            name=op.f("fk_inpatient_bed_movements_to_bed_id_inpatient_beds"),
        ),
        sa.ForeignKeyConstraint(
            ["to_ward_id"],
            ["inpatient_wards.id"],
            name=op.f("fk_inpatient_bed_movements_to_ward_id_inpatient_wards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_bed_movements")),
    )

    with op.batch_alter_table("inpatient_bed_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inpatient_bed_movements_stay", ["stay_id", "moved_at"], unique=False
        )

    op.create_table(
        "inpatient_medication_administrations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("drug", sa.String(length=300), nullable=False),
        sa.Column("dose", sa.String(length=100), nullable=False),
        sa.Column("route", sa.String(length=60), nullable=False),
        sa.Column("scheduled_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("given_at", smarthis.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_medication_administrations_stay_id_inpatient_stays"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_medication_administrations")),
    )

    with op.batch_alter_table("inpatient_medication_administrations", schema=None) as batch_op:
        batch_op.create_index("ix_inpatient_mar_stay", ["stay_id", "recorded_at"], unique=False)

    op.create_table(
        "inpatient_nursing_notes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("written_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_nursing_notes_stay_id_inpatient_stays"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_nursing_notes")),
    )

    with op.batch_alter_table("inpatient_nursing_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inpatient_nursing_notes_stay", ["stay_id", "written_at"], unique=False
        )

    op.create_table(
        "inpatient_progress_notes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("written_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.Column("subjective", sa.Text(), nullable=True),
        sa.Column("objective", sa.Text(), nullable=True),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_progress_notes_stay_id_inpatient_stays"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_progress_notes")),
    )

    with op.batch_alter_table("inpatient_progress_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inpatient_progress_notes_stay", ["stay_id", "written_at"], unique=False
        )

    op.create_table(
        "inpatient_vital_signs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=10), nullable=False),
        sa.Column("stay_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("taken_at", smarthis.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=False),
        sa.Column("pulse", sa.Integer(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("systolic", sa.Integer(), nullable=True),
        sa.Column("diastolic", sa.Integer(), nullable=True),
        sa.Column("respiratory_rate", sa.Integer(), nullable=True),
        sa.Column("spo2", sa.Integer(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["inpatient_stays.id"],
            name=op.f("fk_inpatient_vital_signs_stay_id_inpatient_stays"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_vital_signs")),
    )

    with op.batch_alter_table("inpatient_vital_signs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inpatient_vital_signs_stay", ["stay_id", "taken_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inpatient_vital_signs", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_vital_signs_stay")

    op.drop_table("inpatient_vital_signs")

    with op.batch_alter_table("inpatient_progress_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_progress_notes_stay")

    op.drop_table("inpatient_progress_notes")

    with op.batch_alter_table("inpatient_nursing_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_nursing_notes_stay")

    op.drop_table("inpatient_nursing_notes")

    with op.batch_alter_table("inpatient_medication_administrations", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_mar_stay")

    op.drop_table("inpatient_medication_administrations")

    with op.batch_alter_table("inpatient_bed_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_bed_movements_stay")

    op.drop_table("inpatient_bed_movements")

    with op.batch_alter_table("inpatient_stays", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_inpatient_stays_open_patient",
            sqlite_where=sa.text("status = 'admitted'"),
            postgresql_where=sa.text("status = 'admitted'"),
        )
        batch_op.drop_index(
            "ux_inpatient_stays_open_bed",
            sqlite_where=sa.text("status = 'admitted' AND bed_id IS NOT NULL"),
            postgresql_where=sa.text("status = 'admitted' AND bed_id IS NOT NULL"),
        )
        batch_op.drop_index("ix_inpatient_stays_ward_status")
        batch_op.drop_index(batch_op.f("ix_inpatient_stays_visit_id"))
        batch_op.drop_index(batch_op.f("ix_inpatient_stays_patient_id"))
        batch_op.drop_index("ix_inpatient_stays_discharged_at")
        batch_op.drop_index("ix_inpatient_stays_admitted_at")

    op.drop_table("inpatient_stays")

    with op.batch_alter_table("inpatient_beds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inpatient_beds_ward_id"))

    op.drop_table("inpatient_beds")

    op.drop_table("inpatient_wards")
