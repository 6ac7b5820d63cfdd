"""Rules of inter-hospital consultations: scheduling with the participating hospitals and a
video link, sharing chosen results and images, recording the conclusion as minutes,
cancelling with a reason, and counting them for the hospital's reports.

Only verified results are shared (what the patient could also see); imaging items carry
their study so the other hospitals' doctors can be shown the images in the meeting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.consultations.models import (
    Consultation,
    ConsultationParticipant,
    ConsultationSharedItem,
)
from smarthis.db import utcnow
from smarthis.documents.service import signatures_of
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.integrations.dicom.models import ImagingStudy
from smarthis.orders.models import LabResult, Order, OrderItem, Report
from smarthis.patients.models import Patient
from smarthis.patients.service import get_patient
from smarthis.security import audit
from smarthis.security.models import Staff
from smarthis.security.principal import Principal

ROLES = ("chair", "secretary", "member")
ROLE_NAMES_VI = {"chair": "Chủ trì", "secretary": "Thư ký", "member": "Thành viên"}
STATUS_NAMES_VI = {"scheduled": "Đã lên lịch", "held": "Đã hội chẩn", "cancelled": "Đã huỷ"}
FACILITY_CODE_RE = re.compile(r"^[0-9A-Z]{5}$")
MAX_TEXT = 8000
# A meeting may be recorded a little after it started; never scheduled in the past.
SCHEDULING_GRACE = timedelta(minutes=30)


def _error(code: str, vi: str, en: str, field: str) -> DomainError:
    return DomainError(code, vi, en, field=field)


@dataclass(frozen=True)
class ParticipantInput:
    hospital_code: str
    hospital_name: str
    doctor_name: str
    role: str = "member"
    title: str | None = None
    staff_login: str | None = None  # for this hospital's doctors


@dataclass(frozen=True)
class ConsultationInput:
    patient_id: int
    question: str
    case_summary: str
    scheduled_at: datetime
    video_link: str
    participants: Sequence[ParticipantInput]
    visit_id: int | None = None


@dataclass
class SharedResult:
    order_item_id: int
    service_name: str
    kind: str
    verified_at: datetime | None
    values: list[tuple[str, str, str, str]]  # analyte, value, unit, flag
    conclusion: str | None
    study_instance_uid: str | None
    images: int


@dataclass
class ConsultationView:
    consultation: Consultation
    patient: Patient
    participants: list[ConsultationParticipant]
    shared: list[SharedResult]
    minutes_signed: bool = False


def _text(value: str, field: str, what_vi: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise _error("consultation_text_missing", f"Cần nhập {what_vi}", f"{field} is empty", field)
    if len(cleaned) > MAX_TEXT:
        raise _error(
            "consultation_text_too_long",
            f"{what_vi.capitalize()} quá dài (tối đa {MAX_TEXT} ký tự)",
            f"{field} is longer than {MAX_TEXT} characters",
            field,
        )
    return cleaned


def _video_link(link: str) -> str:
    parts = urlsplit((link or "").strip())
    if parts.scheme != "https" or not parts.hostname or len(link) > 500:
        raise _error(
            "consultation_video_link",
            "Đường dẫn họp trực tuyến phải là địa chỉ https:// đầy đủ",
            "The video link must be a full https:// address",
            "video_link",
        )
    return link.strip()


def _check_participants(
    session: Session, actor: Principal, participants: Sequence[ParticipantInput]
) -> None:
    for position, p in enumerate(participants):
        field = f"participants.{position}"
        if not FACILITY_CODE_RE.match(p.hospital_code or ""):
            raise _error(
                "consultation_hospital_code",
                "Mã cơ sở KBCB gồm 5 ký tự (chữ in hoa hoặc số)",
                "A hospital code (MA_CSKCB) is 5 capital letters or digits",
                f"{field}.hospital_code",
            )
        _text(p.hospital_name, f"{field}.hospital_name", "tên bệnh viện")
        _text(p.doctor_name, f"{field}.doctor_name", "họ tên bác sĩ")
        if p.role not in ROLES:
            raise _error(
                "consultation_role",
                "Vai trò phải là chủ trì, thư ký hoặc thành viên",
                f"role must be one of {', '.join(ROLES)}",
                f"{field}.role",
            )
        if p.staff_login is not None:
            staff = session.scalars(
                select(Staff).where(
                    Staff.login == p.staff_login, Staff.facility_code == actor.facility_code
                )
            ).one_or_none()
            if staff is None or p.hospital_code != actor.facility_code:
                raise _error(
                    "consultation_staff_unknown",
                    f"Không có nhân viên {p.staff_login} của bệnh viện",
                    f"No staff member {p.staff_login} at this hospital",
                    f"{field}.staff_login",
                )
    hospitals = {p.hospital_code for p in participants}
    if actor.facility_code not in hospitals or len(hospitals) < 2:
        raise _error(
            "consultation_hospitals",
            "Hội chẩn liên viện cần bác sĩ của bệnh viện mình và ít nhất một bệnh viện khác",
            "An inter-hospital consultation needs doctors from this and another hospital",
            "participants",
        )
    if sum(p.role == "chair" for p in participants) != 1:
        raise _error(
            "consultation_chair",
            "Cần đúng một người chủ trì hội chẩn",
            "Exactly one participant chairs the consultation",
            "participants",
        )


def schedule(session: Session, actor: Principal, given: ConsultationInput) -> Consultation:
    patient = get_patient(session, actor, given.patient_id)
    if given.visit_id is not None:
        visit = session.get(Visit, given.visit_id)
        if visit is None or visit.patient_id != patient.id:
            raise NotFound(
                "consultation_visit",
                "Không có lượt khám này của người bệnh",
                "No such visit",
                field="visit_id",
            )
    when = given.scheduled_at
    if when.tzinfo is None:
        raise _error(
            "consultation_time_zone",
            "Thời gian cần có múi giờ",
            "Time needs a zone",
            "scheduled_at",
        )
    if when < utcnow() - SCHEDULING_GRACE:
        raise _error(
            "consultation_in_past",
            "Thời gian hội chẩn đã qua",
            "The consultation time is in the past",
            "scheduled_at",
        )
    _check_participants(session, actor, given.participants)
    consultation = Consultation(
        facility_code=actor.facility_code,
        patient_id=patient.id,
        visit_id=given.visit_id,
        question=_text(given.question, "question", "vấn đề cần hội chẩn"),
        case_summary=_text(given.case_summary, "case_summary", "tóm tắt bệnh án"),
        scheduled_at=when,
        video_link=_video_link(given.video_link),
        status="scheduled",
        created_by=actor.name,
    )
    session.add(consultation)
    session.flush()
    for position, p in enumerate(given.participants):
        session.add(
            ConsultationParticipant(
                facility_code=actor.facility_code,
                consultation_id=consultation.id,
                position=position,
                hospital_code=p.hospital_code,
                hospital_name=p.hospital_name.strip(),
                doctor_name=p.doctor_name.strip(),
                title=(p.title or "").strip() or None,
                role=p.role,
                staff_login=p.staff_login,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.schedule",
        patient_id=patient.id,
        detail={"consultation": consultation.id, "hospitals": len(given.participants)},
    )
    return consultation


def _consultation(
    session: Session, actor: Principal, consultation_id: int, *, lock: bool = False
) -> Consultation:
    query = select(Consultation).where(
        Consultation.id == consultation_id, Consultation.facility_code == actor.facility_code
    )
    found = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if found is None:
        raise NotFound(
            "consultation_not_found",
            "Không có cuộc hội chẩn này",
            "No such consultation",
            field="consultation_id",
        )
    return found


def _require_scheduled(consultation: Consultation) -> None:
    if consultation.status != "scheduled":
        raise Conflict(
            "consultation_closed",
            f"Cuộc hội chẩn đã {STATUS_NAMES_VI[consultation.status].lower()}",
            f"The consultation is {consultation.status}",
            field="consultation_id",
        )


def share_items(
    session: Session, actor: Principal, consultation_id: int, order_item_ids: Sequence[int]
) -> list[int]:
    """Share verified results or imaging of the patient; sharing twice is harmless."""
    consultation = _consultation(session, actor, consultation_id, lock=True)
    _require_scheduled(consultation)
    rows = session.execute(
        select(OrderItem.id, OrderItem.status)
        .join(Order, Order.id == OrderItem.order_id)
        .where(OrderItem.id.in_(order_item_ids), Order.patient_id == consultation.patient_id)
    ).all()
    found = {row.id: row.status for row in rows}
    for item_id in order_item_ids:
        if item_id not in found:
            raise _error(
                "consultation_item_not_patients",
                "Kết quả này không thuộc người bệnh được hội chẩn",
                "This result is not the patient's",
                "order_item_ids",
            )
        if found[item_id] != "verified":
            raise _error(
                "consultation_item_not_verified",
                "Chỉ chia sẻ kết quả đã được duyệt",
                "Only verified results may be shared",
                "order_item_ids",
            )
    already = set(
        session.scalars(
            select(ConsultationSharedItem.order_item_id).where(
                ConsultationSharedItem.consultation_id == consultation.id
            )
        )
    )
    added = [i for i in dict.fromkeys(order_item_ids) if i not in already]
    for item_id in added:
        session.add(
            ConsultationSharedItem(
                facility_code=actor.facility_code,
                consultation_id=consultation.id,
                order_item_id=item_id,
                shared_by=actor.name,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.share",
        patient_id=consultation.patient_id,
        detail={"consultation": consultation.id, "items": added},
    )
    return added


def conclude(
    session: Session,
    actor: Principal,
    consultation_id: int,
    conclusion: str,
    treatment_plan: str | None = None,
) -> Consultation:
    consultation = _consultation(session, actor, consultation_id, lock=True)
    _require_scheduled(consultation)
    consultation.conclusion = _text(conclusion, "conclusion", "kết luận hội chẩn")
    plan = (treatment_plan or "").strip()
    consultation.treatment_plan = _text(plan, "treatment_plan", "hướng điều trị") if plan else None
    consultation.status = "held"
    consultation.held_at = utcnow()
    consultation.concluded_by = actor.name
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.conclude",
        patient_id=consultation.patient_id,
        detail={"consultation": consultation.id},
    )
    return consultation


def attach_minutes(
    session: Session, actor: Principal, consultation_id: int, document_id: int
) -> None:
    """Link the signed minutes (a document of the patient's registry) to the consultation."""
    consultation = _consultation(session, actor, consultation_id, lock=True)
    consultation.minutes_document_id = document_id
    session.flush()


def cancel(session: Session, actor: Principal, consultation_id: int, reason: str) -> Consultation:
    consultation = _consultation(session, actor, consultation_id, lock=True)
    _require_scheduled(consultation)
    consultation.cancel_reason = _text(reason, "reason", "lý do huỷ")
    consultation.status = "cancelled"
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.cancel",
        patient_id=consultation.patient_id,
        detail={"consultation": consultation.id, "reason": consultation.cancel_reason},
    )
    return consultation


def _shared(session: Session, consultation_id: int) -> list[SharedResult]:
    items = session.execute(
        select(OrderItem)
        .join(ConsultationSharedItem, ConsultationSharedItem.order_item_id == OrderItem.id)
        .where(ConsultationSharedItem.consultation_id == consultation_id)
        .order_by(ConsultationSharedItem.id)
    ).scalars()
    shared = []
    for item in items:
        values = session.scalars(
            select(LabResult)
            .where(
                LabResult.order_item_id == item.id,
                LabResult.superseded_by_id.is_(None),
                LabResult.verified_at.is_not(None),
            )
            .order_by(LabResult.id)
        ).all()
        report = session.scalars(
            select(Report).where(
                Report.order_item_id == item.id,
                Report.superseded_by_id.is_(None),
                Report.verified_at.is_not(None),
            )
        ).first()
        study = session.scalars(
            select(ImagingStudy).where(ImagingStudy.order_item_id == item.id)
        ).first()
        verified = [v.verified_at for v in values] + ([report.verified_at] if report else [])
        shared.append(
            SharedResult(
                order_item_id=item.id,
                service_name=item.service_name,
                kind=item.kind,
                verified_at=max((v for v in verified if v), default=None),
                values=[(v.analyte_code, v.value_text, v.unit, v.flag) for v in values],
                conclusion=report.conclusion if report else None,
                study_instance_uid=study.study_instance_uid if study else None,
                images=study.instances_count if study else 0,
            )
        )
    return shared


def view(session: Session, actor: Principal, consultation_id: int) -> ConsultationView:
    consultation = _consultation(session, actor, consultation_id)
    patient = get_patient(session, actor, consultation.patient_id)
    participants = list(
        session.scalars(
            select(ConsultationParticipant)
            .where(ConsultationParticipant.consultation_id == consultation.id)
            .order_by(ConsultationParticipant.position)
        )
    )
    audit.record(
        session,
        actor,
        "consultation.read",
        patient_id=patient.id,
        detail={"consultation": consultation.id},
    )
    signed = False
    if consultation.minutes_document_id is not None:
        signed = bool(
            signatures_of(session, [consultation.minutes_document_id])[
                consultation.minutes_document_id
            ]
        )
    return ConsultationView(
        consultation, patient, participants, _shared(session, consultation.id), signed
    )


def listing(
    session: Session, actor: Principal, start: datetime, end: datetime
) -> list[tuple[Consultation, Patient]]:
    """The consultations scheduled in [start, end), with their patients (audited as one read)."""
    rows = session.execute(
        select(Consultation, Patient)
        .join(Patient, Patient.id == Consultation.patient_id)
        .where(
            Consultation.facility_code == actor.facility_code,
            Consultation.scheduled_at >= start,
            Consultation.scheduled_at < end,
        )
        .order_by(Consultation.scheduled_at, Consultation.id)
    ).all()
    if rows:
        audit.record(
            session,
            actor,
            "consultation.list",
            detail={"patients": sorted({patient.id for _, patient in rows})},
        )
    return [(c, p) for c, p in rows]


def counts(session: Session, facility_code: str, start: datetime, end: datetime) -> dict[str, int]:
    """How many consultations were scheduled, held and cancelled in [start, end): the figure
    the hospital reports, by the day each was scheduled for."""
    found = dict.fromkeys(STATUS_NAMES_VI, 0)
    rows = session.execute(
        select(Consultation.status, func.count())
        .where(
            Consultation.facility_code == facility_code,
            Consultation.scheduled_at >= start,
            Consultation.scheduled_at < end,
        )
        .group_by(Consultation.status)
    )
    for status, count in rows:
        found[status] = count
    return found
