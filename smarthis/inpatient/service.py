"""Inpatient stays: admission (from a concluded outpatient visit, the emergency room or a
referral), bed assignment and transfer, discharge. Rules only (no HTTP).

Every change is audited with the patient's id and announced on the event bus (topic
"inpatient", with the stay id and the wards it touched) so bed boards and record screens
refresh at once. Who gets a bed is decided by the database: the bed row is locked while it
is taken, and a partial unique index refuses a second open stay on the same bed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.catalogs.icd10 import find_icd10
from smarthis.clinical.examination_models import Examination, VisitDiagnosis
from smarthis.clinical.models import Visit
from smarthis.clinical.service import find_visit
from smarthis.counters import next_value
from smarthis.db import utcnow
from smarthis.errors import Conflict, DomainError
from smarthis.inpatient.bed_days import charge_bed_days, lock_for_charging
from smarthis.inpatient.common import (
    announce,
    announce_bed,
    clean,
    get_bed,
    get_stay,
    get_ward,
    require_doctor,
    require_open,
)
from smarthis.inpatient.encounter import carry_category_into_stay, open_encounter
from smarthis.inpatient.models import OPEN, Bed, BedMovement, Stay, Ward
from smarthis.patients.models import Patient
from smarthis.patients.service import find_patient
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security import audit
from smarthis.security.models import Staff
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal

ADMITTED_FROM = ("outpatient", "emergency", "referral")
ADMITTED_FROM_VI = {
    "outpatient": "Khoa Khám bệnh",
    "emergency": "Khoa Cấp cứu",
    "referral": "Tuyến dưới chuyển đến",
}
STAY_KINDS = ("inpatient", "day_care")
STAY_KINDS_VI = {"inpatient": "Nội trú", "day_care": "Điều trị ban ngày"}
DISCHARGE_KINDS_VI = {
    "recovered_or_improved": "Ra viện (khỏi, đỡ, giảm)",
    "against_advice": "Xin ra viện",
    "transferred": "Chuyển viện",
    "absconded": "Trốn viện",
    "deceased": "Tử vong",
}
BED_STATUS_VI = {
    "available": "Giường trống",
    "occupied": "Có người bệnh",
    "cleaning": "Đang dọn",
    "out_of_service": "Ngừng sử dụng",
}


# --- admission ---------------------------------------------------------------------------


@dataclass
class AdmissionInput:
    ward_code: str
    admitted_from: str = "outpatient"
    visit_id: int | None = None
    patient_id: int | None = None
    bed_code: str | None = None
    kind: str = "inpatient"
    attending_doctor: str | None = None  # login; the admitting doctor when not given
    icd_code: str | None = None  # the visit's main diagnosis when not given
    reason: str | None = None


def _main_diagnosis(session: Session, visit_id: int) -> str | None:
    return session.execute(
        select(VisitDiagnosis.icd_code).where(
            VisitDiagnosis.visit_id == visit_id, VisitDiagnosis.is_main.is_(True)
        )
    ).scalar_one_or_none()


def _source(
    session: Session, actor: Principal, given: AdmissionInput
) -> tuple[Patient, Visit | None]:
    """Who is admitted, and from which visit; an outpatient admission needs the doctor's
    conclusion "admit" on a concluded visit."""
    if given.admitted_from not in ADMITTED_FROM:
        raise DomainError(
            "admitted_from",
            "Nơi chuyển đến không hợp lệ",
            f"admitted_from must be one of {', '.join(ADMITTED_FROM)}",
            field="admitted_from",
        )
    visit = find_visit(session, actor, given.visit_id) if given.visit_id is not None else None
    if given.admitted_from == "outpatient":
        if visit is None:
            raise DomainError(
                "admission_visit_missing",
                "Nhập viện từ khoa khám bệnh cần lượt khám đã kết luận nhập viện",
                "An admission from outpatients needs the concluded visit",
                field="visit_id",
            )
        conclusion = session.execute(
            select(Examination.conclusion).where(Examination.visit_id == visit.id)
        ).scalar_one_or_none()
        if visit.status != "concluded" or conclusion != "admit":
            raise Conflict(
                "visit_not_for_admission",
                "Lượt khám chưa được bác sĩ kết luận nhập viện",
                "The visit was not concluded with an admission",
                field="visit_id",
            )
    if visit is not None:
        if given.patient_id is not None and given.patient_id != visit.patient_id:
            raise DomainError(
                "admission_patient_mismatch",
                "Lượt khám không phải của bệnh nhân này",
                "The visit belongs to another patient",
                field="patient_id",
            )
        return find_patient(session, actor, visit.patient_id), visit
    if given.patient_id is None:
        raise DomainError(
            "admission_patient_missing",
            "Cần chọn bệnh nhân nhập viện",
            "The patient to admit is missing",
            field="patient_id",
        )
    return find_patient(session, actor, given.patient_id), None


def _diagnosis(session: Session, given: AdmissionInput, visit: Visit | None) -> tuple[str, str]:
    typed = clean(given.icd_code) or (_main_diagnosis(session, visit.id) if visit else None)
    if typed is None:
        raise DomainError(
            "admission_diagnosis_missing",
            "Cần chẩn đoán vào viện (mã ICD-10)",
            "An admission diagnosis (ICD-10) is required",
            field="icd_code",
        )
    entry = find_icd10(typed)
    if entry is None:
        raise DomainError(
            "icd10_unknown",
            f"Mã ICD-10 '{typed}' không có trong danh mục",
            f"Unknown ICD-10 code '{typed}'",
            field="icd_code",
        )
    return entry.code, entry.name_vi


def _doctor(session: Session, actor: Principal, login: str) -> str:
    staff = session.execute(
        select(Staff).where(Staff.login == login.strip().lower())
    ).scalar_one_or_none()
    if staff is None or staff.facility_code != actor.facility_code or staff.role != "doctor":
        raise DomainError(
            "attending_doctor_unknown",
            f"'{login}' không phải bác sĩ của bệnh viện",
            f"'{login}' is not a doctor of this hospital",
            field="attending_doctor",
        )
    return staff.login


def _stay_number(session: Session, facility_code: str) -> str:
    year = utcnow().astimezone(HOSPITAL_TZ).year % 100
    return f"NT{year:02d}{next_value(session, f'stay:{facility_code}:{year}'):06d}"


def _bed_refusal(bed: Bed) -> Conflict:
    reasons = {
        "occupied": ("bed_occupied", "đã có người bệnh nằm", "is already occupied"),
        "cleaning": ("bed_cleaning", "đang dọn, chưa nhận người bệnh", "is being cleaned"),
        "out_of_service": ("bed_out_of_service", "đang ngừng sử dụng", "is out of service"),
    }
    code, vi, en = reasons[bed.status]
    return Conflict(code, f"Giường {bed.code} {vi}", f"Bed {bed.code} {en}", field="bed")


def _take_bed(session: Session, actor: Principal, bed_code: str) -> Bed:
    bed = get_bed(session, actor.facility_code, bed_code, lock=True)
    if bed.status != "available":
        raise _bed_refusal(bed)
    bed.status = "occupied"
    bed.status_changed_at = utcnow()
    return bed


def _release_bed(session: Session, bed_id: int | None) -> Bed | None:
    if bed_id is None:
        return None
    bed = session.get(Bed, bed_id)
    assert bed is not None
    # The bed is stripped and cleaned before the next patient: a nurse marks it ready.
    bed.status = "cleaning"
    bed.status_changed_at = utcnow()
    return bed


def _flush_or_conflict(session: Session, bed: Bed | None) -> None:
    """The partial unique indexes are the last word when two requests race."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        # SQLite names the column (inpatient_stays.patient_id), PostgreSQL the index
        # (ux_inpatient_stays_open_patient): either way the word says which rule held.
        if "patient" in str(exc.orig):
            raise _already_admitted() from None
        raise Conflict(
            "bed_occupied",
            f"Giường {bed.code if bed else ''} vừa được xếp cho người bệnh khác",
            "The bed was just given to another patient",
            field="bed",
        ) from None


def _already_admitted() -> Conflict:
    return Conflict(
        "stay_already_open",
        "Người bệnh đang điều trị nội trú, chưa ra viện",
        "The patient already has an open inpatient stay",
        field="patient_id",
    )


def _ward_code(session: Session, ward_id: int | None) -> str | None:
    ward = session.get(Ward, ward_id) if ward_id is not None else None
    return ward.code if ward else None


def _attending(session: Session, actor: Principal, named: str | None, visit: Visit | None) -> str:
    """The named doctor; else the admitting doctor; else, for a nurse receiving the
    patient, the doctor who concluded "admit" (a doctor when they concluded)."""
    if named:
        return _doctor(session, actor, named)
    if actor.role == Role.DOCTOR or visit is None:
        return actor.name
    concluded_by = session.execute(
        select(Examination.concluded_by).where(Examination.visit_id == visit.id)
    ).scalar_one_or_none()
    return concluded_by or actor.name


def admit(session: Session, actor: Principal, given: AdmissionInput) -> Stay:
    """The ward takes in a patient. From outpatients the doctor's conclusion "admit" is the
    decision, so the ward's nurse may receive the patient; a direct admission (emergency,
    referral) is a doctor's act."""
    if given.admitted_from != "outpatient":
        require_doctor(actor, "cho nhập viện trực tiếp", "admit a patient directly")
    if given.kind not in STAY_KINDS:
        raise DomainError(
            "stay_kind", "Loại điều trị không hợp lệ", "kind must be inpatient or day_care", "kind"
        )
    patient, visit = _source(session, actor, given)
    icd_code, icd_name = _diagnosis(session, given, visit)
    ward = get_ward(session, actor.facility_code, given.ward_code)
    doctor = _attending(session, actor, given.attending_doctor, visit)
    already = session.execute(
        select(Stay.id).where(Stay.patient_id == patient.id, Stay.status == OPEN)
    ).first()
    if already is not None:
        raise _already_admitted()
    bed = _take_bed(session, actor, given.bed_code) if clean(given.bed_code) else None
    if bed is not None and bed.ward_id != ward.id:
        raise DomainError(
            "bed_not_in_ward",
            f"Giường {bed.code} không thuộc {ward.name}",
            f"Bed {bed.code} is not in ward {ward.code}",
            field="bed",
        )
    # The encounter the stay is billed and claimed on (see inpatient.encounter).
    category_change = carry_category_into_stay(visit, actor) if visit is not None else None
    if visit is None:
        visit = open_encounter(session, actor, patient, given.admitted_from)
    now = utcnow()
    stay = Stay(
        facility_code=actor.facility_code,
        stay_number=_stay_number(session, actor.facility_code),
        patient_id=patient.id,
        visit_id=visit.id,
        admitted_at=now,
        admitted_by=actor.name,
        admitted_from=given.admitted_from,
        kind=given.kind,
        ward_id=ward.id,
        bed_id=bed.id if bed else None,
        attending_doctor=doctor,
        admission_icd_code=icd_code,
        admission_diagnosis=icd_name,
        admission_reason=clean(given.reason),
        status=OPEN,
    )
    session.add(stay)
    _flush_or_conflict(session, bed)
    session.add(
        BedMovement(
            facility_code=actor.facility_code,
            stay_id=stay.id,
            kind="admit",
            to_ward_id=ward.id,
            to_bed_id=bed.id if bed else None,
            moved_at=now,
            moved_by=actor.name,
        )
    )
    audit.record(
        session,
        actor,
        "inpatient.admit",
        patient_id=patient.id,
        detail={
            "stay": stay.stay_number,
            "ward": ward.code,
            "bed": bed.code if bed else None,
            "from": given.admitted_from,
            "kind": given.kind,
            "visit": visit.visit_number,
            "category": category_change,
        },
    )
    announce(session, stay, "admitted", [ward.code])
    return stay


# --- beds --------------------------------------------------------------------------------


def move_to_bed(
    session: Session, actor: Principal, stay_id: int, bed_code: str, reason: str | None = None
) -> Stay:
    """Give a stay its bed, or move it to another bed (another ward: a transfer). The bed
    left behind goes to cleaning."""
    stay = get_stay(session, actor, stay_id, lock=True)
    require_open(stay)
    target = get_bed(session, actor.facility_code, bed_code)
    if target.id == stay.bed_id:
        raise Conflict(
            "bed_unchanged",
            f"Người bệnh đang nằm giường {target.code}",
            f"The patient is already in bed {target.code}",
            field="bed",
        )
    bed = _take_bed(session, actor, bed_code)
    old_ward_id, old_bed_id = stay.ward_id, stay.bed_id
    released = _release_bed(session, old_bed_id)
    stay.ward_id, stay.bed_id = bed.ward_id, bed.id
    _flush_or_conflict(session, bed)
    kind = "transfer" if old_bed_id is not None or old_ward_id != bed.ward_id else "assign"
    session.add(
        BedMovement(
            facility_code=actor.facility_code,
            stay_id=stay.id,
            kind=kind,
            from_ward_id=old_ward_id,
            from_bed_id=old_bed_id,
            to_ward_id=bed.ward_id,
            to_bed_id=bed.id,
            moved_at=utcnow(),
            moved_by=actor.name,
            reason=clean(reason),
        )
    )
    new_ward = _ward_code(session, bed.ward_id) or ""
    old_ward = _ward_code(session, old_ward_id) or new_ward
    audit.record(
        session,
        actor,
        f"inpatient.{kind}",
        patient_id=stay.patient_id,
        detail={
            "stay": stay.stay_number,
            "from_bed": released.code if released else None,
            "to_bed": bed.code,
            "to_ward": new_ward,
        },
    )
    announce(session, stay, kind, [new_ward, old_ward])
    return stay


def set_bed_status(session: Session, actor: Principal, bed_code: str, status: str) -> Bed:
    """Cleaned, out of service, back in service. Occupancy changes only with a stay."""
    if status not in ("available", "cleaning", "out_of_service"):
        raise DomainError(
            "bed_status",
            "Trạng thái giường không hợp lệ",
            "status must be available, cleaning or out_of_service",
            field="status",
        )
    bed = get_bed(session, actor.facility_code, bed_code, lock=True)
    if bed.status == "occupied":
        raise Conflict(
            "bed_occupied",
            f"Giường {bed.code} đang có người bệnh: chuyển giường hoặc cho ra viện trước",
            f"Bed {bed.code} is occupied",
            field="bed",
        )
    bed.status = status
    bed.status_changed_at = utcnow()
    audit.record(session, actor, "inpatient.bed_status", detail={"bed": bed.code, "status": status})
    announce_bed(session, actor.facility_code, _ward_code(session, bed.ward_id) or "", bed)
    return bed


# --- discharge ---------------------------------------------------------------------------


@dataclass
class DischargeInput:
    kind: str
    summary: str
    advice: str | None = None
    icd_code: str | None = None  # the admission diagnosis when not given
    at: datetime | None = None  # now when not given


def discharge(session: Session, actor: Principal, stay_id: int, given: DischargeInput) -> Stay:
    # An unknown stay: 404 for anyone. The visit is locked before the stay (bed days).
    stay = lock_for_charging(session, actor, stay_id)
    require_doctor(actor, "cho ra viện", "discharge a patient")
    if given.kind not in DISCHARGE_KINDS_VI:
        raise DomainError(
            "discharge_kind",
            "Hình thức ra viện không hợp lệ",
            f"kind must be one of {', '.join(DISCHARGE_KINDS_VI)}",
            field="kind",
        )
    summary = clean(given.summary)
    if summary is None:
        raise DomainError(
            "discharge_summary_missing",
            "Cần tóm tắt quá trình điều trị",
            "A treatment summary is required",
            field="summary",
        )
    require_open(stay)
    at = given.at or utcnow()
    if at.tzinfo is None or at < stay.admitted_at or at > utcnow():
        raise DomainError(
            "discharge_time",
            "Giờ ra viện phải sau giờ vào viện và không ở tương lai",
            "The discharge time must be after admission and not in the future",
            field="at",
        )
    if given.icd_code:
        entry = find_icd10(given.icd_code)
        if entry is None:
            raise DomainError(
                "icd10_unknown",
                f"Mã ICD-10 '{given.icd_code}' không có trong danh mục",
                f"Unknown ICD-10 code '{given.icd_code}'",
                field="icd_code",
            )
        stay.discharge_icd_code, stay.discharge_diagnosis = entry.code, entry.name_vi
    else:
        stay.discharge_icd_code = stay.admission_icd_code
        stay.discharge_diagnosis = stay.admission_diagnosis
    released = _release_bed(session, stay.bed_id)
    stay.status = "discharged"
    stay.discharged_at = at
    stay.discharged_by = actor.name
    stay.discharge_kind = given.kind
    stay.discharge_summary = summary
    stay.discharge_advice = clean(given.advice)
    session.add(
        BedMovement(
            facility_code=actor.facility_code,
            stay_id=stay.id,
            kind="discharge",
            from_ward_id=stay.ward_id,
            from_bed_id=stay.bed_id,
            moved_at=at,
            moved_by=actor.name,
        )
    )
    session.flush()
    charge_bed_days(session, actor, stay)  # the bed days, in the discharge's transaction
    ward = _ward_code(session, stay.ward_id) or ""
    audit.record(
        session,
        actor,
        "inpatient.discharge",
        patient_id=stay.patient_id,
        detail={
            "stay": stay.stay_number,
            "kind": given.kind,
            "bed": released.code if released else None,
        },
    )
    announce(session, stay, "discharged", [ward])
    return stay


def open_stay_of(session: Session, actor: Principal, patient_id: int) -> Stay | None:
    return session.execute(
        select(Stay).where(
            Stay.facility_code == actor.facility_code,
            Stay.patient_id == patient_id,
            Stay.status == OPEN,
        )
    ).scalar_one_or_none()
