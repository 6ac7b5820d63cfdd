"""Kiosk self-service: identify by card, show the insurance answer in plain words, choose a
specialty, get a number — the same rules and the same queue as the reception desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from smarthis.clinical.models import Visit
from smarthis.clinical.service import VisitRequest, register_visit
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.insurance.card_check import check_card
from smarthis.insurance.portal_client import (
    CardCheckPortal,
    CardCheckRequest,
    PortalUnavailable,
)
from smarthis.insurance.result_codes import ReceptionAction
from smarthis.patients import identifiers as ids
from smarthis.patients.identify import DocumentInput, identify
from smarthis.patients.models import Patient
from smarthis.patients.service import Registration
from smarthis.queueing import service as queue
from smarthis.queueing.flows import ticket_for_visit
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.setup import TAKE_A_NUMBER_KINDS
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
) -> InsuranceSummary:
    if not patient.bhyt_code:
        return _summary("no_card")
    card = ids.parse_bhyt(patient.bhyt_code)
    with db.session() as session:
        officer = duty_officer_for(session, actor)
    if officer is None or not officer.cccd:
        return _summary("not_verified", card_code=patient.bhyt_code)
    request = CardCheckRequest(
        card_code=patient.bhyt_code,
        full_name=patient.full_name,
        staff_name=officer.full_name,
        staff_cccd=officer.cccd,
        date_of_birth=patient.date_of_birth,
        year_of_birth=None if patient.date_of_birth else patient.birth_year,
    )
    try:
        answer, _cached = check_card(
            db, portal, actor.facility_code, request, settings.bhxh_cache_seconds
        )
    except PortalUnavailable:
        return _summary("not_verified", card_code=patient.bhyt_code)
    result = answer.result
    if not result.verified:
        status = "not_verified"
    else:
        status = {
            ReceptionAction.PROCEED_WITH_INSURANCE: "verified",
            ReceptionAction.PROCEED_AFTER_ID_CHECK: "verified_check_id",
        }.get(result.action, "rejected")
    code_in_use = answer.card_code_to_use or patient.bhyt_code
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


def kiosk_identify(
    db: Database,
    actor: Principal,
    portal: CardCheckPortal,
    settings: Settings,
    document: DocumentInput,
) -> tuple[Registration, InsuranceSummary]:
    registration = identify(db, actor, document)
    return registration, insurance_summary(db, actor, portal, settings, registration.patient)


def kiosk_register(
    db: Database,
    actor: Principal,
    portal: CardCheckPortal,
    settings: Settings,
    *,
    patient_id: int,
    specialty: str,
    idempotency_key: str,
    declared_priority: str | None = None,
) -> tuple[Visit, Ticket]:
    """One touch: the visit (card checked, answer cached from identification) and its number.
    Retrying with the same key returns the same visit and ticket."""
    with db.session() as session:
        patient = session.get(Patient, patient_id)
        has_card = patient is not None and patient.bhyt_code is not None
        known = session.execute(
            select(func.count())
            .select_from(ServicePoint)
            .where(
                ServicePoint.facility_code == actor.facility_code,
                ServicePoint.kind == "examination",
                ServicePoint.specialty == specialty,
            )
        ).scalar_one()
    if not known:
        raise DomainError(
            "kiosk_specialty",
            f"Chuyên khoa '{specialty}' không có ở bệnh viện",
            f"No examination rooms for '{specialty}'",
            field="specialty",
        )
    visit = register_visit(
        db,
        actor,
        portal,
        settings,
        VisitRequest(
            patient_id=patient_id,
            arrival_mode="self_referred",
            use_insurance=has_card,
            idempotency_key=f"{idempotency_key}:visit",
        ),
    )
    ticket = ticket_for_visit(
        db,
        actor,
        visit.id,
        kind="examination",
        specialty=specialty,
        declared_priority=declared_priority,
        idempotency_key=f"{idempotency_key}:ticket",
        via="kiosk",
    )
    return visit, ticket


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
