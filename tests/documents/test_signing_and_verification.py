"""Signing PDFs as staff members and verifying them: one signature, two signatures by
incremental update (both stay valid), a flipped byte, a drawing added after signing, a
certificate from another CA, a revoked certificate, and input that is not a PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smarthis.documents import pki
from smarthis.documents.signing import SigningCapacity, UnreadablePdf, open_pdf, sign_pdf
from smarthis.documents.verify import (
    STATUS_BROKEN_VI,
    STATUS_MODIFIED_VI,
    STATUS_REVOKED_VI,
    STATUS_UNTRUSTED_VI,
    STATUS_VALID_VI,
    verify_with_hospital_ca,
)
from smarthis.errors import DomainError
from tests.documents.helpers import (
    append_drawing_after_signing,
    flip_byte_in_first_revision,
    pki_config,
    visit_record_pdf,
)


@pytest.fixture
def config(tmp_path: Path) -> pki.PkiConfig:
    config = pki_config(tmp_path)
    pki.init_ca(config)
    pki.issue_staff_certificate(config, "bs.hoa", "Phạm Thị Hoa")
    pki.issue_staff_certificate(config, "tk.minh", "Trần Quang Minh")
    return config


def _signed_by_doctor_and_head(config: pki.PkiConfig) -> tuple[bytes, bytes, bytes]:
    original = visit_record_pdf()
    by_doctor = sign_pdf(
        original, pki.load_staff_credentials(config, "bs.hoa"), SigningCapacity.DOCTOR
    ).data
    by_both = sign_pdf(
        by_doctor,
        pki.load_staff_credentials(config, "tk.minh"),
        SigningCapacity.HEAD_OF_DEPARTMENT,
    ).data
    return original, by_doctor, by_both


def test_a_signed_pdf_reports_intact_signer_time_and_trust(config: pki.PkiConfig) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    credentials = pki.load_staff_credentials(config, "bs.hoa")
    signed = sign_pdf(visit_record_pdf(), credentials, SigningCapacity.DOCTOR).data

    report = verify_with_hospital_ca(signed, config)

    assert report.ok and report.status_vi == STATUS_VALID_VI
    (check,) = report.signatures
    assert (check.signer_name, check.signer_login) == ("Phạm Thị Hoa", "bs.hoa")
    assert check.reason == "Bác sĩ điều trị"
    assert check.field_name == "doctor-bs_hoa"
    assert check.certificate_serial == pki.serial_hex(credentials.certificate)
    assert check.intact and check.trusted and not check.modified_after_signing
    assert check.covers_whole_file
    assert check.signing_time is not None
    assert before <= check.signing_time <= datetime.now(UTC) + timedelta(seconds=5)
    # PAdES: a CAdES-detached signature (baseline B-B), not the older PKCS#7 kind.
    (embedded,) = open_pdf(signed).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_the_doctors_signature_stays_valid_after_the_head_of_department_signs(
    config: pki.PkiConfig,
) -> None:
    original, by_doctor, by_both = _signed_by_doctor_and_head(config)

    assert by_both.startswith(by_doctor) and by_doctor.startswith(original)
    report = verify_with_hospital_ca(by_both, config)
    assert report.ok
    doctor, head = report.signatures
    assert (doctor.signer_login, head.signer_login) == ("bs.hoa", "tk.minh")
    assert head.reason == "Trưởng khoa"
    assert doctor.ok and not doctor.covers_whole_file and not doctor.modified_after_signing
    assert head.ok and head.covers_whole_file


def test_a_flipped_byte_inside_the_signed_range_breaks_every_signature(
    config: pki.PkiConfig,
) -> None:
    original, _, by_both = _signed_by_doctor_and_head(config)
    tampered = flip_byte_in_first_revision(by_both, len(original))

    report = verify_with_hospital_ca(tampered, config)

    assert not report.ok
    assert [c.intact for c in report.signatures] == [False, False]
    assert report.status_vi == STATUS_BROKEN_VI


def test_a_drawing_added_after_signing_is_reported_as_a_change(config: pki.PkiConfig) -> None:
    credentials = pki.load_staff_credentials(config, "bs.hoa")
    signed = sign_pdf(visit_record_pdf(), credentials, SigningCapacity.DOCTOR).data
    changed = append_drawing_after_signing(signed)

    report = verify_with_hospital_ca(changed, config)

    (check,) = report.signatures
    # The signed bytes are untouched (intact) but the document shown is not what was signed.
    assert check.intact and check.modified_after_signing and not check.ok
    assert report.status_vi == STATUS_MODIFIED_VI


def test_a_certificate_from_another_ca_is_not_trusted(
    config: pki.PkiConfig, tmp_path: Path
) -> None:
    elsewhere = pki.PkiConfig(
        directory=tmp_path / "other-pki", hospital_name="Phòng khám khác", passphrase=b"x"
    )
    pki.init_ca(elsewhere)
    pki.issue_staff_certificate(elsewhere, "bs.hoa", "Phạm Thị Hoa")
    forged = sign_pdf(
        visit_record_pdf(),
        pki.load_staff_credentials(elsewhere, "bs.hoa"),
        SigningCapacity.DOCTOR,
    ).data

    report = verify_with_hospital_ca(forged, config)

    (check,) = report.signatures
    assert check.intact and not check.trusted and not report.ok
    assert report.status_vi == STATUS_UNTRUSTED_VI
    # The same file is trusted where that other CA is the root: the check is the root.
    assert verify_with_hospital_ca(forged, elsewhere).ok


def test_a_signature_made_after_revocation_is_not_trusted(config: pki.PkiConfig) -> None:
    signed = sign_pdf(
        visit_record_pdf(), pki.load_staff_credentials(config, "bs.hoa"), SigningCapacity.DOCTOR
    ).data
    # Revoked an hour ago: whoever kept a copy of the key signed after that.
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    pki.revoke_staff_certificate(config, "bs.hoa", "mất khóa", now=an_hour_ago)

    report = verify_with_hospital_ca(signed, config)

    (check,) = report.signatures
    assert check.revoked and not check.trusted and not report.ok
    assert report.status_vi == STATUS_REVOKED_VI


def test_a_signature_made_before_revocation_still_holds(config: pki.PkiConfig) -> None:
    signed = sign_pdf(
        visit_record_pdf(), pki.load_staff_credentials(config, "bs.hoa"), SigningCapacity.DOCTOR
    ).data
    later = datetime.now(UTC) + timedelta(hours=1)
    pki.revoke_staff_certificate(config, "bs.hoa", "nghỉ việc", now=later)

    report = verify_with_hospital_ca(signed, config)

    assert report.ok
    assert "thu hồi sau khi ký" in report.signatures[0].problems[0]


def test_without_a_ca_nothing_is_trusted(config: pki.PkiConfig, tmp_path: Path) -> None:
    signed = sign_pdf(
        visit_record_pdf(), pki.load_staff_credentials(config, "bs.hoa"), SigningCapacity.DOCTOR
    ).data
    empty = pki.PkiConfig(directory=tmp_path / "none", hospital_name="x", passphrase=b"x")
    report = verify_with_hospital_ca(signed, empty)
    assert not report.ok and not report.signatures[0].trusted


def test_the_same_person_cannot_sign_twice_in_the_same_capacity(config: pki.PkiConfig) -> None:
    credentials = pki.load_staff_credentials(config, "bs.hoa")
    signed = sign_pdf(visit_record_pdf(), credentials, SigningCapacity.DOCTOR).data
    with pytest.raises(DomainError) as twice:
        sign_pdf(signed, credentials, SigningCapacity.DOCTOR)
    assert twice.value.code == "already_signed"


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.4\ngarbage without structure"])
def test_bytes_that_are_not_a_pdf_are_refused(config: pki.PkiConfig, data: bytes) -> None:
    with pytest.raises(UnreadablePdf):
        verify_with_hospital_ca(data, config)
    with pytest.raises(UnreadablePdf):
        sign_pdf(data, pki.load_staff_credentials(config, "bs.hoa"), SigningCapacity.DOCTOR)


def test_an_unsigned_pdf_is_not_reported_valid(config: pki.PkiConfig) -> None:
    report = verify_with_hospital_ca(visit_record_pdf(), config)
    assert report.signatures == [] and not report.ok
    assert report.status_vi == "Tài liệu chưa được ký"
