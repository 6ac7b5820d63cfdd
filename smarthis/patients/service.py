"""Master patient index rules: find-or-create by identifier, search, history, merge.

Concurrency is the database's job: the unique (facility, kind, value) identifier is the
arbiter, and a losing registration rolls back and finds the winner's patient."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import bindparam, or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.counters import next_value
from smarthis.db import MAX_ID, Database, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.patients.models import Patient, PatientDemographicsVersion, PatientIdentifier
from smarthis.security import audit
from smarthis.security.principal import Principal
from smarthis.text import fold

# guardian_child: a child without papers, named by parent's CCCD + folded name + birth date
IDENTIFIER_KINDS = ("cccd", "bhxh", "passport", "birth_certificate", "guardian_child", "temporary")
DEMOGRAPHIC_FIELDS = (
    "full_name",
    "date_of_birth",
    "birth_year",
    "sex",
    "nationality",
    "address",
    "ward_code",
    "province_code",
    "phone",
    "bhyt_code",
    "guardian_cccd",
    "guardian_name",
)
MAX_REGISTRATION_ATTEMPTS = 5
PHONE_PATTERN = re.compile(r"^\+?\d{9,15}$")


@dataclass
class Demographics:
    full_name: str
    date_of_birth: date | None = None
    birth_year: int | None = None
    sex: str | None = None
    nationality: str = "VN"
    address: str | None = None
    ward_code: str | None = None
    province_code: str | None = None
    phone: str | None = None
    bhyt_code: str | None = None
    guardian_cccd: str | None = None
    guardian_name: str | None = None


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


@dataclass
class Registration:
    patient: Patient
    created: bool
    identifiers: list[Identifier] = field(default_factory=list)


# Work a caller does with the patient found or created (the registration), in the same
# transaction.
AlsoInTransaction = Callable[[Session, Registration], None]


def _error(code: str, vi: str, en: str, field_name: str) -> DomainError:
    return DomainError(code, vi, en, field=field_name)


def validate_demographics(d: Demographics, today: date | None = None) -> Demographics:
    today = today or date.today()
    name = " ".join((d.full_name or "").split())
    if not name:
        raise _error("patient_name", "Chưa nhập họ tên", "Full name is required", "full_name")
    if len(name) > 200:
        raise _error("patient_name", "Họ tên quá dài", "Full name is too long", "full_name")
    if d.sex not in (None, "male", "female"):
        raise _error(
            "patient_sex", "Giới tính phải là Nam hoặc Nữ", "Sex must be male or female", "sex"
        )
    if d.date_of_birth is not None:
        if d.date_of_birth > today:
            raise _error(
                "patient_dob_future",
                "Ngày sinh ở tương lai",
                "Date of birth is in the future",
                "date_of_birth",
            )
        if d.date_of_birth.year < today.year - 130:
            raise _error(
                "patient_dob_too_old",
                "Ngày sinh quá xa (trên 130 tuổi)",
                "Date of birth is more than 130 years ago",
                "date_of_birth",
            )
        d.birth_year = d.date_of_birth.year
    elif d.birth_year is not None and not (today.year - 130 <= d.birth_year <= today.year):
        raise _error(
            "patient_birth_year", "Năm sinh không hợp lệ", "Invalid birth year", "birth_year"
        )
    if d.phone:
        phone = re.sub(r"[\s.-]", "", d.phone)
        if not PHONE_PATTERN.match(phone):
            raise _error(
                "patient_phone",
                "Số điện thoại không hợp lệ",
                "Invalid phone number",
                "phone",
            )
        d.phone = phone
    if d.guardian_cccd is not None and not re.fullmatch(r"\d{12}", d.guardian_cccd):
        raise _error(
            "patient_guardian_cccd",
            "Số CCCD của người giám hộ phải gồm 12 chữ số",
            "Guardian CCCD must be 12 digits",
            "guardian_cccd",
        )
    d.full_name = name
    return d


def _validate_identifier(ident: Identifier) -> Identifier:
    if ident.kind not in IDENTIFIER_KINDS:
        raise _error(
            "identifier_kind",
            f"Loại giấy tờ '{ident.kind}' không được hỗ trợ",
            f"Unsupported identifier kind '{ident.kind}'",
            "kind",
        )
    value = ident.value.strip().upper()
    if not value or len(value) > 64:
        raise _error(
            "identifier_value",
            "Số giấy tờ trống hoặc quá dài",
            "Identifier is empty or too long",
            ident.kind,
        )
    return Identifier(ident.kind, value)


def _resolve_merged(session: Session, patient: Patient) -> Patient:
    seen = set()
    while patient.merged_into_id is not None and patient.id not in seen:
        seen.add(patient.id)
        patient = session.get(Patient, patient.merged_into_id) or patient
    return patient


# Built once (smarthis/db.py says why): every card read at a kiosk looks the patient up.
_BY_IDENTIFIER = (
    select(Patient)
    .join(PatientIdentifier, PatientIdentifier.patient_id == Patient.id)
    .where(
        PatientIdentifier.facility_code == bindparam("facility_code"),
        PatientIdentifier.kind == bindparam("kind"),
        PatientIdentifier.value == bindparam("value"),
    )
)


def find_by_identifier(
    session: Session, facility_code: str, kind: str, value: str
) -> Patient | None:
    row = session.execute(
        _BY_IDENTIFIER,
        {"facility_code": facility_code, "kind": kind, "value": value.strip().upper()},
    ).scalar_one_or_none()
    return _resolve_merged(session, row) if row is not None else None


def find_by_mrn(session: Session, facility_code: str, mrn: str) -> Patient | None:
    row = session.execute(
        select(Patient).where(Patient.facility_code == facility_code, Patient.mrn == mrn.strip())
    ).scalar_one_or_none()
    return _resolve_merged(session, row) if row is not None else None


def _new_mrn(session: Session, facility_code: str) -> str:
    year = utcnow().year
    return f"{year}{next_value(session, f'mrn:{facility_code}:{year}'):06d}"


def _create_patient(
    session: Session, actor: Principal, demographics: Demographics, identifiers: list[Identifier]
) -> Patient:
    patient = Patient(
        facility_code=actor.facility_code,
        mrn=_new_mrn(session, actor.facility_code),
        name_folded=fold(demographics.full_name),
        is_temporary=any(i.kind == "temporary" for i in identifiers),
        **{k: getattr(demographics, k) for k in DEMOGRAPHIC_FIELDS},
    )
    session.add(patient)
    session.flush()
    for ident in identifiers:
        session.add(
            PatientIdentifier(
                facility_code=actor.facility_code,
                patient_id=patient.id,
                kind=ident.kind,
                value=ident.value,
            )
        )
    session.flush()
    return patient


def register_or_find(
    db: Database,
    actor: Principal,
    demographics: Demographics,
    identifiers: list[Identifier],
    *,
    vneid_level2: bool = False,
    then: AlsoInTransaction | None = None,
) -> Registration:
    """The patient holding any of `identifiers`, or a new one with all of them; `then` runs
    in the same transaction with the registration (the kiosk reads what it shows next).

    Runs its own transactions: a registration that loses a race to the same identifier
    rolls back and returns the winner's patient."""
    demographics = validate_demographics(demographics)
    identifiers = [_validate_identifier(i) for i in identifiers]
    for _attempt in range(MAX_REGISTRATION_ATTEMPTS):
        try:
            with db.session() as session:
                found = _find_any(session, actor.facility_code, identifiers)
                if found is not None:
                    existing, found_by = found
                    others = [i for i in identifiers if i != found_by]
                    _attach_missing_identifiers(session, actor, existing, others)
                    if vneid_level2 and not existing.vneid_level2:
                        existing.vneid_level2 = True
                    audit.record(
                        session,
                        actor,
                        "patient.identify",
                        patient_id=existing.id,
                        detail={"by": [i.kind for i in identifiers]},
                    )
                    found_one = Registration(existing, created=False, identifiers=identifiers)
                    if then is not None:
                        then(session, found_one)
                    return found_one
                patient = _create_patient(session, actor, demographics, identifiers)
                patient.vneid_level2 = vneid_level2
                audit.record(
                    session,
                    actor,
                    "patient.create",
                    patient_id=patient.id,
                    detail={"mrn": patient.mrn, "by": [i.kind for i in identifiers]},
                )
                created = Registration(patient, created=True, identifiers=identifiers)
                if then is not None:
                    then(session, created)
                return created
        except IntegrityError:
            continue  # another registration won the race: look again
    raise Conflict(
        "patient_registration_conflict",
        "Không đăng ký được bệnh nhân do xung đột dữ liệu, vui lòng thử lại",
        "Could not register the patient because of concurrent changes; please retry",
        field="identifiers",
    )


def _find_any(
    session: Session, facility_code: str, identifiers: list[Identifier]
) -> tuple[Patient, Identifier] | None:
    """The patient holding one of `identifiers`, and the one that found them."""
    for ident in identifiers:
        patient = find_by_identifier(session, facility_code, ident.kind, ident.value)
        if patient is not None:
            return patient, ident
    return None


def _attach_missing_identifiers(
    session: Session, actor: Principal, patient: Patient, identifiers: list[Identifier]
) -> None:
    """A patient found by their card also becomes findable by the other documents shown."""
    for ident in identifiers:
        owner = session.execute(
            select(PatientIdentifier).where(
                PatientIdentifier.facility_code == actor.facility_code,
                PatientIdentifier.kind == ident.kind,
                PatientIdentifier.value == ident.value,
            )
        ).scalar_one_or_none()
        if owner is None:
            session.add(
                PatientIdentifier(
                    facility_code=actor.facility_code,
                    patient_id=patient.id,
                    kind=ident.kind,
                    value=ident.value,
                )
            )
        elif _resolve_merged(session, session.get(Patient, owner.patient_id)).id != patient.id:
            raise Conflict(
                "identifier_belongs_to_other_patient",
                f"Giấy tờ {ident.kind} {ident.value} đã thuộc về bệnh nhân khác",
                f"{ident.kind} {ident.value} already belongs to another patient",
                field=ident.kind,
            )
    session.flush()


def record_verified_card(
    session: Session, actor: Principal, patient_id: int, card_code: str, bhxh_number: str | None
) -> None:
    """The portal confirmed this card for this patient: keep it as their current card and
    make them findable by its social-insurance number."""
    patient = session.get(Patient, patient_id)
    if patient is None or patient.bhyt_code == card_code:
        return
    bhxh_number = bhxh_number or card_code[-10:]
    owner = session.execute(
        select(PatientIdentifier).where(
            PatientIdentifier.facility_code == patient.facility_code,
            PatientIdentifier.kind == "bhxh",
            PatientIdentifier.value == bhxh_number,
        )
    ).scalar_one_or_none()
    if owner is not None and owner.patient_id != patient.id:
        return  # another record holds this number: a possible duplicate for staff to merge
    if len(card_code) == 15:
        session.add(
            PatientDemographicsVersion(
                patient_id=patient.id,
                version=patient.version,
                snapshot=json.dumps(_snapshot(patient), ensure_ascii=False),
                changed_by=actor.name,
                reason="thẻ BHYT được cổng BHXH xác nhận",
            )
        )
        patient.bhyt_code = card_code
        patient.version += 1
        patient.updated_at = utcnow()
    if owner is None:
        session.add(
            PatientIdentifier(
                facility_code=patient.facility_code,
                patient_id=patient.id,
                kind="bhxh",
                value=bhxh_number,
            )
        )
    audit.record(session, actor, "patient.card_verified", patient_id=patient.id, detail=card_code)


def register_temporary(
    db: Database, actor: Principal, description: str, sex: str | None, approx_age: int | None
) -> Patient:
    """An unknown emergency patient: a temporary identity, merged once the real one is known."""
    with db.session() as session:
        label = f"TMP{utcnow():%y%m%d}{next_value(session, f'tmp:{actor.facility_code}'):05d}"
        name = f"Chưa rõ danh tính {label}"
        if description.strip():
            name += f" ({description.strip()[:80]})"
        birth_year = utcnow().year - approx_age if approx_age is not None else None
        demographics = validate_demographics(Demographics(name, sex=sex, birth_year=birth_year))
        patient = _create_patient(session, actor, demographics, [Identifier("temporary", label)])
        audit.record(
            session, actor, "patient.create_temporary", patient_id=patient.id, detail=label
        )
        return patient


def find_patient(session: Session, actor: Principal, patient_id: int) -> Patient:
    """The patient of the actor's facility, or a 404 naming the number (not audited: for
    callers that audit what they do with the record)."""
    patient = session.get(Patient, patient_id) if 1 <= patient_id <= MAX_ID else None
    if patient is None or patient.facility_code != actor.facility_code:
        raise NotFound(
            "patient_not_found",
            f"Không tìm thấy bệnh nhân số {patient_id}",
            f"No patient {patient_id}",
            field="patient_id",
        )
    return patient


def get_patient(session: Session, actor: Principal, patient_id: int) -> Patient:
    patient = find_patient(session, actor, patient_id)
    audit.record(session, actor, "patient.read", patient_id=patient.id)
    return patient


def identifiers_by_patient(
    session: Session, patient_ids: list[int]
) -> dict[int, list[PatientIdentifier]]:
    """Every listed patient's identifiers in one query (a search page shows 20 patients)."""
    found: dict[int, list[PatientIdentifier]] = {pid: [] for pid in patient_ids}
    if patient_ids:
        rows = session.execute(
            select(PatientIdentifier)
            .where(PatientIdentifier.patient_id.in_(patient_ids))
            .order_by(PatientIdentifier.patient_id, PatientIdentifier.kind)
        ).scalars()
        for row in rows:
            found[row.patient_id].append(row)
    return found


def identifiers_of(session: Session, patient_id: int) -> list[PatientIdentifier]:
    return list(
        session.execute(
            select(PatientIdentifier)
            .where(PatientIdentifier.patient_id == patient_id)
            .order_by(PatientIdentifier.kind)
        ).scalars()
    )


def search_patients(
    session: Session,
    actor: Principal,
    *,
    name: str | None = None,
    date_of_birth: date | None = None,
    birth_year: int | None = None,
    identifier: str | None = None,
    limit: int = 20,
) -> list[Patient]:
    """Name search ignores diacritics and case; an identifier may be a CCCD, BHXH number,
    BHYT code, passport or MRN."""
    if not (name or identifier or date_of_birth or birth_year):
        raise _error(
            "search_empty",
            "Nhập họ tên, ngày sinh hoặc số giấy tờ để tìm",
            "Give a name, date of birth or document number to search",
            "q",
        )
    query = select(Patient).where(
        Patient.facility_code == actor.facility_code, Patient.merged_into_id.is_(None)
    )
    if identifier:
        value = re.sub(r"[\s-]", "", identifier).upper()
        # A 15-character BHYT code carries the stable 10-digit BHXH number at its end.
        candidates = {value, value[-10:]} if len(value) == 15 else {value}
        # One indexed lookup per way a number can name a patient, joined by UNION: an OR
        # across them (with a subquery) made PostgreSQL read every patient.
        matching = union(
            select(PatientIdentifier.patient_id).where(
                PatientIdentifier.facility_code == actor.facility_code,
                PatientIdentifier.value.in_(candidates),
            ),
            select(Patient.id).where(
                Patient.facility_code == actor.facility_code, Patient.mrn == value
            ),
            select(Patient.id).where(
                Patient.facility_code == actor.facility_code, Patient.bhyt_code == value
            ),
        )
        query = query.where(Patient.id.in_(matching))
    if name:
        folded = fold(name)
        query = query.where(Patient.name_folded.like(f"%{_escape_like(folded)}%", escape="\\"))
    if date_of_birth:
        query = query.where(Patient.date_of_birth == date_of_birth)
    if birth_year:
        query = query.where(Patient.birth_year == birth_year)
    patients = list(session.execute(query.order_by(Patient.full_name).limit(limit)).scalars())
    for patient in patients:
        audit.record(session, actor, "patient.search_hit", patient_id=patient.id)
    return patients


def possible_duplicates(session: Session, actor: Principal, patient_id: int) -> list[Patient]:
    """Other records that may be the same person: same name without diacritics and the same
    birth date (or birth year when only that is known). Staff decide; merging is explicit."""
    patient = get_patient(session, actor, patient_id)
    query = select(Patient).where(
        Patient.facility_code == actor.facility_code,
        Patient.id != patient.id,
        Patient.merged_into_id.is_(None),
        Patient.name_folded == patient.name_folded,
    )
    if patient.date_of_birth is not None:
        query = query.where(
            or_(
                Patient.date_of_birth == patient.date_of_birth,
                Patient.date_of_birth.is_(None) & (Patient.birth_year == patient.birth_year),
            )
        )
    elif patient.birth_year is not None:
        query = query.where(Patient.birth_year == patient.birth_year)
    candidates = list(session.execute(query.order_by(Patient.id).limit(20)).scalars())
    for candidate in candidates:
        audit.record(session, actor, "patient.duplicate_candidate", patient_id=candidate.id)
    return candidates


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snapshot(patient: Patient) -> dict[str, object]:
    data = {k: getattr(patient, k) for k in DEMOGRAPHIC_FIELDS}
    if data["date_of_birth"] is not None:
        data["date_of_birth"] = data["date_of_birth"].isoformat()
    return data


def update_demographics(
    session: Session,
    actor: Principal,
    patient_id: int,
    changes: dict[str, object],
    reason: str = "",
) -> Patient:
    """Apply changes, keeping the previous demographics as a numbered version."""
    unknown = set(changes) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise _error(
            "patient_field", f"Không sửa được trường '{name}'", f"Cannot change '{name}'", name
        )
    patient = get_patient(session, actor, patient_id)
    before = _snapshot(patient)
    merged = Demographics(**{**{k: getattr(patient, k) for k in DEMOGRAPHIC_FIELDS}, **changes})
    if "date_of_birth" in changes and changes["date_of_birth"] is None:
        merged.birth_year = changes.get("birth_year", patient.birth_year)  # type: ignore[assignment]
    merged = validate_demographics(merged)
    after = asdict(merged)
    if all(before[k] == (v.isoformat() if isinstance(v, date) else v) for k, v in after.items()):
        return patient
    session.add(
        PatientDemographicsVersion(
            patient_id=patient.id,
            version=patient.version,
            snapshot=json.dumps(before, ensure_ascii=False),
            changed_by=actor.name,
            reason=reason[:200],
        )
    )
    for key, value in after.items():
        setattr(patient, key, value)
    patient.name_folded = fold(patient.full_name)
    patient.version += 1
    patient.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "patient.update",
        patient_id=patient.id,
        detail={"fields": sorted(k for k in after if before[k] != _plain(after[k]))},
    )
    session.flush()
    return patient


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def demographic_history(
    session: Session, actor: Principal, patient_id: int
) -> list[PatientDemographicsVersion]:
    get_patient(session, actor, patient_id)
    return list(
        session.execute(
            select(PatientDemographicsVersion)
            .where(PatientDemographicsVersion.patient_id == patient_id)
            .order_by(PatientDemographicsVersion.version)
        ).scalars()
    )


def merge_patients(
    session: Session, actor: Principal, duplicate_id: int, keep_id: int, reason: str
) -> Patient:
    """Fold a duplicate (or a temporary emergency identity) into the record kept.

    The duplicate row stays, pointing at the kept one, so old references still resolve."""
    if duplicate_id == keep_id:
        raise _error(
            "merge_same",
            "Không thể gộp bệnh nhân với chính họ",
            "Cannot merge a patient into itself",
            "duplicate_id",
        )
    if not reason.strip():
        raise _error("merge_reason", "Cần ghi lý do gộp", "A reason is required", "reason")
    duplicate = get_patient(session, actor, duplicate_id)
    keep = get_patient(session, actor, keep_id)
    if duplicate.merged_into_id is not None or keep.merged_into_id is not None:
        raise Conflict(
            "merge_already_merged",
            "Một trong hai hồ sơ đã được gộp trước đó",
            "One of the records was already merged",
            field="duplicate_id",
        )
    # Imported here: clinical depends on patients, not the other way round at import time.
    from smarthis.clinical.service import move_visits

    for ident in identifiers_of(session, duplicate.id):
        ident.patient_id = keep.id
    move_visits(session, duplicate.id, keep.id)
    duplicate.merged_into_id = keep.id
    duplicate.updated_at = utcnow()
    detail = {"duplicate": duplicate.mrn, "kept": keep.mrn, "reason": reason[:200]}
    audit.record(session, actor, "patient.merged_away", patient_id=duplicate.id, detail=detail)
    audit.record(session, actor, "patient.merge", patient_id=keep.id, detail=detail)
    session.flush()
    return keep
