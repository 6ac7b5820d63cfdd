"""Master patient index: find-or-create, concurrency, search without diacritics, history,
merges, patients without papers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from smarthis.db import Database
from smarthis.errors import Conflict, DomainError
from smarthis.patients import service
from smarthis.patients.identify import DocumentInput, identify, register_typed
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.patients.service import Demographics, Identifier
from smarthis.security.models import AuditEntry
from smarthis.security.principal import system_principal

ACTOR = system_principal("48001", source="test")
QR_AN = "048085001234|201234567|Nguyễn Văn An|15031985|Nam|12 Lê Duẩn, Hải Châu, Đà Nẵng|01022021"


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_qr_scan_creates_then_finds_the_same_patient(db: Database) -> None:
    first = identify(db, ACTOR, DocumentInput(qr_text=QR_AN))
    second = identify(db, ACTOR, DocumentInput(qr_text=QR_AN))
    assert first.created and not second.created
    assert first.patient.id == second.patient.id
    assert first.patient.full_name == "Nguyễn Văn An"
    assert first.patient.date_of_birth == date(1985, 3, 15)
    assert first.patient.sex == "male"
    assert first.patient.mrn.startswith(str(date.today().year))


def test_work_given_to_identify_runs_in_its_transaction(db: Database) -> None:
    seen: list[bool] = []

    def refuse(_session: object, registration: service.Registration) -> None:
        seen.append(registration.created)
        raise DomainError("test_refused", "Từ chối", "Refused")

    with pytest.raises(DomainError):
        identify(db, ACTOR, DocumentInput(qr_text=QR_AN), then=refuse)
    # The caller's work failed, so the patient it was given was never written.
    assert seen == [True] and _count(db, Patient) == 0
    identify(db, ACTOR, DocumentInput(qr_text=QR_AN))
    identify(db, ACTOR, DocumentInput(qr_text=QR_AN), then=lambda _s, r: seen.append(r.created))
    assert seen == [True, False]


def test_twenty_concurrent_registrations_of_one_cccd_give_one_patient(db: Database) -> None:
    def register(_: int) -> int:
        return identify(db, ACTOR, DocumentInput(qr_text=QR_AN)).patient.id

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(register, range(20)))
    assert len(set(ids)) == 1
    assert _count(db, Patient) == 1
    assert _count(db, PatientIdentifier) == 1
    with db.session() as session:
        created = session.execute(
            select(func.count()).where(AuditEntry.action == "patient.create")
        ).scalar_one()
    assert created == 1


def test_mrns_are_distinct_and_consecutive_under_concurrency(db: Database) -> None:
    def register(i: int) -> str:
        demographics = Demographics(full_name=f"Bệnh nhân {i}", birth_year=1970, sex="female")
        ident = Identifier("passport", f"US:P{i:06d}")
        return service.register_or_find(db, ACTOR, demographics, [ident]).patient.mrn

    with ThreadPoolExecutor(max_workers=10) as pool:
        mrns = sorted(pool.map(register, range(30)))
    numbers = [int(m[4:]) for m in mrns]
    assert numbers == list(range(1, 31))


def test_search_ignores_diacritics_and_case(db: Database) -> None:
    identify(db, ACTOR, DocumentInput(qr_text=QR_AN))
    with db.session() as session:
        found = service.search_patients(session, ACTOR, name="nguyen van an")
        assert [p.full_name for p in found] == ["Nguyễn Văn An"]
        assert service.search_patients(session, ACTOR, name="NGUYỄN VĂN")[0].full_name
        assert service.search_patients(session, ACTOR, identifier="048085001234")
        assert service.search_patients(session, ACTOR, name="an", date_of_birth=date(1985, 3, 15))
        assert service.search_patients(session, ACTOR, name="tran") == []


def test_search_needs_something_to_search_for(db: Database) -> None:
    with db.session() as session, pytest.raises(DomainError) as err:
        service.search_patients(session, ACTOR)
    assert err.value.code == "search_empty"


def test_demographic_change_keeps_history_and_is_audited(db: Database) -> None:
    patient = identify(db, ACTOR, DocumentInput(qr_text=QR_AN)).patient
    with db.session() as session:
        service.update_demographics(
            session, ACTOR, patient.id, {"phone": "0905 123 456"}, reason="bệnh nhân báo"
        )
        service.update_demographics(session, ACTOR, patient.id, {"address": "Số 5 Trần Phú"})
    with db.session() as session:
        history = service.demographic_history(session, ACTOR, patient.id)
        current = session.get(Patient, patient.id)
        actions = session.execute(
            select(AuditEntry.action).where(AuditEntry.patient_id == patient.id)
        ).scalars()
        assert "patient.update" in set(actions)
    assert [h.version for h in history] == [1, 2]
    assert current.phone == "0905123456" and current.address == "Số 5 Trần Phú"
    assert '"phone": null' in history[0].snapshot


def test_unknown_field_and_bad_values_are_rejected(db: Database) -> None:
    patient = identify(db, ACTOR, DocumentInput(qr_text=QR_AN)).patient
    with db.session() as session:
        with pytest.raises(DomainError) as err:
            service.update_demographics(session, ACTOR, patient.id, {"mrn": "x"})
        assert err.value.field == "mrn"
        with pytest.raises(DomainError) as err:
            service.update_demographics(
                session, ACTOR, patient.id, {"date_of_birth": date(2999, 1, 1)}
            )
        assert err.value.code == "patient_dob_future"


def test_child_without_papers_by_parent_cccd_is_found_again(db: Database) -> None:
    child = Demographics(
        full_name="Lê Minh Khang",
        date_of_birth=date(2023, 5, 2),
        sex="male",
        guardian_cccd="048188001234",
        guardian_name="Trần Thị Hoa",
    )
    first = register_typed(db, ACTOR, child)
    again = register_typed(
        db,
        ACTOR,
        Demographics(
            full_name="le minh khang",
            date_of_birth=date(2023, 5, 2),
            guardian_cccd="048188001234",
        ),
    )
    sibling = register_typed(
        db,
        ACTOR,
        Demographics(
            full_name="Lê Minh Anh", date_of_birth=date(2024, 9, 9), guardian_cccd="048188001234"
        ),
    )
    assert first.created and not again.created and sibling.created
    assert first.patient.id == again.patient.id != sibling.patient.id


def test_foreigner_by_passport_and_child_by_birth_certificate(db: Database) -> None:
    foreigner = register_typed(
        db,
        ACTOR,
        Demographics(full_name="John Smith", birth_year=1970, sex="male", nationality="US"),
        passport_number="X1234567",
    )
    baby = register_typed(
        db,
        ACTOR,
        Demographics(full_name="Phạm Gia Bảo", date_of_birth=date(2025, 1, 20), sex="male"),
        birth_certificate="123/2025-KS",
    )
    assert foreigner.created and baby.created
    with db.session() as session:
        assert service.find_by_identifier(session, "48001", "passport", "US:X1234567")
        assert service.find_by_identifier(session, "48001", "birth_certificate", "123/2025-ks")


def test_registration_needs_a_document(db: Database) -> None:
    with pytest.raises(DomainError) as err:
        register_typed(db, ACTOR, Demographics(full_name="Không Giấy Tờ", birth_year=1990))
    assert err.value.code == "identifier_required"


def test_cccd_inconsistent_with_stated_birth_date_is_refused(db: Database) -> None:
    with pytest.raises(DomainError) as err:
        register_typed(
            db,
            ACTOR,
            Demographics(full_name="Nguyễn Văn An", date_of_birth=date(1990, 1, 1), sex="male"),
            cccd="048085001234",
        )
    assert "birth_year" in err.value.code


def test_temporary_emergency_identity_merges_into_the_real_record(db: Database) -> None:
    temporary = service.register_temporary(db, ACTOR, "nam, khoảng 40 tuổi", "male", 40)
    real = identify(db, ACTOR, DocumentInput(qr_text=QR_AN)).patient
    assert temporary.is_temporary
    with db.session() as session:
        kept = service.merge_patients(session, ACTOR, temporary.id, real.id, "đã rõ danh tính")
        assert kept.id == real.id
    with db.session() as session:
        label = session.execute(
            select(PatientIdentifier.value).where(PatientIdentifier.kind == "temporary")
        ).scalar_one()
        # The temporary label still leads to the real record.
        assert service.find_by_identifier(session, "48001", "temporary", label).id == real.id
        assert service.search_patients(session, ACTOR, name="chua ro danh tinh") == []
        with pytest.raises(Conflict):
            service.merge_patients(session, ACTOR, temporary.id, real.id, "lần hai")


def test_vneid_number_needs_details_the_first_time(db: Database) -> None:
    with pytest.raises(DomainError) as err:
        identify(db, ACTOR, DocumentInput(vneid_number="048085001234", vneid_level2=True))
    assert err.value.code == "patient_not_found_need_details"
    registered = identify(
        db,
        ACTOR,
        DocumentInput(
            vneid_number="048085001234",
            vneid_level2=True,
            full_name="Nguyễn Văn An",
            date_of_birth=date(1985, 3, 15),
            sex="male",
        ),
    )
    assert registered.created and registered.patient.vneid_level2
    # The chip card of the same person later finds the same record.
    assert identify(db, ACTOR, DocumentInput(qr_text=QR_AN)).patient.id == registered.patient.id


def test_possible_duplicates_are_same_folded_name_and_birth(db: Database) -> None:
    real = identify(db, ACTOR, DocumentInput(qr_text=QR_AN)).patient
    typed = register_typed(
        db,
        ACTOR,
        Demographics(full_name="NGUYEN VAN AN", date_of_birth=date(1985, 3, 15), sex="male"),
        passport_number="B7654321",
    ).patient
    register_typed(
        db,
        ACTOR,
        Demographics(full_name="Nguyễn Văn An", date_of_birth=date(1990, 1, 1), sex="male"),
        passport_number="C1111111",
    )
    with db.session() as session:
        found = service.possible_duplicates(session, ACTOR, real.id)
    assert [p.id for p in found] == [typed.id]
