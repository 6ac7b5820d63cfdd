"""Follow-up appointments: a visit concluded "hẹn tái khám" (follow-up) on a date books the
patient back into the same specialty on that day; the kiosk offers to confirm it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import Examination
from smarthis.clinical.models import Visit
from smarthis.queueing.clock import HOSPITAL_TZ, day_start
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.security.models import Staff


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
    specialty = session.execute(
        select(ServicePoint.specialty)
        .join(
            Ticket,
            (Ticket.service_point_code == ServicePoint.code)
            & (Ticket.facility_code == ServicePoint.facility_code),
        )
        .where(
            Ticket.visit_id == visit.id,
            ServicePoint.kind == "examination",
            ServicePoint.specialty.is_not(None),
        )
        .order_by(Ticket.issued_at)
        .limit(1)
    ).scalar()
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
