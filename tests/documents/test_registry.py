"""The patient's document registry: registering any PDF, corrections as new versions with
the old one kept, signatures appended to the same version, the database's own guards, and
the audit entry of every read and change."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from smarthis.db import Database
from smarthis.documents import pki, service
from smarthis.documents.models import Document, DocumentSignature
from smarthis.documents.signing import UnreadablePdf
from smarthis.errors import DomainError
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.documents.helpers import (
    FACILITY,
    flip_byte_in_first_revision,
    patient_with_visit,
    pki_config,
    visit_record_pdf,
)

DOCTOR = Principal("staff", 1, "bs.hoa", "Phạm Thị Hoa", Role.DOCTOR, FACILITY, "test")
HEAD = Principal("staff", 2, "tk.minh", "Trần Quang Minh", Role.DOCTOR, FACILITY, "test")
NURSE = Principal("staff", 3, "dd.lan", "Lê Thị Lan", Role.NURSE, FACILITY, "test")


@pytest.fixture
def config(tmp_path: Path) -> pki.PkiConfig:
    config = pki_config(tmp_path)
    pki.init_ca(config)
    for who in (DOCTOR, HEAD, NURSE):
        pki.issue_staff_certificate(config, who.name, who.display_name)
    return config


def _register(db: Database, patient_id: int, visit_id: int | None = None) -> int:
    with db.session() as s:
        return service.register_document(
            s,
            DOCTOR,
            patient_id=patient_id,
            kind="visit_record",
            title="Phiếu khám bệnh ngoại trú",
            pdf=visit_record_pdf(),
            visit_id=visit_id,
        ).id


def _actions(db: Database) -> list[tuple[str, int | None]]:
    with db.session() as s:
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        return [(e.action, e.patient_id) for e in rows]


def test_registering_keeps_the_exact_bytes_and_audits(db: Database) -> None:
    patient_id, visit_id = patient_with_visit(db)
    pdf = visit_record_pdf()
    with db.session() as s:
        document = service.register_document(
            s,
            DOCTOR,
            patient_id=patient_id,
            kind="visit_record",
            title="Phiếu khám bệnh",
            pdf=pdf,
            visit_id=visit_id,
        )
        document_id = document.id
    with db.session() as s:
        stored = service.get_document(s, DOCTOR, document_id)
        assert stored.pdf == pdf and stored.version == 1 and stored.supersedes_id is None
        assert stored.sha256 == stored.original_sha256 == service.sha256_hex(pdf)
        assert stored.visit_id == visit_id and stored.created_by == "bs.hoa"
    assert _actions(db) == [("document.register", patient_id)]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": "selfie"}, "unknown_document_kind"),
        ({"title": "   "}, "invalid_title"),
        ({"patient_id": 999_999}, "patient_not_found"),
        ({"visit_id": 999_999}, "visit_not_found"),
    ],
)
def test_bad_registrations_are_refused_with_their_reason(
    db: Database, change: dict[str, object], code: str
) -> None:
    patient_id, _ = patient_with_visit(db)
    fields: dict = {"patient_id": patient_id, "kind": "other", "title": "Giấy tờ", **change}
    with db.session() as s, pytest.raises(DomainError) as refused:
        service.register_document(s, DOCTOR, pdf=visit_record_pdf(), **fields)
    assert refused.value.code == code


def test_a_visit_of_another_patient_is_refused(db: Database) -> None:
    patient_id, _ = patient_with_visit(db)
    _, other_visit = patient_with_visit(db, "Lê Văn Tám")
    with db.session() as s, pytest.raises(DomainError) as refused:
        service.register_document(
            s,
            DOCTOR,
            patient_id=patient_id,
            kind="other",
            title="x",
            pdf=visit_record_pdf(),
            visit_id=other_visit,
        )
    assert refused.value.code == "visit_not_found"


def test_a_pdf_is_required(db: Database) -> None:
    patient_id, _ = patient_with_visit(db)
    with db.session() as s, pytest.raises(UnreadablePdf):
        service.register_document(
            s, DOCTOR, patient_id=patient_id, kind="other", title="x", pdf=b"<html>"
        )


def test_signatures_are_appended_to_the_same_version(db: Database, config: pki.PkiConfig) -> None:
    patient_id, _ = patient_with_visit(db)
    document_id = _register(db, patient_id)
    with db.session() as s:
        registered = service.get_document(s, DOCTOR, document_id).pdf
    with db.session() as s:
        service.sign_document(s, DOCTOR, config, document_id, "doctor")
    with db.session() as s:
        after_doctor = service.get_document(s, DOCTOR, document_id).pdf
    with db.session() as s:
        service.sign_document(s, HEAD, config, document_id, "head_of_department")

    with db.session() as s:
        document = service.get_document(s, DOCTOR, document_id)
        signatures = service.signatures_of(s, [document_id])[document_id]
        assert document.pdf.startswith(after_doctor) and after_doctor.startswith(registered)
        assert document.version == 1 and document.sha256 == service.sha256_hex(document.pdf)
        assert document.original_sha256 == service.sha256_hex(registered)
        assert [(g.position, g.staff_login, g.capacity) for g in signatures] == [
            (1, "bs.hoa", "doctor"),
            (2, "tk.minh", "head_of_department"),
        ]
        assert signatures[0].signed_length == len(after_doctor)
        assert signatures[1].signed_length == len(document.pdf)
        checked = service.verify_document(s, NURSE, config, document_id)
    assert checked.ok and len(checked.report.signatures) == 2
    actions = [a for a, _ in _actions(db)]
    assert actions == ["document.register", "document.sign", "document.sign", "document.verify"]


def test_a_nurse_signs_as_nurse_only(db: Database, config: pki.PkiConfig) -> None:
    patient_id, _ = patient_with_visit(db)
    document_id = _register(db, patient_id)
    with db.session() as s, pytest.raises(DomainError) as refused:
        service.sign_document(s, NURSE, config, document_id, "head_of_department")
    assert refused.value.code == "capacity_not_allowed" and refused.value.status_code == 403
    with db.session() as s:
        signature = service.sign_document(s, NURSE, config, document_id, "nurse")
    assert signature.signer_name == "Lê Thị Lan"


def test_a_correction_is_a_new_version_and_the_old_one_stays(
    db: Database, config: pki.PkiConfig
) -> None:
    patient_id, _ = patient_with_visit(db)
    first_id = _register(db, patient_id)
    with db.session() as s:
        service.sign_document(s, DOCTOR, config, first_id, "doctor")
    with db.session() as s:
        signed_first = service.get_document(s, DOCTOR, first_id).pdf
    corrected_pdf = visit_record_pdf(note="Viêm phế quản cấp (sửa chẩn đoán)")

    with db.session() as s:
        second = service.correct_document(
            s, DOCTOR, first_id, pdf=corrected_pdf, reason="Sai chẩn đoán"
        )
        second_id = second.id

    with db.session() as s:
        old = service.get_document(s, DOCTOR, first_id)
        new = service.get_document(s, DOCTOR, second_id)
        assert old.pdf == signed_first  # never overwritten
        assert service.verify_document(s, DOCTOR, config, first_id).ok
        assert (new.version, new.supersedes_id, new.series_key) == (2, first_id, old.series_key)
        assert new.pdf == corrected_pdf and new.correction_reason == "Sai chẩn đoán"
        entries = service.patient_documents(s, DOCTOR, patient_id)
    assert [(e.document.id, e.superseded) for e in entries] == [
        (first_id, True),
        (second_id, False),
    ]

    with db.session() as s, pytest.raises(DomainError) as again:
        service.correct_document(s, DOCTOR, first_id, pdf=corrected_pdf, reason="lần nữa")
    assert again.value.code == "document_superseded"
    with db.session() as s, pytest.raises(DomainError) as stale:
        service.sign_document(s, HEAD, config, first_id, "head_of_department")
    assert stale.value.code == "document_superseded"
    with db.session() as s, pytest.raises(DomainError) as no_reason:
        service.correct_document(s, DOCTOR, second_id, pdf=corrected_pdf, reason=" ")
    assert no_reason.value.code == "correction_reason_missing"
    actions = [a for a, _ in _actions(db)]
    assert "document.correct" in actions and actions.count("document.list") == 1


def test_the_database_refuses_two_rows_with_the_same_version(db: Database) -> None:
    patient_id, _ = patient_with_visit(db)
    first_id = _register(db, patient_id)
    with pytest.raises(IntegrityError), db.session() as s:
        first = service.get_document(s, DOCTOR, first_id)
        s.add(
            Document(
                facility_code=FACILITY,
                patient_id=patient_id,
                kind=first.kind,
                title=first.title,
                series_key=first.series_key,
                version=1,
                sha256=first.sha256,
                original_sha256=first.sha256,
                size_bytes=first.size_bytes,
                pdf=first.pdf,
                created_by="bs.khac",
            )
        )
        s.flush()


def test_bytes_changed_in_the_database_are_caught(db: Database, config: pki.PkiConfig) -> None:
    patient_id, _ = patient_with_visit(db)
    document_id = _register(db, patient_id)
    with db.session() as s:
        registered_length = service.get_document(s, DOCTOR, document_id).size_bytes
        service.sign_document(s, DOCTOR, config, document_id, "doctor")
    with db.session() as s:
        pdf = service.get_document(s, DOCTOR, document_id).pdf
        tampered = flip_byte_in_first_revision(pdf, registered_length)
        s.execute(update(Document).where(Document.id == document_id).values(pdf=tampered))
    with db.session() as s:
        checked = service.verify_document(s, DOCTOR, config, document_id)
        recorded = s.execute(select(DocumentSignature)).scalars().all()
    assert not checked.ok and len(recorded) == 1
    assert checked.report.signatures[0].intact is False
    assert "mã băm" in checked.problems[0]
    with db.session() as s, pytest.raises(DomainError) as refused:
        service.sign_document(s, HEAD, config, document_id, "head_of_department")
    assert refused.value.code == "document_integrity"


def test_two_people_signing_at_the_same_moment_both_land_in_order(
    db: Database, config: pki.PkiConfig
) -> None:
    """The row lock (FOR UPDATE; SQLite's write lock) makes the second signer append to
    the first one's bytes instead of overwriting them."""
    patient_id, _ = patient_with_visit(db)
    document_id = _register(db, patient_id)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sign(who: Principal, capacity: str) -> None:
        start.wait()
        try:
            with db.session() as s:
                service.sign_document(s, who, config, document_id, capacity)
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    threads = [
        threading.Thread(target=sign, args=(DOCTOR, "doctor")),
        threading.Thread(target=sign, args=(HEAD, "head_of_department")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with db.session() as s:
        checked = service.verify_document(s, DOCTOR, config, document_id)
        rows = service.signatures_of(s, [document_id])[document_id]
    assert checked.ok and len(checked.report.signatures) == 2
    assert sorted(r.position for r in rows) == [1, 2]
    assert {r.staff_login for r in rows} == {"bs.hoa", "tk.minh"}
