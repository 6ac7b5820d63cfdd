"""From an identity document, as a kiosk or a receptionist receives it, to a patient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from smarthis.db import Database
from smarthis.errors import DomainError, NotFound
from smarthis.patients import identifiers as ids
from smarthis.patients.service import (
    AlsoInTransaction,
    Demographics,
    Identifier,
    Registration,
    find_by_identifier,
    find_by_mrn,
    register_or_find,
)
from smarthis.security import audit
from smarthis.security.principal import Principal
from smarthis.text import fold


@dataclass
class DocumentInput:
    """Exactly one document; the optional demographics complete a bare number."""

    qr_text: str | None = None
    chip: dict[str, Any] | None = None
    vneid_number: str | None = None
    vneid_level2: bool = False
    bhyt_code: str | None = None
    mrn: str | None = None
    full_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    phone: str | None = None
    address: str | None = None


def _one_document(doc: DocumentInput) -> str:
    given = [
        name
        for name in ("qr_text", "chip", "vneid_number", "bhyt_code", "mrn")
        if getattr(doc, name) not in (None, "", {})
    ]
    if len(given) != 1:
        raise DomainError(
            "identify_one_document",
            "Cần đúng một giấy tờ: mã QR CCCD, dữ liệu chip, số định danh VNeID, mã thẻ BHYT "
            "hoặc mã bệnh nhân",
            "Give exactly one document: CCCD QR text, chip data, VNeID number, BHYT code or MRN",
            field="document",
        )
    return given[0]


def _card_demographics(card: ids.CccdCard, doc: DocumentInput) -> Demographics:
    return Demographics(
        full_name=card.full_name,
        date_of_birth=card.date_of_birth,
        sex=card.sex,
        address=card.address or doc.address,
        phone=doc.phone,
    )


def _typed_demographics(doc: DocumentInput, what: str, what_en: str) -> Demographics:
    if not doc.full_name or (doc.date_of_birth is None):
        raise NotFound(
            "patient_not_found_need_details",
            f"Chưa có bệnh nhân với {what} này; nhập họ tên và ngày sinh để đăng ký mới",
            f"No patient with this {what_en}; give full name and date of birth to register",
            field="full_name",
        )
    return Demographics(
        full_name=doc.full_name,
        date_of_birth=doc.date_of_birth,
        sex=doc.sex,
        phone=doc.phone,
        address=doc.address,
    )


def identify(
    db: Database, actor: Principal, doc: DocumentInput, then: AlsoInTransaction | None = None
) -> Registration:
    """The patient the document names, found or registered; `then` runs in that
    transaction with the registration."""
    kind = _one_document(doc)
    if kind == "mrn":
        return _by_mrn(db, actor, doc.mrn or "", then)
    if kind in ("qr_text", "chip"):
        card = (
            ids.parse_cccd_qr(doc.qr_text or "")
            if kind == "qr_text"
            else (ids.parse_chip_reader(doc.chip or {}))
        )
        return register_or_find(
            db, actor, _card_demographics(card, doc), [Identifier("cccd", card.number)], then=then
        )
    if kind == "vneid_number":
        vneid = ids.parse_vneid(doc.vneid_number or "", doc.vneid_level2)
        identifier = Identifier("cccd", vneid.number)
        with db.session() as session:
            found = find_by_identifier(session, actor.facility_code, "cccd", vneid.number)
        demographics = (
            Demographics(full_name=found.full_name)
            if found is not None
            else _typed_demographics(doc, "số định danh", "personal ID number")
        )
        if found is None and demographics.date_of_birth is not None:
            ids.check_cccd_consistency(vneid.info, demographics.date_of_birth, doc.sex)
        return register_or_find(
            db, actor, demographics, [identifier], vneid_level2=vneid.level2_verified, then=then
        )
    card_bhyt = ids.parse_bhyt(doc.bhyt_code or "")
    identifier = Identifier("bhxh", card_bhyt.bhxh_number)
    with db.session() as session:
        found = find_by_identifier(session, actor.facility_code, "bhxh", card_bhyt.bhxh_number)
    demographics = (
        Demographics(full_name=found.full_name)
        if found is not None
        else _typed_demographics(doc, "thẻ BHYT", "insurance card")
    )
    if found is None and card_bhyt.code:
        demographics.bhyt_code = card_bhyt.code
    return register_or_find(db, actor, demographics, [identifier], then=then)


def _by_mrn(
    db: Database, actor: Principal, mrn: str, then: AlsoInTransaction | None
) -> Registration:
    with db.session() as session:
        patient = find_by_mrn(session, actor.facility_code, mrn)
        if patient is None:
            raise NotFound(
                "patient_not_found",
                f"Không có bệnh nhân mã {mrn}",
                f"No patient with MRN {mrn}",
                field="mrn",
            )
        audit.record(session, actor, "patient.identify", patient_id=patient.id, detail="mrn")
        registration = Registration(patient, created=False)
        if then is not None:
            then(session, registration)
        return registration


def register_typed(
    db: Database,
    actor: Principal,
    demographics: Demographics,
    *,
    cccd: str | None = None,
    bhyt_code: str | None = None,
    birth_certificate: str | None = None,
    passport_number: str | None = None,
) -> Registration:
    """Registration from typed details: children by birth certificate or a parent's CCCD,
    foreigners by passport, anyone by CCCD or insurance number."""
    identifiers: list[Identifier] = []
    if cccd:
        info = ids.parse_cccd(cccd)
        ids.check_cccd_consistency(info, demographics.date_of_birth, demographics.sex)
        identifiers.append(Identifier("cccd", info.number))
    if bhyt_code:
        card = ids.parse_bhyt(bhyt_code)
        identifiers.append(Identifier("bhxh", card.bhxh_number))
        demographics.bhyt_code = card.code or demographics.bhyt_code
    if birth_certificate:
        identifiers.append(Identifier("birth_certificate", birth_certificate))
    if passport_number:
        identifiers.append(
            Identifier("passport", f"{demographics.nationality.upper()}:{passport_number}")
        )
    if not identifiers and demographics.guardian_cccd:
        ids.parse_cccd(demographics.guardian_cccd)
        if demographics.date_of_birth is None:
            raise DomainError(
                "child_dob_required",
                "Trẻ đăng ký theo CCCD của cha/mẹ cần ngày sinh",
                "A child registered by a parent's CCCD needs a date of birth",
                field="date_of_birth",
            )
        # Same parent, same name, same birthday: the same child, even when registered twice
        # at once.
        key = f"{demographics.guardian_cccd}:{fold(demographics.full_name)}:"
        identifiers.append(
            Identifier("guardian_child", key + demographics.date_of_birth.isoformat())
        )
    if not identifiers:
        raise DomainError(
            "identifier_required",
            "Cần ít nhất một giấy tờ (CCCD, thẻ BHYT, giấy khai sinh, hộ chiếu hoặc CCCD của "
            "cha/mẹ); người bệnh cấp cứu chưa rõ danh tính hãy đăng ký tạm",
            "At least one document is required (CCCD, BHYT, birth certificate, passport or a "
            "parent's CCCD); register unknown emergency patients under a temporary identity",
            field="cccd",
        )
    return register_or_find(db, actor, demographics, identifiers)
