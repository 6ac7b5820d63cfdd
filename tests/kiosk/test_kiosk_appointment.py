"""A follow-up booked at an earlier visit is offered at the kiosk on its day and confirmed
with one touch: numbered in the same specialty, counted as an appointment visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from smarthis.clinical import examination as exam
from smarthis.clinical.examination import ConclusionInput
from smarthis.clinical.examination_models import Examination
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.kiosk.service import kiosk_identify, kiosk_register
from smarthis.patients.identify import DocumentInput
from smarthis.queueing.clock import service_day
from smarthis.security import service as security
from smarthis.security.models import Staff
from smarthis.security.principal import Principal
from tests.kiosk.conftest import CCCD_QR, identify_at_kiosk, register_at_kiosk


def _doctor(db: Database) -> Principal:
    with db.session() as s:
        staff = s.execute(select(Staff).where(Staff.login == "t.doctor")).scalar_one()
        token = security.issue_api_token(s, staff)
        principal = security.principal_from_bearer(s, token, "127.0.0.1")
    assert principal is not None
    return principal


def _book_follow_up(db: Database, kiosk, portal, settings, *, days_ahead: int) -> None:
    """An earlier visit whose doctor asked the patient back; then that day comes."""
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    visit, _ticket = register_at_kiosk(db, kiosk, portal, settings, patient_id, key="k-first")
    doctor = _doctor(db)
    with db.session() as s:
        exam.start_examination(s, doctor, visit.id, reason="Khám định kỳ")
        exam.set_diagnoses(s, doctor, visit.id, "C50.9", [])
    with db.session() as s:
        tomorrow = service_day() + timedelta(days=1)
        exam.conclude(
            s, doctor, visit.id, ConclusionInput(conclusion="follow_up", follow_up_date=tomorrow)
        )
    with db.session() as s:  # the calendar moves on: the follow-up day is `days_ahead` away
        s.execute(
            update(Examination)
            .where(Examination.visit_id == visit.id)
            .values(follow_up_date=service_day() + timedelta(days=days_ahead))
        )


def _identified(db, kiosk, portal, settings: Settings):
    return kiosk_identify(db, kiosk, portal, settings, DocumentInput(qr_text=CCCD_QR))


def test_todays_follow_up_is_offered_and_confirmed_with_one_touch(
    db: Database, kiosk, portal, settings
) -> None:
    _book_follow_up(db, kiosk, portal, settings, days_ahead=0)
    identified = _identified(db, kiosk, portal, settings)
    booked = identified.appointment
    assert booked is not None
    assert booked.specialty == "Ung bướu vú" and booked.follow_up_date == service_day()
    assert booked.doctor_name
    done = kiosk_register(
        db,
        kiosk,
        portal,
        settings,
        patient_id=identified.registration.patient.id,
        specialty=None,
        appointment=True,
        idempotency_key="k-follow-up",
    )
    visit, ticket = done.visit, done.ticket
    assert done.point.code == ticket.service_point_code
    assert visit.arrival_mode == "appointment"
    assert ticket.service_point_code in ("PK-102", "PK-103")
    # Confirmed once: the kiosk no longer offers it today.
    assert _identified(db, kiosk, portal, settings).appointment is None


def test_a_follow_up_on_another_day_is_not_offered_and_cannot_be_confirmed(
    db: Database, kiosk, portal, settings
) -> None:
    _book_follow_up(db, kiosk, portal, settings, days_ahead=1)
    identified = _identified(db, kiosk, portal, settings)
    assert identified.appointment is None
    with pytest.raises(DomainError) as refused:
        kiosk_register(
            db,
            kiosk,
            portal,
            settings,
            patient_id=identified.registration.patient.id,
            specialty=None,
            appointment=True,
            idempotency_key="k-follow-up",
        )
    assert refused.value.code == "kiosk_no_appointment"
    assert "lịch hẹn" in refused.value.message_vi


def test_without_an_appointment_a_specialty_is_required(
    db: Database, kiosk, portal, settings
) -> None:
    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    with pytest.raises(DomainError) as refused:
        kiosk_register(
            db,
            kiosk,
            portal,
            settings,
            patient_id=patient_id,
            specialty=None,
            idempotency_key="k-no-choice",
        )
    assert refused.value.code == "kiosk_specialty_missing"
