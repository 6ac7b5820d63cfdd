"""Visit registration at reception or kiosk, with the insurance card check.

Write first, ask the portal after: the visit is committed before the portal is called,
so a slow or absent portal never costs a registration."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.clinical.categories import ARRIVAL_MODES, propose_category
from smarthis.clinical.models import Visit
from smarthis.config import Settings
from smarthis.counters import next_value
from smarthis.db import MAX_ID, Database, utcnow
from smarthis.errors import DomainError, NotFound
from smarthis.insurance.card_check import check_card
from smarthis.insurance.portal_client import (
    CardCheckAnswer,
    CardCheckPortal,
    CardCheckRequest,
    PortalUnavailable,
)
from smarthis.insurance.result_codes import ReceptionAction
from smarthis.patients import identifiers as ids
from smarthis.patients.models import Patient
from smarthis.patients.service import get_patient, record_verified_card
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security import audit
from smarthis.security.principal import Principal, system_principal
from smarthis.security.service import duty_officer_for

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-check: take it over.
STALE_CLAIM = timedelta(minutes=5)
RECHECK_WINDOW = timedelta(days=2)

CARD_STATUS_NAMES_VI = {
    "not_requested": "Không dùng BHYT",
    "pending": "Đang kiểm tra thẻ",
    "verified": "Thẻ hợp lệ",
    "verified_check_id": "Thẻ hợp lệ — cần đối chiếu giấy tờ",
    "rejected": "Không hưởng BHYT — thu phí dịch vụ",
    "not_verified": "Chưa xác minh được thẻ",
    "needs_correction": "Thông tin thẻ cần sửa",
}


@dataclass
class VisitRequest:
    patient_id: int
    arrival_mode: str = "self_referred"
    use_insurance: bool = True
    bhyt_code: str | None = None
    idempotency_key: str | None = None


def _visit_number(session: Session, facility_code: str) -> str:
    # Numbered per hospital day, as staff and patients count days: in Vietnam's time zone.
    day = utcnow().astimezone(HOSPITAL_TZ).strftime("%y%m%d")
    return f"{day}{next_value(session, f'visit:{facility_code}:{day}'):05d}"


def _find_by_key(session: Session, key: str) -> Visit | None:
    return session.execute(select(Visit).where(Visit.idempotency_key == key)).scalar_one_or_none()


def register_visit(
    db: Database,
    actor: Principal,
    portal: CardCheckPortal,
    settings: Settings,
    request: VisitRequest,
) -> Visit:
    if request.arrival_mode not in ARRIVAL_MODES:
        raise DomainError(
            "visit_arrival_mode",
            "Hình thức đến khám không hợp lệ",
            f"arrival_mode must be one of {', '.join(ARRIVAL_MODES)}",
            field="arrival_mode",
        )
    card_code = None
    if request.bhyt_code:
        card = ids.parse_bhyt(request.bhyt_code)
        card_code = card.code or card.bhxh_number
    try:
        visit = _create_visit(db, actor, request, card_code)
    except IntegrityError:
        # The same idempotency key won a concurrent race: the client is retrying.
        with db.session() as session:
            existing = _find_by_key(session, request.idempotency_key or "")
        if existing is None:
            raise
        return existing
    if visit.card_check_status == "pending":
        visit = run_card_check(db, portal, settings, visit.id)
    return visit


def _create_visit(
    db: Database, actor: Principal, request: VisitRequest, card_code: str | None
) -> Visit:
    with db.session() as session:
        if request.idempotency_key:
            existing = _find_by_key(session, request.idempotency_key)
            if existing is not None:
                return existing
        return new_visit(session, actor, request, card_code)


def new_visit(
    session: Session,
    actor: Principal,
    request: VisitRequest,
    card_code: str | None,
    card_answer: CardCheckAnswer | None = None,
) -> Visit:
    """Insert the visit in the caller's transaction, its card check still to be done, or
    with the portal's `card_answer` when the caller already has it (the kiosk reads it from
    the cache): then the answer goes into the INSERT, with no UPDATE after it."""
    return insert_visit(
        session, actor, prepare_visit(session, actor, request, card_code, card_answer)
    )


def prepare_visit(
    session: Session,
    actor: Principal,
    request: VisitRequest,
    card_code: str | None,
    card_answer: CardCheckAnswer | None = None,
) -> Visit:
    """The visit as `new_visit` writes it, not yet numbered nor added to the session: a
    caller that writes other rows too numbers it last, with `insert_visit`."""
    patient = get_patient(session, actor, request.patient_id)
    card_code = card_code or patient.bhyt_code
    uses_insurance = request.use_insurance and card_code is not None
    if request.use_insurance and card_code is None:
        raise DomainError(
            "visit_card_missing",
            "Bệnh nhân chưa có mã thẻ BHYT: nhập mã thẻ hoặc chọn khám dịch vụ",
            "No BHYT card code on file: give one or register as self-paying",
            field="bhyt_code",
        )
    officer = duty_officer_for(session, actor) if uses_insurance else None
    visit = Visit(
        facility_code=actor.facility_code,
        patient_id=patient.id,
        registered_by=actor.name,
        registered_via="kiosk" if actor.role == "kiosk" else "reception",
        arrival_mode=request.arrival_mode,
        proposed_category=propose_category(
            request.arrival_mode,
            uses_insurance,
            card_registered_facility=None,
            facility_code=actor.facility_code,
        ),
        uses_insurance=uses_insurance,
        bhyt_code=card_code,
        card_check_status="pending" if uses_insurance else "not_requested",
        card_check_staff_name=officer.full_name if officer else None,
        card_check_staff_cccd=officer.cccd if officer else None,
        card_check_attempts=0,
        idempotency_key=request.idempotency_key,
    )
    if uses_insurance and (officer is None or not officer.cccd):
        visit.card_check_status = "not_verified"
        visit.card_check_message = (
            "Chưa có cán bộ trực (họ tên và CCCD) để tra cứu thẻ trên cổng BHXH"
        )
    elif card_answer is not None and visit.card_check_status == "pending":
        record_card_answer(session, visit, card_answer)
    return visit


def insert_visit(session: Session, actor: Principal, visit: Visit) -> Visit:
    """Number a prepared visit and insert it. The day's visit counter is one row for the
    whole hospital, locked until commit: every registration waits for it, so it is taken
    as late in the transaction as the caller can."""
    visit.visit_number = _visit_number(session, visit.facility_code)
    session.add(visit)
    session.flush()
    audit.record(
        session,
        actor,
        "visit.register",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number, "insurance": visit.uses_insurance},
    )
    return visit


def _status_for(answer: CardCheckAnswer) -> str:
    result = answer.result
    if not result.verified:
        return "not_verified" if result.retry_later else "needs_correction"
    return {
        ReceptionAction.PROCEED_WITH_INSURANCE: "verified",
        ReceptionAction.PROCEED_AFTER_ID_CHECK: "verified_check_id",
        ReceptionAction.PROCEED_SELF_PAY: "rejected",
    }.get(result.action, "not_verified")


def card_check_request(visit: Visit, patient: Patient) -> CardCheckRequest:
    return CardCheckRequest(
        card_code=visit.bhyt_code or "",
        full_name=patient.full_name,
        staff_name=visit.card_check_staff_name or "",
        staff_cccd=visit.card_check_staff_cccd or "",
        date_of_birth=patient.date_of_birth,
        year_of_birth=None if patient.date_of_birth else patient.birth_year,
    )


def run_card_check(
    db: Database, portal: CardCheckPortal, settings: Settings, visit_id: int
) -> Visit:
    """Ask the portal (or the cache) about a visit's card and record the answer."""
    with db.session() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("visit_not_found", "Không có lượt khám", "No such visit", "visit_id")
        patient = session.get(Patient, visit.patient_id)
        assert patient is not None
        request = card_check_request(visit, patient)
    try:
        answer, _from_cache = check_card(
            db, portal, visit.facility_code, request, settings.bhxh_cache_seconds
        )
    except PortalUnavailable as exc:
        log.info("card check for visit %s deferred: %s", visit_id, exc)
        answer = None
    with db.session() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        record_card_answer(session, visit, answer)
        return visit


def record_card_answer(session: Session, visit: Visit, answer: CardCheckAnswer | None) -> None:
    """Write the portal's answer on the visit; None means the portal could not answer in
    time, and the background re-check takes it from there."""
    visit.card_check_attempts += 1
    visit.card_check_claimed_at = None
    if answer is None:
        visit.card_check_status = "not_verified"
        visit.card_check_code = None
        visit.card_check_message = (
            "Cổng BHXH không phản hồi kịp: đã tiếp nhận, sẽ kiểm tra lại tự động"
        )
        return
    status = _status_for(answer)
    visit.card_check_status = status
    visit.card_check_code = answer.code
    visit.card_check_message = answer.result.message_vi
    visit.card_check_raw = json.dumps(answer.raw, ensure_ascii=False)
    visit.card_checked_at = utcnow()
    verified = status in ("verified", "verified_check_id")
    if answer.card_code_to_use:
        visit.bhyt_code = answer.card_code_to_use
        if verified:
            record_verified_card(
                session,
                system_principal(visit.facility_code, source="card-check"),
                visit.patient_id,
                answer.card_code_to_use,
                answer.social_insurance_number,
            )
    visit.proposed_category = propose_category(
        visit.arrival_mode,
        verified,
        card_registered_facility=answer.registered_facility_code,
        facility_code=visit.facility_code,
    )


def _claim_for_recheck(db: Database, limit: int) -> list[int]:
    """Atomically claim unverified visits; another worker's claim is skipped."""
    now = utcnow()
    claimed: list[int] = []
    with db.session() as session:
        candidates = session.execute(
            select(Visit.id)
            .where(
                Visit.card_check_status == "not_verified",
                Visit.card_check_staff_cccd.is_not(None),
                Visit.registered_at > now - RECHECK_WINDOW,
                or_(
                    Visit.card_check_claimed_at.is_(None),
                    Visit.card_check_claimed_at < now - STALE_CLAIM,
                ),
            )
            .order_by(Visit.id)
            .limit(limit)
        ).scalars()
        ids_ = list(candidates)
    for visit_id in ids_:
        with db.session() as session:
            result = session.execute(
                update(Visit)
                .where(
                    Visit.id == visit_id,
                    Visit.card_check_status == "not_verified",
                    or_(
                        Visit.card_check_claimed_at.is_(None),
                        Visit.card_check_claimed_at < now - STALE_CLAIM,
                    ),
                )
                .values(card_check_claimed_at=now)
            )
            if result.rowcount == 1:
                claimed.append(visit_id)
    return claimed


def recheck_unverified(
    db: Database, portal: CardCheckPortal, settings: Settings, limit: int = 50
) -> dict[str, int]:
    """One pass of the background re-check. Returns counts by resulting status."""
    counts: dict[str, int] = {}
    for visit_id in _claim_for_recheck(db, limit):
        visit = run_card_check(db, portal, settings, visit_id)
        counts[visit.card_check_status] = counts.get(visit.card_check_status, 0) + 1
    return counts


def unverified_visits(session: Session, actor: Principal, limit: int = 200) -> list[Visit]:
    visits = list(
        session.execute(
            select(Visit)
            .where(
                Visit.facility_code == actor.facility_code,
                Visit.card_check_status.in_(("not_verified", "needs_correction", "pending")),
            )
            .order_by(Visit.registered_at.desc())
            .limit(limit)
        ).scalars()
    )
    for visit in visits:
        audit.record(session, actor, "visit.list_unverified", patient_id=visit.patient_id)
    return visits


def find_visit(session: Session, actor: Principal, visit_id: int) -> Visit:
    """The visit of the actor's facility, or a 404 naming the number (not audited: for
    callers that audit what they do with it)."""
    visit = session.get(Visit, visit_id) if 1 <= visit_id <= MAX_ID else None
    if visit is None or visit.facility_code != actor.facility_code:
        raise NotFound(
            "visit_not_found",
            f"Không có lượt khám số {visit_id}",
            f"No visit {visit_id}",
            field="visit_id",
        )
    return visit


def get_visit(session: Session, actor: Principal, visit_id: int) -> Visit:
    visit = find_visit(session, actor, visit_id)
    audit.record(session, actor, "visit.read", patient_id=visit.patient_id)
    return visit


def move_visits(session: Session, from_patient_id: int, to_patient_id: int) -> None:
    """Used when duplicate patient records are merged: the visits follow the person."""
    session.execute(
        update(Visit).where(Visit.patient_id == from_patient_id).values(patient_id=to_patient_id)
    )
