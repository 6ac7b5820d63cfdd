"""Kiosk self-service: identify by card, show the insurance answer in plain words, choose a
specialty, get a number — the same rules and the same queue as the reception desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.clinical.appointments import Appointment, todays_appointment
from smarthis.clinical.models import Visit
from smarthis.clinical.service import (
    VisitRequest,
    insert_visit,
    prepare_visit,
    record_card_answer,
)
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.insurance.card_check import ask_portal, cached_answer_in
from smarthis.insurance.portal_client import (
    CardCheckAnswer,
    CardCheckPortal,
    CardCheckRequest,
    PortalUnavailable,
)
from smarthis.insurance.result_codes import ReceptionAction
from smarthis.kiosk import gate
from smarthis.patients import identifiers as ids
from smarthis.patients.identify import DocumentInput, identify
from smarthis.patients.models import Patient
from smarthis.patients.service import Registration, find_patient
from smarthis.queueing import service as queue
from smarthis.queueing.clock import service_day
from smarthis.queueing.flows import visit_ticket_request
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.priority import priority_for
from smarthis.queueing.setup import TAKE_A_NUMBER_KINDS
from smarthis.security.models import Device
from smarthis.security.principal import Principal
from smarthis.security.service import duty_officer_for

STATUS_WORDS = {
    "verified": ("Thẻ BHYT hợp lệ", "Your health-insurance card is valid"),
    "verified_check_id": (
        "Thẻ BHYT dùng được — vui lòng xuất trình CCCD tại phòng khám",
        "Card accepted — please show your ID card at the examination room",
    ),
    "rejected": (
        "Thẻ BHYT không dùng được lần này — bạn vẫn được khám (dịch vụ)",
        "Your card cannot be used this time — you can still be examined (self-paying)",
    ),
    "not_verified": (
        "Chưa kiểm tra được thẻ BHYT — bạn cứ lấy số, nhân viên sẽ kiểm tra lại",
        "The card could not be checked yet — take your number, staff will check it",
    ),
    "no_card": (
        "Chưa có thông tin thẻ BHYT — khám dịch vụ, hoặc đến quầy tiếp đón để dùng BHYT",
        "No insurance card on file — self-paying, or see reception to use insurance",
    ),
}


@dataclass
class InsuranceSummary:
    status: str
    message_vi: str
    message_en: str
    detail_vi: str | None = None
    card_code: str | None = None
    benefit_level: int | None = None
    coverage_percent: int | None = None
    valid_to: date | None = None


def _summary(status: str, **fields: object) -> InsuranceSummary:
    vi, en = STATUS_WORDS[status]
    return InsuranceSummary(status=status, message_vi=vi, message_en=en, **fields)  # type: ignore[arg-type]


def insurance_summary(
    db: Database,
    actor: Principal,
    portal: CardCheckPortal,
    settings: Settings,
    patient: Patient,
    question: tuple[CardCheckRequest | None, CardCheckAnswer | None],
) -> InsuranceSummary:
    """`question`: the portal question for the patient's card and its cached answer, read in
    the caller's transaction; the portal is asked only when nothing fresh is cached."""
    if not patient.bhyt_code:
        return _summary("no_card")
    request, answer = question
    if request is None:
        return _summary("not_verified", card_code=patient.bhyt_code)
    if answer is None:
        try:
            answer = ask_portal(db, portal, actor.facility_code, request)
        except PortalUnavailable:
            return _summary("not_verified", card_code=patient.bhyt_code)
    return _answer_summary(ids.parse_bhyt(patient.bhyt_code), patient.bhyt_code, answer)


def _answer_summary(
    card: ids.BhytCard, card_code: str, answer: CardCheckAnswer
) -> InsuranceSummary:
    result = answer.result
    if not result.verified:
        status = "not_verified"
    else:
        status = {
            ReceptionAction.PROCEED_WITH_INSURANCE: "verified",
            ReceptionAction.PROCEED_AFTER_ID_CHECK: "verified_check_id",
        }.get(result.action, "rejected")
    code_in_use = answer.card_code_to_use or card_code
    level = card.benefit_level
    if code_in_use and len(code_in_use) == 15 and code_in_use[2].isdigit():
        level = int(code_in_use[2])
    return _summary(
        status,
        detail_vi=result.message_vi,
        card_code=code_in_use,
        benefit_level=level,
        coverage_percent=ids.BENEFIT_LEVELS[level].percent if level in ids.BENEFIT_LEVELS else None,
        valid_to=answer.valid_to,
    )


@dataclass
class Identified:
    registration: Registration
    insurance: InsuranceSummary
    appointment: Appointment | None


def kiosk_identify(
    db: Database,
    actor: Principal,
    portal: CardCheckPortal,
    settings: Settings,
    document: DocumentInput,
) -> Identified:
    lookups = _IdentifyLookups(actor, settings)
    # Found or registered, with today's appointment and the card question: one transaction.
    with gate.transactions:
        registration = identify(db, actor, document, then=lookups)
    insurance = insurance_summary(
        db, actor, portal, settings, registration.patient, (lookups.request, lookups.cached)
    )
    return Identified(registration, insurance, lookups.appointment)


class _IdentifyLookups:
    """What the kiosk shows after a card is read, looked up in identification's
    transaction: today's appointment, the portal question and its cached answer."""

    def __init__(self, actor: Principal, settings: Settings) -> None:
        self._actor = actor
        self._max_age_s = settings.bhxh_cache_seconds
        self.appointment: Appointment | None = None
        self.request: CardCheckRequest | None = None
        self.cached: CardCheckAnswer | None = None

    def __call__(self, session: Session, registration: Registration) -> None:
        facility = self._actor.facility_code
        patient = registration.patient
        if not registration.created:  # nobody books a follow-up for a patient this new
            self.appointment = todays_appointment(session, facility, patient.id, service_day())
        self.request = _card_request(session, self._actor, patient)
        self.cached = (
            cached_answer_in(session, facility, self.request, self._max_age_s)
            if self.request
            else None
        )


def kiosk_register(
    db: Database,
    actor: Principal,
    portal: CardCheckPortal,
    settings: Settings,
    *,
    patient_id: int,
    specialty: str | None,
    idempotency_key: str,
    declared_priority: str | None = None,
    appointment: bool = False,
) -> KioskRegistration:
    """One touch: the visit, its card answer (cached when the card was read) and its number,
    written together in one transaction. With `appointment`, the patient confirms today's
    follow-up and is numbered in its specialty. Retrying with the same key returns the same
    visit and ticket."""
    choice = _Choice(patient_id, specialty, appointment, declared_priority, idempotency_key)
    try:
        # No look-up of the key first: a repeated key is rare (a double tap, a retry after a
        # lost answer) and the visit's unique key refuses it at INSERT, handled below.
        with gate.transactions, db.session() as session:
            patient, card_request = _prepare(session, actor, choice)
            answer = (
                cached_answer_in(
                    session, actor.facility_code, card_request, settings.bhxh_cache_seconds
                )
                if card_request
                else None
            )
            if card_request is None or answer is not None:
                # The usual case (the card was read at identification): one transaction.
                return _write(session, actor, patient, choice, answer)
        # Not cached (e.g. the card was refused at identification): ask now, with no
        # transaction open, within the portal's deadline; an outage defers the check.
        try:
            answer = ask_portal(db, portal, actor.facility_code, card_request)
        except PortalUnavailable:
            answer = None
        with gate.transactions, db.session() as session:
            patient, _request = _prepare(session, actor, choice)
            return _write(session, actor, patient, choice, answer)
    except IntegrityError:
        # The key was used before (a retry) or by a concurrent request (a double tap):
        # return what it wrote.
        with db.session() as session:
            done = _registered_with(session, actor, choice.keys, specialty)
        if done is None:
            raise
        return done


@dataclass
class KioskRegistration:
    """What the kiosk shows and prints, read in the registration's own transaction."""

    visit: Visit
    ticket: Ticket
    point: ServicePoint
    printer_target: str | None  # the kiosk's own printer, if it has one


@dataclass
class _Choice:
    """What the patient chose at the kiosk."""

    patient_id: int
    specialty: str | None
    appointment: bool
    declared_priority: str | None
    idempotency_key: str

    @property
    def keys(self) -> tuple[str, str]:
        return (f"{self.idempotency_key}:visit", f"{self.idempotency_key}:ticket")


def _prepare(
    session: Session, actor: Principal, choice: _Choice
) -> tuple[Patient, CardCheckRequest | None]:
    """The patient, the specialty (or today's appointment's) and the card question. A
    specialty the hospital lacks is named later, when no room takes the ticket."""
    patient = find_patient(session, actor, choice.patient_id)
    if choice.appointment:
        choice.specialty = _appointment_specialty(session, actor, choice.patient_id)
    elif choice.specialty is None:
        raise DomainError(
            "kiosk_specialty_missing",
            "Hãy chọn chuyên khoa",
            "Choose a specialty",
            field="specialty",
        )
    return patient, _card_request(session, actor, patient)


def _write(
    session: Session,
    actor: Principal,
    patient: Patient,
    choice: _Choice,
    answer: CardCheckAnswer | None,
) -> KioskRegistration:
    # Reads first: the visit and ticket counters lock their rows until commit, so the room
    # is chosen and the kiosk's printer looked up before the first number is taken.
    printer_target = _printer_target(session, actor)
    group = priority_for(
        choice.declared_priority, patient.date_of_birth, patient.birth_year, service_day()
    )
    wanted = queue.TicketRequest(
        kind="examination", specialty=choice.specialty, priority_group=group
    )
    try:
        placement = queue.place_ticket(session, actor, wanted)
    except DomainError as refused:
        # Checked only when no room takes the ticket (saves a query on every registration):
        # a specialty the hospital does not have gets its own message.
        if refused.code == "no_service_point":
            _require_specialty(session, actor, choice.specialty or "")
        raise
    visit = prepare_visit(
        session,
        actor,
        VisitRequest(
            patient_id=patient.id,
            arrival_mode="appointment" if choice.appointment else "self_referred",
            use_insurance=patient.bhyt_code is not None,
            idempotency_key=choice.keys[0],
        ),
        None,
        answer,
    )
    if visit.card_check_status == "pending":
        # Not cached and the portal did not answer in time: the background re-check goes on.
        record_card_answer(session, visit, None)
    request = visit_ticket_request(
        visit,
        patient,
        kind="examination",
        specialty=choice.specialty,
        declared_priority=choice.declared_priority,
        idempotency_key=choice.keys[1],
        via="kiosk",
    )
    # The room's number, its ticket and the boards' event first; the hospital-wide visit
    # number last (insert_visit says why), then the ticket is tied to the visit.
    ticket = queue.issue_placed(session, actor, request, placement)
    insert_visit(session, actor, visit)
    queue.link_visit(session, ticket, visit.id)
    return KioskRegistration(visit, ticket, placement.point, printer_target)


def _registered_with(
    session: Session, actor: Principal, keys: tuple[str, str], specialty: str | None
) -> KioskRegistration | None:
    visit = session.execute(select(Visit).where(Visit.idempotency_key == keys[0])).scalar()
    if visit is None:
        return None
    ticket = queue.find_by_idempotency_key(session, keys[1])
    if ticket is not None:
        point = queue.get_point(session, ticket.facility_code, ticket.service_point_code)
    else:
        # A visit registered before its number was issued (an older release issued them
        # in separate transactions): number it now, under the same key.
        ticket, point = queue.issue_ticket_with_point(
            session,
            actor,
            visit_ticket_request(
                visit,
                session.get_one(Patient, visit.patient_id),
                kind="examination",
                specialty=specialty,
                idempotency_key=keys[1],
                via="kiosk",
            ),
        )
    return KioskRegistration(visit, ticket, point, _printer_target(session, actor))


def _printer_target(session: Session, actor: Principal) -> str | None:
    device = session.get(Device, actor.id) if actor.kind == "device" else None
    return device.printer_target if device else None


def _appointment_specialty(session: Session, actor: Principal, patient_id: int) -> str:
    booked = todays_appointment(session, actor.facility_code, patient_id, service_day())
    if booked is None:
        raise DomainError(
            "kiosk_no_appointment",
            "Không có lịch hẹn tái khám hôm nay: hãy chọn chuyên khoa",
            "No follow-up appointment today: choose a specialty",
            field="appointment",
        )
    return booked.specialty


def _require_specialty(session: Session, actor: Principal, specialty: str) -> None:
    known = session.execute(
        select(ServicePoint.id)
        .where(
            ServicePoint.facility_code == actor.facility_code,
            ServicePoint.kind == "examination",
            ServicePoint.specialty == specialty,
        )
        .limit(1)
    ).first()
    if known is None:
        raise DomainError(
            "kiosk_specialty",
            f"Chuyên khoa '{specialty}' không có ở bệnh viện",
            f"No examination rooms for '{specialty}'",
            field="specialty",
        )


def _card_request(session: Session, actor: Principal, patient: Patient) -> CardCheckRequest | None:
    """The portal question for this patient's card, if there is a card and an officer on
    duty in whose name to ask."""
    if not patient.bhyt_code:
        return None
    officer = duty_officer_for(session, actor)
    if officer is None or not officer.cccd:
        return None
    return CardCheckRequest(
        card_code=patient.bhyt_code,
        full_name=patient.full_name,
        staff_name=officer.full_name,
        staff_cccd=officer.cccd,
        date_of_birth=patient.date_of_birth,
        year_of_birth=None if patient.date_of_birth else patient.birth_year,
    )


def kiosk_take_number(
    db: Database, actor: Principal, kind: str, idempotency_key: str, declared_priority: str | None
) -> Ticket:
    if kind not in TAKE_A_NUMBER_KINDS:
        raise DomainError(
            "kiosk_service",
            "Dịch vụ này cần đăng ký khám trước",
            "This service needs a registered visit",
            field="kind",
        )
    with gate.transactions:
        return queue.issue_ticket_once(
            db,
            actor,
            queue.TicketRequest(
                kind=kind,
                priority_group=declared_priority,
                via="kiosk",
                idempotency_key=f"{idempotency_key}:number",
            ),
        )
