"""The daily care of a stay: the doctor's progress notes, nursing notes, vital signs and
the medication administration record. Each entry is audited and announced so that every
screen open on the stay shows it at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from smarthis.clinical.examination import VitalsInput, validate_vitals
from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.inpatient import ward_drugs
from smarthis.inpatient.bed_days import lock_for_charging
from smarthis.inpatient.common import (
    announce,
    clean,
    get_stay,
    require_doctor,
    require_open,
)
from smarthis.inpatient.models import (
    MedicationAdministration,
    NursingNote,
    ProgressNote,
    Stay,
    StayVitals,
    Ward,
)
from smarthis.security import audit
from smarthis.security.principal import Principal

MAR_STATUSES_VI = {"given": "Đã dùng", "held": "Tạm hoãn", "refused": "Người bệnh từ chối"}


def _open_stay(session: Session, actor: Principal, stay_id: int) -> Stay:
    stay = get_stay(session, actor, stay_id)
    require_open(stay)
    return stay


def _done(
    session: Session, actor: Principal, stay: Stay, kind: str, row_id: int, **detail: object
) -> None:
    audit.record(
        session,
        actor,
        f"inpatient.{kind}",
        patient_id=stay.patient_id,
        detail={"stay": stay.stay_number, "id": row_id, **detail},
    )
    ward = session.get(Ward, stay.ward_id)
    announce(session, stay, kind, [ward.code if ward else ""], entry_id=row_id)


@dataclass
class ProgressNoteInput:
    subjective: str | None = None
    objective: str | None = None
    assessment: str | None = None
    plan: str | None = None


def add_progress_note(
    session: Session, actor: Principal, stay_id: int, given: ProgressNoteInput
) -> ProgressNote:
    stay = _open_stay(session, actor, stay_id)  # an unknown stay is a 404 for anyone
    require_doctor(actor, "ghi tờ điều trị", "write progress notes")
    parts = {name: clean(getattr(given, name)) for name in ProgressNoteInput.__dataclass_fields__}
    if all(value is None for value in parts.values()):
        raise DomainError(
            "progress_note_empty",
            "Tờ điều trị trống: ghi ít nhất một mục (S, O, A hoặc P)",
            "The progress note is empty",
            field="subjective",
        )
    note = ProgressNote(
        facility_code=stay.facility_code,
        stay_id=stay.id,
        written_at=utcnow(),
        written_by=actor.name,
        **parts,
    )
    session.add(note)
    session.flush()
    _done(session, actor, stay, "progress_note", note.id)
    return note


def add_nursing_note(session: Session, actor: Principal, stay_id: int, text: str) -> NursingNote:
    body = clean(text)
    if body is None:
        raise DomainError(
            "nursing_note_empty", "Phiếu chăm sóc trống", "The nursing note is empty", "note"
        )
    stay = _open_stay(session, actor, stay_id)
    note = NursingNote(
        facility_code=stay.facility_code,
        stay_id=stay.id,
        written_at=utcnow(),
        written_by=actor.name,
        note=body,
    )
    session.add(note)
    session.flush()
    _done(session, actor, stay, "nursing_note", note.id)
    return note


@dataclass
class StayVitalsInput:
    pulse: int | None = None
    temperature_c: float | None = None
    systolic: int | None = None
    diastolic: int | None = None
    respiratory_rate: int | None = None
    spo2: int | None = None
    weight_kg: float | None = None


def record_vitals(
    session: Session, actor: Principal, stay_id: int, given: StayVitalsInput
) -> StayVitals:
    values = {name: getattr(given, name) for name in StayVitalsInput.__dataclass_fields__}
    # The same plausibility rules as in the examination room (a temperature of 375...).
    validate_vitals(VitalsInput(**values))
    stay = _open_stay(session, actor, stay_id)
    row = StayVitals(
        facility_code=stay.facility_code,
        stay_id=stay.id,
        taken_at=utcnow(),
        taken_by=actor.name,
        **values,
    )
    session.add(row)
    session.flush()
    _done(session, actor, stay, "vitals", row.id)
    return row


@dataclass
class AdministrationInput:
    """A catalogue drug by `drug_code` (name and route then come from the catalogue, and a
    dose given is charged for `quantity` units), or free text for a drug outside it."""

    drug: str | None = None
    dose: str | None = None
    route: str | None = None
    status: str = "given"
    reason: str | None = None
    scheduled_at: datetime | None = None
    drug_code: str | None = None
    quantity: int | None = None


def _free_text_dose(given: AdministrationInput) -> None:
    for name, vi in (("drug", "tên thuốc"), ("dose", "liều"), ("route", "đường dùng")):
        if clean(getattr(given, name)) is None:
            raise DomainError(
                f"mar_{name}_missing", f"Thiếu {vi}", f"The {name} is missing", field=name
            )
    if given.quantity is not None:
        raise DomainError(
            "mar_quantity_without_code",
            "Chỉ ghi số lượng khi chọn thuốc trong danh mục (thuốc ngoài danh mục không tính tiền)",
            "quantity goes with a catalogue drug_code",
            field="quantity",
        )


def record_administration(
    session: Session, actor: Principal, stay_id: int, given: AdministrationInput
) -> MedicationAdministration:
    code = clean(given.drug_code)
    if given.status not in MAR_STATUSES_VI:
        raise DomainError(
            "mar_status",
            "Trạng thái dùng thuốc không hợp lệ",
            "status must be given, held or refused",
            field="status",
        )
    reason = clean(given.reason)
    if given.status != "given" and reason is None:
        raise DomainError(
            "mar_reason_missing",
            "Thuốc không dùng cần ghi lý do",
            "A held or refused dose needs a reason",
            field="reason",
        )
    if given.scheduled_at is not None and given.scheduled_at.tzinfo is None:
        raise DomainError(
            "mar_scheduled_at", "Giờ dự kiến cần múi giờ", "scheduled_at needs a time zone", None
        )
    charged = code is not None and given.status == "given"
    coded = None
    if code is None:
        _free_text_dose(given)
    else:
        coded = ward_drugs.coded_dose(code, given.quantity, clean(given.dose), charged)
    # A charge inserts under the visit's lock: visit first, then stay (bed_days).
    stay = (
        lock_for_charging(session, actor, stay_id) if charged else get_stay(session, actor, stay_id)
    )
    require_open(stay)
    visit = ward_drugs.visit_to_charge(session, stay) if charged else None
    now = utcnow()
    row = MedicationAdministration(
        facility_code=stay.facility_code,
        stay_id=stay.id,
        drug=coded.name if coded else clean(given.drug) or "",
        drug_code=coded.drug.code if coded else None,
        quantity=coded.quantity if coded else None,
        dose=coded.dose if coded else clean(given.dose) or "",
        route=coded.route if coded else clean(given.route) or "",
        scheduled_at=given.scheduled_at,
        given_at=now if given.status == "given" else None,
        status=given.status,
        reason=reason,
        recorded_at=now,
        recorded_by=actor.name,
    )
    session.add(row)
    session.flush()
    detail: dict[str, object] = {}
    if coded is not None:
        detail = {"drug_code": coded.drug.code, "quantity": coded.quantity}
    if visit is not None and coded is not None:
        charge = ward_drugs.charge_dose(session, visit, row, coded.drug, actor.name)
        detail["charge_id"] = charge.id
    _done(session, actor, stay, "medication", row.id, **detail)
    return row
