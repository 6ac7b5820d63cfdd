"""The outpatient examination: start, vital signs, ICD-10 diagnoses, conclusion.

Rules only (no HTTP). Every read and change is audited with the patient's id, every step
of the visit is timestamped (`visit_steps`), and starting or concluding is announced on the
event bus (topic "visit") so that other screens update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smarthis import events
from smarthis.billing.charges import charge_examination
from smarthis.catalogs.icd10 import find_icd10
from smarthis.catalogs.icd10_search import DiagnosisWarning, check_diagnoses
from smarthis.clinical.categories import category_codes
from smarthis.clinical.examination_models import (
    Examination,
    VisitDiagnosis,
    VisitStep,
    VitalSigns,
)
from smarthis.clinical.models import Visit
from smarthis.db import MAX_ID, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.integrations.emr.outbound import queue_visit_export
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.queueing.models import Ticket
from smarthis.security import audit
from smarthis.security.principal import Principal
from smarthis.security.service import get_staff_by_login

CONCLUSIONS: tuple[str, ...] = ("home", "follow_up", "admit", "referral")
CONCLUSION_NAMES_VI = {
    "home": "Cho về (kê đơn điều trị ngoại trú)",
    "follow_up": "Hẹn tái khám",
    "admit": "Nhập viện điều trị nội trú",
    "referral": "Chuyển tuyến / chuyển viện",
}
STEP_NAMES_VI = {
    "registered": "Đăng ký khám",
    "called": "Được gọi vào phòng khám",
    "examination_started": "Bắt đầu khám",
    "vitals_recorded": "Đo dấu hiệu sinh tồn",
    "diagnosed": "Ghi chẩn đoán",
    "concluded": "Kết thúc khám",
    "paid": "Thanh toán viện phí",  # recorded by billing when an invoice is fully paid
}
# Other domains may move an open visit on (waiting for results...): only these close it.
CLOSED_STATUSES = ("concluded", "cancelled")


# --- errors ------------------------------------------------------------------------------


class DiagnosisProblems(DomainError):
    """Diagnoses refused (errors) or waiting for the doctor's confirmation (warnings): the
    answer lists every problem so the screen can show them all at once."""

    def __init__(
        self, code: str, vi: str, en: str, problems: Sequence[DiagnosisWarning], status: int
    ) -> None:
        super().__init__(code, vi, en, field="diagnoses")
        self.problems = list(problems)
        self.status_code = status

    def as_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return {**super().as_dict(), "problems": [problem_dict(p) for p in self.problems]}


def problem_dict(problem: DiagnosisWarning) -> dict[str, Any]:
    return {
        "code": problem.code,
        "icd": problem.icd,
        "role": problem.role,
        "severity": problem.severity,
        "message": problem.message_vi,
        "message_en": problem.message_en,
    }


# --- lookups and steps -------------------------------------------------------------------


def _visit(session: Session, actor: Principal, visit_id: int, *, lock: bool = False) -> Visit:
    visit = None
    if 1 <= visit_id <= MAX_ID:
        query = select(Visit).where(Visit.id == visit_id)
        if lock:
            query = query.with_for_update()
        visit = session.execute(query).scalar_one_or_none()
    if visit is None or visit.facility_code != actor.facility_code:
        raise NotFound(
            "visit_not_found",
            f"Không có lượt khám số {visit_id}",
            f"No visit {visit_id}",
            field="visit_id",
        )
    return visit


def _examination(session: Session, visit_id: int) -> Examination | None:
    return session.execute(
        select(Examination).where(Examination.visit_id == visit_id)
    ).scalar_one_or_none()


def _require_open(visit: Visit) -> None:
    if visit.status in CLOSED_STATUSES:
        raise Conflict(
            "visit_closed",
            "Lượt khám đã kết thúc, không sửa được nữa",
            "The visit is concluded and can no longer be changed",
            field="visit_id",
        )


def _require_started(session: Session, visit: Visit) -> Examination:
    _require_open(visit)
    exam = _examination(session, visit.id)
    if exam is None:
        raise Conflict(
            "examination_not_started",
            "Bác sĩ chưa bắt đầu khám lượt này",
            "The examination of this visit has not been started",
            field="visit_id",
        )
    return exam


def record_step(
    session: Session, visit: Visit, step: str, by: str, at: datetime | None = None
) -> VisitStep:
    """Timestamp a step of the visit (other domains call this for theirs)."""
    row = VisitStep(
        facility_code=visit.facility_code, visit_id=visit.id, step=step, at=at or utcnow(), by=by
    )
    session.add(row)
    return row


def _announce(session: Session, visit: Visit, kind: str) -> None:
    events.emit(
        session,
        {
            "topic": "visit",
            "facility": visit.facility_code,
            "visit_id": visit.id,
            "kind": kind,
            "status": visit.status,
            "at": utcnow().isoformat(),
        },
    )


# --- start -------------------------------------------------------------------------------


def start_examination(
    session: Session,
    actor: Principal,
    visit_id: int,
    *,
    reason: str | None = None,
    history: str | None = None,
) -> Examination:
    """The doctor opens the visit from the room's console. Starting twice is harmless."""
    visit = _visit(session, actor, visit_id, lock=True)
    _require_open(visit)
    exam = _examination(session, visit.id)
    if exam is not None:
        audit.record(session, actor, "examination.read", patient_id=visit.patient_id)
        return exam
    exam = Examination(
        facility_code=visit.facility_code,
        visit_id=visit.id,
        reason=_clean(reason),
        history=_clean(history),
        started_at=utcnow(),
        started_by=actor.name,
    )
    session.add(exam)
    visit.status = "in_examination"
    record_step(session, visit, "examination_started", actor.name, at=exam.started_at)
    session.flush()
    charge_examination(session, visit, exam, actor.name)  # the examination fee
    audit.record(
        session,
        actor,
        "examination.start",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number},
    )
    _announce(session, visit, "examination_started")
    return exam


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def update_notes(
    session: Session, actor: Principal, visit_id: int, notes: dict[str, str | None]
) -> Examination:
    """Reason, history, examination notes, advice: only the keys given change."""
    allowed = {"reason", "history", "examination_notes", "advice"}
    visit = _visit(session, actor, visit_id, lock=True)
    exam = _require_started(session, visit)
    for key, value in notes.items():
        if key not in allowed:
            raise DomainError(
                "examination_field", "Trường không sửa được", f"{key} cannot be set", field=key
            )
        setattr(exam, key, _clean(value))
    audit.record(
        session,
        actor,
        "examination.notes",
        patient_id=visit.patient_id,
        detail={"fields": sorted(notes)},
    )
    return exam


# --- vital signs -------------------------------------------------------------------------


@dataclass
class VitalsInput:
    pulse: int | None = None
    temperature_c: float | None = None
    systolic: int | None = None
    diastolic: int | None = None
    respiratory_rate: int | None = None
    spo2: int | None = None
    height_cm: float | None = None
    weight_kg: float | None = None


@dataclass(frozen=True)
class Plausible:
    low: float
    high: float
    unit: str
    name_vi: str
    name_en: str


# Wide enough for newborns and the critically ill; narrow enough to catch typing slips
# (a temperature of 375, a weight typed in grams).
PLAUSIBLE: dict[str, Plausible] = {
    "pulse": Plausible(20, 250, "lần/phút", "Mạch", "Pulse"),
    "temperature_c": Plausible(30, 45, "°C", "Nhiệt độ", "Temperature"),
    "systolic": Plausible(40, 300, "mmHg", "Huyết áp tâm thu", "Systolic pressure"),
    "diastolic": Plausible(20, 200, "mmHg", "Huyết áp tâm trương", "Diastolic pressure"),
    "respiratory_rate": Plausible(4, 80, "lần/phút", "Nhịp thở", "Respiratory rate"),
    "spo2": Plausible(50, 100, "%", "SpO2", "SpO2"),
    "height_cm": Plausible(30, 250, "cm", "Chiều cao", "Height"),
    "weight_kg": Plausible(0.5, 350, "kg", "Cân nặng", "Weight"),
}


def body_mass_index(height_cm: float | None, weight_kg: float | None) -> float | None:
    """kg / m², one decimal; None unless both are known."""
    if not height_cm or not weight_kg:
        return None
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


def validate_vitals(values: VitalsInput) -> VitalsInput:
    given = {f.name: getattr(values, f.name) for f in fields(values)}
    if all(value is None for value in given.values()):
        raise DomainError(
            "vitals_empty",
            "Chưa nhập chỉ số sinh tồn nào",
            "No vital sign was given",
            field="vitals",
        )
    for name, value in given.items():
        if value is None:
            continue
        rule = PLAUSIBLE[name]
        if not rule.low <= value <= rule.high:
            raise DomainError(
                f"vitals_{name}_range",
                f"{rule.name_vi} {value:g} {rule.unit} không hợp lý "
                f"(từ {rule.low:g} đến {rule.high:g} {rule.unit})",
                f"{rule.name_en} {value:g} {rule.unit} is implausible "
                f"(expected {rule.low:g} to {rule.high:g} {rule.unit})",
                field=name,
            )
    if (values.systolic is None) != (values.diastolic is None):
        missing = "diastolic" if values.diastolic is None else "systolic"
        raise DomainError(
            "vitals_blood_pressure_pair",
            "Huyết áp cần đủ cả tâm thu và tâm trương",
            "Blood pressure needs both systolic and diastolic values",
            field=missing,
        )
    systolic, diastolic = values.systolic, values.diastolic
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise DomainError(
            "vitals_blood_pressure_order",
            f"Huyết áp tâm trương ({diastolic}) phải nhỏ hơn tâm thu ({systolic})",
            f"Diastolic ({diastolic}) must be lower than systolic ({systolic})",
            field="diastolic",
        )
    return values


def record_vitals(
    session: Session, actor: Principal, visit_id: int, values: VitalsInput
) -> VitalSigns:
    """A nurse may measure before the doctor starts; nothing after the visit is concluded."""
    validate_vitals(values)
    visit = _visit(session, actor, visit_id, lock=True)
    _require_open(visit)
    row = VitalSigns(
        facility_code=visit.facility_code,
        visit_id=visit.id,
        measured_at=utcnow(),
        measured_by=actor.name,
        bmi=body_mass_index(values.height_cm, values.weight_kg),
        **{f.name: getattr(values, f.name) for f in fields(values)},
    )
    session.add(row)
    record_step(session, visit, "vitals_recorded", actor.name, at=row.measured_at)
    session.flush()
    audit.record(
        session,
        actor,
        "vitals.record",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number, "vital_signs_id": row.id},
    )
    return row


# --- diagnoses ---------------------------------------------------------------------------


@dataclass
class DiagnosisOutcome:
    diagnoses: list[VisitDiagnosis]
    # Warnings the doctor confirmed (sex-specific code, a code twice): kept for the record.
    confirmed_warnings: list[DiagnosisWarning] = field(default_factory=list)


def _patient_sex(session: Session, visit: Visit) -> str | None:
    patient = session.get(Patient, visit.patient_id)
    return patient.sex if patient is not None else None


def set_diagnoses(
    session: Session,
    actor: Principal,
    visit_id: int,
    main: str | None,
    secondary: Sequence[str],
    *,
    confirm_warnings: bool = False,
) -> DiagnosisOutcome:
    """Replace the visit's diagnoses. Errors refuse the change; warnings refuse it until
    the doctor confirms them (`confirm_warnings`)."""
    visit = _visit(session, actor, visit_id, lock=True)
    _require_started(session, visit)
    problems = check_diagnoses(main, secondary, _patient_sex(session, visit))
    errors = [p for p in problems if p.blocks_conclusion]
    warnings = [p for p in problems if not p.blocks_conclusion]
    if errors:
        first = errors[0]
        raise DiagnosisProblems(
            "diagnosis_rejected", first.message_vi, first.message_en, problems, 422
        )
    if warnings and not confirm_warnings:
        first = warnings[0]
        raise DiagnosisProblems(
            "diagnosis_needs_confirmation",
            f"{first.message_vi}. Xác nhận để lưu",
            f"{first.message_en}; confirm to save",
            warnings,
            409,
        )
    session.execute(delete(VisitDiagnosis).where(VisitDiagnosis.visit_id == visit.id))
    now = utcnow()
    rows: list[VisitDiagnosis] = []
    seen: set[str] = set()
    entered = [(True, main)] + [(False, code) for code in secondary]
    for is_main, typed in entered:
        if not typed or not typed.strip():
            continue
        entry = find_icd10(typed.strip())
        assert entry is not None  # unknown codes are errors above
        if entry.code_plain in seen:
            continue  # a confirmed duplicate is recorded once
        seen.add(entry.code_plain)
        row = VisitDiagnosis(
            facility_code=visit.facility_code,
            visit_id=visit.id,
            icd_code=entry.code,
            is_main=is_main,
            position=len(rows),
            name_vi=entry.name_vi,
            added_by=actor.name,
            added_at=now,
        )
        session.add(row)
        rows.append(row)
    record_step(session, visit, "diagnosed", actor.name, at=now)
    session.flush()
    audit.record(
        session,
        actor,
        "diagnosis.set",
        patient_id=visit.patient_id,
        detail={
            "codes": [r.icd_code for r in rows],
            "confirmed_warnings": [f"{w.code}:{w.icd}" for w in warnings],
        },
    )
    return DiagnosisOutcome(rows, warnings)


def diagnoses_of(session: Session, visit_id: int) -> list[VisitDiagnosis]:
    return list(
        session.execute(
            select(VisitDiagnosis)
            .where(VisitDiagnosis.visit_id == visit_id)
            .order_by(VisitDiagnosis.position)
        ).scalars()
    )


# --- conclusion --------------------------------------------------------------------------


@dataclass
class ConclusionInput:
    conclusion: str
    category: str | None = None  # MA_DOITUONG_KCB confirmed; None keeps the proposed one
    follow_up_date: date | None = None
    referral_to: str | None = None
    referral_reason: str | None = None
    advice: str | None = None


def hospital_today() -> date:
    return utcnow().astimezone(HOSPITAL_TZ).date()


def _validate_conclusion(given: ConclusionInput, today: date) -> None:
    if given.conclusion not in CONCLUSIONS:
        raise DomainError(
            "conclusion_kind",
            "Hướng xử trí không hợp lệ",
            f"conclusion must be one of {', '.join(CONCLUSIONS)}",
            field="conclusion",
        )
    if given.conclusion == "follow_up":
        if given.follow_up_date is None:
            raise DomainError(
                "follow_up_date_missing",
                "Hẹn tái khám cần ngày hẹn",
                "A follow-up needs a date",
                field="follow_up_date",
            )
        if given.follow_up_date <= today:
            raise DomainError(
                "follow_up_date_past",
                "Ngày hẹn tái khám phải sau hôm nay",
                "The follow-up date must be after today",
                field="follow_up_date",
            )
    if given.category is not None and given.category not in category_codes():
        raise DomainError(
            "visit_category_unknown",
            f"Đối tượng KCB '{given.category}' không có trong danh mục",
            f"Visit category '{given.category}' is not in the list",
            field="category",
        )
    if given.conclusion == "referral" and not _clean(given.referral_to):
        raise DomainError(
            "referral_destination_missing",
            "Chuyển tuyến cần ghi nơi chuyển đến",
            "A referral needs the destination hospital",
            field="referral_to",
        )


def conclude(
    session: Session,
    actor: Principal,
    visit_id: int,
    given: ConclusionInput,
    *,
    today: date | None = None,
) -> Examination:
    _validate_conclusion(given, today or hospital_today())
    visit = _visit(session, actor, visit_id, lock=True)
    exam = _require_started(session, visit)
    diagnoses = diagnoses_of(session, visit.id)
    main = next((d.icd_code for d in diagnoses if d.is_main), None)
    if main is None:
        raise DomainError(
            "conclusion_main_diagnosis_missing",
            "Cần chẩn đoán chính trước khi kết thúc khám",
            "A main diagnosis is required to conclude the visit",
            field="diagnoses",
        )
    secondary = [d.icd_code for d in diagnoses if not d.is_main]
    blocking = [
        p
        for p in check_diagnoses(main, secondary, _patient_sex(session, visit))
        if p.blocks_conclusion
    ]
    if blocking:
        raise DiagnosisProblems(
            "diagnosis_rejected", blocking[0].message_vi, blocking[0].message_en, blocking, 422
        )
    now = utcnow()
    exam.conclusion = given.conclusion
    exam.follow_up_date = given.follow_up_date if given.conclusion == "follow_up" else None
    is_referral = given.conclusion == "referral"
    exam.referral_to = _clean(given.referral_to) if is_referral else None
    exam.referral_reason = _clean(given.referral_reason) if is_referral else None
    if given.advice is not None:
        exam.advice = _clean(given.advice)
    exam.concluded_at = now
    exam.concluded_by = actor.name
    if visit.uses_insurance or given.category is not None:
        visit.confirmed_category = given.category or visit.proposed_category
        visit.category_confirmed_by = actor.name
    visit.status = "concluded"
    record_step(session, visit, "concluded", actor.name, at=now)
    session.flush()
    audit.record(
        session,
        actor,
        "examination.conclude",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number, "conclusion": given.conclusion, "main": main},
    )
    _announce(session, visit, "concluded")
    queue_visit_export(session, actor, visit)  # the national EMR portal, via the outbox
    return exam


# --- the record --------------------------------------------------------------------------


@dataclass
class VisitRecord:
    visit: Visit
    patient: Patient
    examination: Examination | None
    vitals: list[VitalSigns]
    diagnoses: list[VisitDiagnosis]
    steps: list[tuple[str, datetime, str]]  # (step, at, by) in time order
    concluded_by_name: str | None = None  # the doctor's full name, for the papers


def _staff_name(session: Session, login: str | None) -> str | None:
    if not login:
        return None
    try:
        return get_staff_by_login(session, login).full_name
    except NotFound:  # a system principal or a removed account: the login is what we know
        return login


def steps_of(session: Session, visit: Visit) -> list[tuple[str, datetime, str]]:
    """Every timestamped step: the registration, the queue's first call, and the rest."""
    steps = [
        (row.step, row.at, row.by)
        for row in session.execute(
            select(VisitStep).where(VisitStep.visit_id == visit.id).order_by(VisitStep.id)
        ).scalars()
    ]
    if not any(step == "registered" for step, _, _ in steps):
        steps.append(("registered", visit.registered_at, visit.registered_by))
    called = session.execute(
        select(Ticket.called_at, Ticket.service_point_code)
        .where(Ticket.visit_id == visit.id, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at)
        .limit(1)
    ).first()
    if called is not None and not any(step == "called" for step, _, _ in steps):
        steps.append(("called", called[0], called[1]))
    return sorted(steps, key=lambda s: s[1])


def visit_record(session: Session, actor: Principal, visit_id: int) -> VisitRecord:
    visit = _visit(session, actor, visit_id)
    patient = session.get(Patient, visit.patient_id)
    assert patient is not None
    record = VisitRecord(
        visit=visit,
        patient=patient,
        examination=_examination(session, visit.id),
        vitals=list(
            session.execute(
                select(VitalSigns)
                .where(VitalSigns.visit_id == visit.id)
                .order_by(VitalSigns.measured_at, VitalSigns.id)
            ).scalars()
        ),
        diagnoses=diagnoses_of(session, visit.id),
        steps=steps_of(session, visit),
    )
    if record.examination is not None:
        record.concluded_by_name = _staff_name(session, record.examination.concluded_by)
    audit.record(
        session,
        actor,
        "examination.read",
        patient_id=visit.patient_id,
        detail={"visit": visit.visit_number},
    )
    return record
