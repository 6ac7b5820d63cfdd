"""Follow-up appointments: a visit concluded "hẹn tái khám" (follow-up) on a date books the
patient back into the same specialty on that day; the kiosk offers to confirm it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import Examination, VisitDiagnosis
from smarthis.clinical.models import Visit
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ, day_start
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.security import audit
from smarthis.security.models import Staff
from smarthis.security.principal import Principal


@dataclass(frozen=True)
class Appointment:
    booked_by_visit_id: int
    booked_on: date
    follow_up_date: date
    specialty: str
    doctor_name: str | None


# Built once (smarthis/db.py says why): every kiosk identification asks it.
_BOOKED = (
    select(Examination, Visit)
    .join(Visit, Visit.id == Examination.visit_id)
    .where(
        Visit.facility_code == bindparam("facility_code"),
        Visit.patient_id == bindparam("patient_id"),
        Examination.conclusion == "follow_up",
        Examination.follow_up_date == bindparam("day"),
    )
    .order_by(Examination.concluded_at.desc())
    .limit(1)
)


def todays_appointment(
    session: Session, facility_code: str, patient_id: int, day: date
) -> Appointment | None:
    """The follow-up booked for `day`, unless the patient already came for it today."""
    booked = session.execute(
        _BOOKED, {"facility_code": facility_code, "patient_id": patient_id, "day": day}
    ).first()
    if booked is None:
        return None
    examination, visit = booked
    if _came_today(session, facility_code, patient_id, day):
        return None
    specialty = _first_examination_specialties(session, [visit.id]).get(visit.id)
    if specialty is None:
        return None  # examined without a queue number (e.g. emergency): reception books it
    doctor = session.execute(
        select(Staff.full_name).where(Staff.login == examination.concluded_by)
    ).scalar()
    return Appointment(
        booked_by_visit_id=visit.id,
        booked_on=visit.registered_at.astimezone(HOSPITAL_TZ).date(),
        follow_up_date=day,
        specialty=specialty,
        doctor_name=doctor,
    )


def _came_today(session: Session, facility_code: str, patient_id: int, day: date) -> bool:
    return (
        session.execute(
            select(Visit.id)
            .where(
                Visit.facility_code == facility_code,
                Visit.patient_id == patient_id,
                Visit.arrival_mode == "appointment",
                Visit.registered_at >= day_start(day),
                Visit.registered_at < day_start(day + timedelta(days=1)),
            )
            .limit(1)
        ).first()
        is not None
    )


@dataclass(frozen=True)
class BookedFollowUp:
    """A patient asked back on a day, as the examination room's doctor sees the list."""

    patient_id: int
    mrn: str
    full_name: str
    date_of_birth: date | None
    birth_year: int | None
    booked_on: date
    booked_by: str | None  # the doctor who asked the patient back
    main_diagnosis: str | None  # of the booking visit, e.g. "C50.9 Ung thư vú, không xác định"
    arrived_visit_number: str | None  # today's visit, once the patient has registered


def follow_ups_on(
    session: Session, actor: Principal, specialty: str, day: date
) -> list[BookedFollowUp]:
    """The patients booked back on `day` in `specialty` (the specialty of the booking visit's
    first examination room, as the kiosk offers it), with whether they have come: any visit
    of that day other than the booking one. Each patient listed is an audited read."""
    booked = session.execute(
        select(Examination, Visit, Patient, Staff.full_name, VisitDiagnosis)
        .join(Visit, Visit.id == Examination.visit_id)
        .join(Patient, Patient.id == Visit.patient_id)
        .outerjoin(Staff, Staff.login == Examination.concluded_by)
        .outerjoin(
            VisitDiagnosis,
            (VisitDiagnosis.visit_id == Visit.id) & VisitDiagnosis.is_main.is_(True),
        )
        .where(
            Examination.facility_code == actor.facility_code,
            Examination.follow_up_date == day,
            Examination.conclusion == "follow_up",
        )
        .order_by(Examination.concluded_at.desc())
    ).all()
    specialties = _first_examination_specialties(session, [visit.id for _e, visit, *_ in booked])
    listed: dict[int, BookedFollowUp] = {}
    folded_names: dict[int, str] = {}  # sorts as people read names: Đ with D, not after Z
    for _examination, visit, patient, doctor, diagnosis in booked:
        if specialties.get(visit.id) != specialty or patient.id in listed:
            continue  # another specialty's, or an older booking of a patient already listed
        folded_names[patient.id] = patient.name_folded
        listed[patient.id] = BookedFollowUp(
            patient_id=patient.id,
            mrn=patient.mrn,
            full_name=patient.full_name,
            date_of_birth=patient.date_of_birth,
            birth_year=patient.birth_year,
            booked_on=visit.registered_at.astimezone(HOSPITAL_TZ).date(),
            booked_by=doctor,
            main_diagnosis=f"{diagnosis.icd_code} {diagnosis.name_vi}" if diagnosis else None,
            arrived_visit_number=None,
        )
    arrived = _visits_on(session, actor.facility_code, list(listed), day, set(specialties))
    follow_ups = [
        replace(booking, arrived_visit_number=arrived.get(booking.patient_id))
        for booking in sorted(listed.values(), key=lambda b: folded_names[b.patient_id])
    ]
    for booking in follow_ups:
        audit.record(session, actor, "appointment.list", patient_id=booking.patient_id)
    return follow_ups


def _first_examination_specialties(session: Session, visit_ids: list[int]) -> dict[int, str]:
    """Each visit's specialty: that of its first examination room (the booked one)."""
    if not visit_ids:
        return {}
    rows = session.execute(
        select(Ticket.visit_id, ServicePoint.specialty)
        .join(
            ServicePoint,
            (Ticket.service_point_code == ServicePoint.code)
            & (Ticket.facility_code == ServicePoint.facility_code),
        )
        .where(
            Ticket.visit_id.in_(visit_ids),
            ServicePoint.kind == "examination",
            ServicePoint.specialty.is_not(None),
        )
        .order_by(Ticket.issued_at.desc())
    ).all()
    # Latest first, so the earliest ticket of each visit is written last and kept.
    return {visit_id: specialty for visit_id, specialty in rows}


def _visits_on(
    session: Session,
    facility_code: str,
    patient_ids: list[int],
    day: date,
    booking_visit_ids: set[int],
) -> dict[int, str]:
    """Each patient's visit number on `day`, the booking visits left out."""
    if not patient_ids:
        return {}
    rows = session.execute(
        select(Visit.patient_id, Visit.visit_number)
        .where(
            Visit.facility_code == facility_code,
            Visit.patient_id.in_(patient_ids),
            Visit.id.not_in(booking_visit_ids),
            Visit.registered_at >= day_start(day),
            Visit.registered_at < day_start(day + timedelta(days=1)),
        )
        .order_by(Visit.registered_at.desc())
    ).all()
    return {patient_id: number for patient_id, number in rows}
