"""Admission, beds, transfers, discharge and day care, on the service rules."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smarthis.db import Database, utcnow
from smarthis.errors import Conflict, DomainError, Forbidden, NotFound
from smarthis.inpatient import service
from smarthis.inpatient.models import Bed, BedMovement, Stay, Ward
from smarthis.inpatient.wards import list_wards, pending_admissions, seed_demo_wards, ward_board
from smarthis.security.models import AuditEntry
from tests.inpatient.helpers import (
    DOCTOR,
    DOCTOR_2,
    FACILITY,
    NURSE,
    NURSE_2,
    OTHER_HOSPITAL,
    Patients,
    new_patient,
)


def _admit(db: Database, actor=DOCTOR, **given) -> Stay:
    with db.session() as s:
        return service.admit(s, actor, service.AdmissionInput(**given))


def _bed(db: Database, code: str) -> Bed:
    with db.session() as s:
        bed = s.execute(select(Bed).where(Bed.code == code)).scalar_one()
        s.expunge(bed)
        return bed


def _stay(db: Database, stay_id: int) -> Stay:
    with db.session() as s:
        stay = s.get(Stay, stay_id)
        assert stay is not None
        s.expunge(stay)
        return stay


def _discharge(db: Database, stay_id: int, **given) -> Stay:
    fields = {"kind": "recovered_or_improved", "summary": "Hóa trị phác đồ AC, dung nạp tốt"}
    with db.session() as s:
        return service.discharge(s, DOCTOR, stay_id, service.DischargeInput(**(fields | given)))


# --- admission ---------------------------------------------------------------------------


def test_admission_from_a_visit_concluded_admit_takes_the_visits_diagnosis(
    db: Database, ward: Patients
) -> None:
    with db.session() as s:
        pending = pending_admissions(s, NURSE)
    assert [p.visit.id for p in pending] == [ward.an_visit]

    stay = _admit(db, NURSE, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-1")

    assert stay.patient_id == ward.an
    assert stay.admitted_from == "outpatient"
    assert stay.admission_icd_code == "C50.9"
    assert "vú" in stay.admission_diagnosis
    # A nurse receiving the patient: the doctor who concluded "admit" is the attending.
    assert stay.attending_doctor == "bs.nam"
    assert stay.stay_number.startswith("NT")
    assert _bed(db, "NOI-101-1").status == "occupied"
    with db.session() as s:
        assert pending_admissions(s, NURSE) == []
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "inpatient.admit")).all()
    assert len(audit) == 1


def test_outpatient_admission_needs_the_conclusion_admit(db: Database, ward: Patients) -> None:
    with pytest.raises(Conflict) as refused:
        _admit(db, ward_code="NOI", visit_id=ward.cuong_visit)
    assert refused.value.code == "visit_not_for_admission"
    with pytest.raises(DomainError) as missing:
        _admit(db, ward_code="NOI")
    assert missing.value.code == "admission_visit_missing"


def test_emergency_admission_is_a_doctors_act_with_a_diagnosis(
    db: Database, ward: Patients
) -> None:
    with pytest.raises(Forbidden):
        _admit(db, NURSE, ward_code="NOI", admitted_from="emergency", patient_id=ward.binh)
    with pytest.raises(DomainError) as no_dx:
        _admit(db, ward_code="NOI", admitted_from="emergency", patient_id=ward.binh)
    assert no_dx.value.code == "admission_diagnosis_missing"
    with pytest.raises(DomainError) as bad_dx:
        _admit(
            db, ward_code="NOI", admitted_from="emergency", patient_id=ward.binh, icd_code="Z99.99"
        )
    assert bad_dx.value.code == "icd10_unknown"

    stay = _admit(
        db,
        ward_code="NOI",
        admitted_from="emergency",
        patient_id=ward.binh,
        icd_code="k35.8",
        attending_doctor="bs.lan",
        reason="Đau hố chậu phải 6 giờ",
    )
    assert stay.admission_icd_code == "K35.8"
    assert stay.attending_doctor == "bs.lan"
    assert stay.bed_id is None  # admitted to the ward; the nurse gives the bed
    with pytest.raises(DomainError) as not_doctor:
        _admit(
            db,
            ward_code="NOI",
            admitted_from="referral",
            patient_id=ward.an,
            icd_code="C50.9",
            attending_doctor="dd.mai",
        )
    assert not_doctor.value.code == "attending_doctor_unknown"


def test_one_open_stay_per_patient(db: Database, ward: Patients) -> None:
    _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with pytest.raises(Conflict) as twice:
        _admit(
            db, ward_code="NGOAI", admitted_from="referral", patient_id=ward.an, icd_code="C50.9"
        )
    assert twice.value.code == "stay_already_open"


def test_the_database_refuses_a_second_open_stay_or_a_shared_bed(
    db: Database, ward: Patients
) -> None:
    """Even a writer that skips the service's checks cannot break the two rules."""
    first = _admit(db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-1")
    copy = {c.name: getattr(first, c.name) for c in Stay.__table__.columns if c.name not in ("id",)}
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Stay(**(copy | {"stay_number": "X1", "bed_id": None})))
        s.flush()
    with db.session() as s:
        other = new_patient(s, "Phan Thị Dung", utcnow().date().replace(year=1960), "female")
        other_id = other.id
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Stay(**(copy | {"stay_number": "X2", "patient_id": other_id})))
        s.flush()
    # A discharged stay keeps its bed in the record without holding the bed.
    _discharge(db, first.id)
    with db.session() as s:
        s.add(Stay(**(copy | {"stay_number": "X3", "patient_id": other_id})))


def test_another_hospitals_staff_cannot_reach_the_stay(db: Database, ward: Patients) -> None:
    stay = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with pytest.raises(NotFound), db.session() as s:
        service.move_to_bed(s, OTHER_HOSPITAL, stay.id, "NOI-101-2")


# --- beds --------------------------------------------------------------------------------


def _two_open_stays(db: Database, ward: Patients) -> tuple[int, int]:
    one = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    two = _admit(
        db, ward_code="NOI", admitted_from="emergency", patient_id=ward.binh, icd_code="K35.8"
    )
    return one.id, two.id


def test_two_nurses_taking_the_same_bed_one_wins(db: Database, ward: Patients) -> None:
    """Both nurses press "give bed NOI-102-1" at the same moment for different patients."""
    one, two = _two_open_stays(db, ward)
    start = Barrier(2)

    def take(actor_and_stay):
        actor, stay_id = actor_and_stay
        start.wait()
        try:
            with db.session() as s:
                service.move_to_bed(s, actor, stay_id, "NOI-102-1")
            return "ok"
        except Conflict as refused:
            return refused.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(take, [(NURSE, one), (NURSE_2, two)]))
    assert outcomes == ["bed_occupied", "ok"]
    with db.session() as s:
        holders = s.execute(
            select(Stay.id).where(
                Stay.bed_id == _bed(db, "NOI-102-1").id, Stay.status == "admitted"
            )
        ).all()
    assert len(holders) == 1
    assert _bed(db, "NOI-102-1").status == "occupied"


def test_two_doctors_admitting_the_same_patient_at_once_make_one_stay(
    db: Database, ward: Patients
) -> None:
    start = Barrier(2)

    def admit(actor_and_bed):
        actor, bed = actor_and_bed
        start.wait()
        try:
            _admit(
                db,
                actor,
                ward_code="NOI",
                admitted_from="emergency",
                patient_id=ward.binh,
                icd_code="K35.8",
                bed_code=bed,
            )
            return "ok"
        except Conflict as refused:
            return refused.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(admit, [(DOCTOR, "NOI-101-1"), (DOCTOR_2, "NOI-101-2")]))
    assert outcomes == ["ok", "stay_already_open"]
    with db.session() as s:
        assert len(s.execute(select(Stay).where(Stay.patient_id == ward.binh)).all()) == 1
        occupied = s.execute(select(Bed.code).where(Bed.status == "occupied")).scalars().all()
    # The loser's bed was never taken: its transaction rolled back whole.
    assert len(occupied) == 1


def test_a_bed_being_cleaned_or_out_of_service_is_refused(db: Database, ward: Patients) -> None:
    with db.session() as s:
        service.set_bed_status(s, NURSE, "NOI-101-3", "out_of_service")
    with pytest.raises(Conflict) as refused:
        _admit(db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-3")
    assert refused.value.code == "bed_out_of_service"
    with pytest.raises(DomainError) as elsewhere:
        _admit(db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NG-201-1")
    assert elsewhere.value.code == "bed_not_in_ward"


def test_transfers_keep_the_history_and_free_the_old_bed(db: Database, ward: Patients) -> None:
    stay = _admit(db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-1")
    with db.session() as s:
        service.move_to_bed(s, NURSE, stay.id, "NOI-102-2", "Gần phòng điều dưỡng")
    with db.session() as s:
        service.move_to_bed(s, NURSE, stay.id, "NG-201-1", "Chuyển khoa Ngoại để phẫu thuật")
    with pytest.raises(Conflict) as same, db.session() as s:
        service.move_to_bed(s, NURSE, stay.id, "NG-201-1")
    assert same.value.code == "bed_unchanged"

    moved = _stay(db, stay.id)
    assert _bed(db, "NG-201-1").id == moved.bed_id
    with db.session() as s:
        ngoai = s.execute(select(Ward).where(Ward.code == "NGOAI")).scalar_one()
        movements = (
            s.execute(
                select(BedMovement).where(BedMovement.stay_id == stay.id).order_by(BedMovement.id)
            )
            .scalars()
            .all()
        )
        beds = {b.id: b.code for b in s.execute(select(Bed)).scalars()}
    assert moved.ward_id == ngoai.id
    assert [(m.kind, beds.get(m.from_bed_id), beds.get(m.to_bed_id)) for m in movements] == [
        ("admit", None, "NOI-101-1"),
        ("transfer", "NOI-101-1", "NOI-102-2"),
        ("transfer", "NOI-102-2", "NG-201-1"),
    ]
    assert movements[2].reason == "Chuyển khoa Ngoại để phẫu thuật"
    assert _bed(db, "NOI-101-1").status == "cleaning"
    assert _bed(db, "NOI-102-2").status == "cleaning"


def test_discharge_frees_the_bed_for_the_next_patient_once_cleaned(
    db: Database, ward: Patients
) -> None:
    stay = _admit(db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-1")
    with pytest.raises(Forbidden), db.session() as s:
        service.discharge(s, NURSE, stay.id, service.DischargeInput("recovered_or_improved", "x"))
    with pytest.raises(DomainError) as no_summary:
        _discharge(db, stay.id, summary="   ")
    assert no_summary.value.code == "discharge_summary_missing"

    done = _discharge(db, stay.id, advice="Tái khám sau 3 tuần", icd_code="C50.4")
    assert done.status == "discharged"
    assert done.discharge_icd_code == "C50.4"
    assert done.discharged_by == "bs.nam"
    assert _bed(db, "NOI-101-1").status == "cleaning"
    with pytest.raises(Conflict) as again:
        _discharge(db, stay.id)
    assert again.value.code == "stay_closed"

    with pytest.raises(Conflict):  # not yet cleaned
        _admit(
            db,
            ward_code="NOI",
            admitted_from="emergency",
            patient_id=ward.binh,
            icd_code="K35.8",
            bed_code="NOI-101-1",
        )
    with db.session() as s:
        service.set_bed_status(s, NURSE, "NOI-101-1", "available")
    nxt = _admit(
        db,
        ward_code="NOI",
        admitted_from="emergency",
        patient_id=ward.binh,
        icd_code="K35.8",
        bed_code="NOI-101-1",
    )
    assert _bed(db, "NOI-101-1").status == "occupied"
    with pytest.raises(Conflict) as busy, db.session() as s:
        service.set_bed_status(s, NURSE, "NOI-101-1", "cleaning")
    assert busy.value.code == "bed_occupied"
    # The same patient may come back once discharged: a new stay.
    back = _admit(
        db, ward_code="NOI", admitted_from="referral", patient_id=ward.an, icd_code="C50.9"
    )
    assert back.id not in (stay.id, nxt.id)


def test_day_care_is_admitted_and_discharged_the_same_day(db: Database, ward: Patients) -> None:
    stay = _admit(
        db, ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-102-3", kind="day_care"
    )
    with db.session() as s:
        board = ward_board(s, NURSE, "NOI")
    occupied = [b for b in board.beds if b.stay is not None]
    assert [(b.bed.code, b.stay.kind) for b in occupied] == [("NOI-102-3", "day_care")]
    done = _discharge(db, stay.id, summary="Truyền hóa chất chu kỳ 3, ổn định")
    assert done.kind == "day_care"
    assert done.discharged_at.date() == done.admitted_at.date()


def test_discharge_time_cannot_precede_admission(db: Database, ward: Patients) -> None:
    from datetime import timedelta

    stay = _admit(db, ward_code="NOI", visit_id=ward.an_visit)
    with pytest.raises(DomainError) as early:
        _discharge(db, stay.id, at=stay.admitted_at - timedelta(hours=1))
    assert early.value.code == "discharge_time"


def test_demo_wards_have_sixty_beds_and_seeding_twice_is_harmless(db: Database) -> None:
    with db.session() as s:
        seed_demo_wards(s, FACILITY)
    with db.session() as s:
        seed_demo_wards(s, FACILITY)
    with db.session() as s:
        wards = list_wards(s, FACILITY)
    assert [w.code for w, _ in wards] == ["NGOAI", "NOI", "XATRI"]
    assert sum(c["available"] for _, c in wards) == 60
