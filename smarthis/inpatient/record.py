"""The record of one stay as its screen and its papers read it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.inpatient.common import get_stay
from smarthis.inpatient.models import (
    Bed,
    BedMovement,
    MedicationAdministration,
    NursingNote,
    ProgressNote,
    Stay,
    StayVitals,
    Ward,
)
from smarthis.orders.service import ItemResults, results_for_patient
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.security import audit
from smarthis.security.models import Staff
from smarthis.security.principal import Principal


@dataclass
class StayRecord:
    stay: Stay
    patient: Patient
    ward: Ward
    bed: Bed | None
    identifiers: list[PatientIdentifier]
    progress_notes: list[ProgressNote]
    nursing_notes: list[NursingNote]
    vitals: list[StayVitals]
    medications: list[MedicationAdministration]
    movements: list[BedMovement]
    staff_names: dict[str, str]  # login -> full name, for every author on the record


def _rows(session: Session, model: type, stay_id: int, order: object) -> list:
    return list(
        session.execute(
            select(model).where(model.stay_id == stay_id).order_by(order, model.id)
        ).scalars()
    )


def staff_names(session: Session, logins: set[str]) -> dict[str, str]:
    if not logins:
        return {}
    rows = session.execute(select(Staff.login, Staff.full_name).where(Staff.login.in_(logins)))
    names = {login: name for login, name in rows}
    return {login: names.get(login, login) for login in logins}


def load_record(session: Session, stay: Stay) -> StayRecord:
    patient = session.get(Patient, stay.patient_id)
    ward = session.get(Ward, stay.ward_id)
    assert patient is not None and ward is not None
    record = StayRecord(
        stay=stay,
        patient=patient,
        ward=ward,
        bed=session.get(Bed, stay.bed_id) if stay.bed_id else None,
        identifiers=list(
            session.execute(
                select(PatientIdentifier).where(PatientIdentifier.patient_id == patient.id)
            ).scalars()
        ),
        progress_notes=_rows(session, ProgressNote, stay.id, ProgressNote.written_at),
        nursing_notes=_rows(session, NursingNote, stay.id, NursingNote.written_at),
        vitals=_rows(session, StayVitals, stay.id, StayVitals.taken_at),
        medications=_rows(
            session, MedicationAdministration, stay.id, MedicationAdministration.recorded_at
        ),
        movements=_rows(session, BedMovement, stay.id, BedMovement.moved_at),
        staff_names={},
    )
    logins = {stay.attending_doctor, stay.admitted_by, stay.discharged_by or ""}
    logins |= {n.written_by for n in record.progress_notes}
    logins |= {n.written_by for n in record.nursing_notes}
    logins |= {v.taken_by for v in record.vitals}
    logins |= {m.recorded_by for m in record.medications}
    record.staff_names = staff_names(session, {login for login in logins if login})
    return record


def stay_record(session: Session, actor: Principal, stay_id: int) -> StayRecord:
    stay = get_stay(session, actor, stay_id)
    audit.record(
        session,
        actor,
        "inpatient.read",
        patient_id=stay.patient_id,
        detail={"stay": stay.stay_number},
    )
    return load_record(session, stay)


def movement_places(session: Session, record: StayRecord) -> tuple[dict[int, Ward], dict[int, Bed]]:
    """The wards and beds the stay's movements name, by id."""
    ward_ids = {m.from_ward_id for m in record.movements} | {m.to_ward_id for m in record.movements}
    bed_ids = {m.from_bed_id for m in record.movements} | {m.to_bed_id for m in record.movements}
    wards = session.execute(select(Ward).where(Ward.id.in_(ward_ids - {None}))).scalars()
    beds = session.execute(select(Bed).where(Bed.id.in_(bed_ids - {None}))).scalars()
    return {w.id: w for w in wards}, {b.id: b for b in beds}


def stay_results(session: Session, actor: Principal, stay_id: int) -> list[ItemResults]:
    """The patient's orders since the visit that led to the stay (the results_for_patient
    read is audited there), newest first."""
    stay = get_stay(session, actor, stay_id)
    since = stay.admitted_at
    if stay.visit_id is not None:
        visit = session.get(Visit, stay.visit_id)
        since = visit.registered_at if visit is not None else since
    found = results_for_patient(session, actor, stay.patient_id, verified_only=False)
    return [r for r in found if r.order.ordered_at >= since]


def patient_visit_ids(session: Session, patient_id: int) -> set[int]:
    """Result events name the visit: these are the ones that concern the stay's patient."""
    return set(session.execute(select(Visit.id).where(Visit.patient_id == patient_id)).scalars())
