"""The hospital CA and its staff certificates: what they say, where the keys live and who
can read them, one certificate per person at a time, revocation, and an external CA."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from smarthis.config import Settings
from smarthis.documents import pki
from smarthis.documents.settings import PkiSettings
from smarthis.errors import DomainError
from tests.documents.helpers import HOSPITAL, pki_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ca_is_a_signing_authority_of_the_hospital(tmp_path: Path) -> None:
    config = pki_config(tmp_path)
    ca = pki.init_ca(config)

    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert constraints.critical and constraints.value.ca
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert ca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert ca.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == HOSPITAL
    assert config.directory == tmp_path / "pki"
    assert _mode(config.directory / "ca.key") == 0o600
    assert _mode(config.directory) == 0o700
    # The key on disk is encrypted with the PKI passphrase.
    key_pem = (config.directory / "ca.key").read_bytes()
    assert b"ENCRYPTED" in key_pem
    with pytest.raises((TypeError, ValueError)):
        serialization.load_pem_private_key(key_pem, None)

    with pytest.raises(DomainError) as again:
        pki.init_ca(config)
    assert again.value.code == "ca_exists"


def test_staff_certificate_names_the_person_and_is_issued_by_the_ca(tmp_path: Path) -> None:
    config = pki_config(tmp_path)
    ca = pki.init_ca(config)
    info = pki.issue_staff_certificate(config, "bs.hoa", "Phạm Thị Hoa")

    p12 = config.staff_dir / "bs.hoa.p12"
    assert _mode(p12) == 0o600
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(p12.read_bytes(), b"wrong passphrase")
    credentials = pki.load_staff_credentials(config, "bs.hoa")
    cert = credentials.certificate
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Phạm Thị Hoa"
    assert subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "bs.hoa"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == HOSPITAL
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    assert info.serial == pki.serial_hex(cert) and info.login == "bs.hoa"

    with pytest.raises(DomainError) as twice:
        pki.issue_staff_certificate(config, "bs.hoa", "Phạm Thị Hoa")
    assert twice.value.code == "certificate_exists"


@pytest.mark.parametrize("login", ["../etc/passwd", "", ".hidden", "a b"])
def test_a_login_that_cannot_be_a_file_name_is_refused(tmp_path: Path, login: str) -> None:
    config = pki_config(tmp_path)
    pki.init_ca(config)
    with pytest.raises(DomainError) as refused:
        pki.issue_staff_certificate(config, login, "Ai Đó")
    assert refused.value.code == "invalid_login"


def test_issuing_needs_a_ca(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as missing:
        pki.issue_staff_certificate(pki_config(tmp_path), "bs.hoa", "Phạm Thị Hoa")
    assert missing.value.code == "ca_missing"


def test_revoked_certificate_is_listed_in_the_crl_and_a_new_one_can_be_issued(
    tmp_path: Path,
) -> None:
    config = pki_config(tmp_path)
    ca = pki.init_ca(config)
    first = pki.issue_staff_certificate(config, "dd.lan", "Lê Thị Lan")

    revoked = pki.revoke_staff_certificate(config, "dd.lan", "mất thẻ")

    assert revoked.serial == first.serial and revoked.revoked_at is not None
    assert first.serial in pki.revoked_serials(config)
    crl = x509.load_der_x509_crl((config.directory / "ca.crl").read_bytes())
    assert crl.is_signature_valid(ca.public_key())
    assert crl.get_revoked_certificate_by_serial_number(int(first.serial, 16)) is not None
    with pytest.raises(DomainError) as gone:
        pki.load_staff_credentials(config, "dd.lan")
    assert gone.value.code == "certificate_missing"

    second = pki.issue_staff_certificate(config, "dd.lan", "Lê Thị Lan")
    listed = {(i.serial, i.revoked_at is not None) for i in pki.list_certificates(config)}
    assert listed == {(first.serial, True), (second.serial, False)}


def _external_ca(folder: Path) -> tuple[x509.Certificate, Path, Path]:
    """An RSA CA made elsewhere (the province's, say), handed over as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA Sở Y tế (thử nghiệm)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir()
    cert_path, key_path = folder / "ca.pem", folder / "ca-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"so-y-te"),
        )
    )
    return cert, cert_path, key_path


def test_a_configured_external_ca_replaces_the_built_in_one(tmp_path: Path) -> None:
    external, cert_path, key_path = _external_ca(tmp_path / "external")
    settings = PkiSettings(
        ca_cert_file=cert_path, ca_key_file=key_path, ca_key_passphrase="so-y-te"
    )
    config = pki.PkiConfig.from_settings(Settings(data_dir=tmp_path), settings)

    with pytest.raises(DomainError) as refused:
        pki.init_ca(config)
    assert refused.value.code == "external_ca_configured"
    pki.issue_staff_certificate(config, "bs.hoa", "Phạm Thị Hoa")

    credentials = pki.load_staff_credentials(config, "bs.hoa")
    credentials.certificate.verify_directly_issued_by(external)
    assert pki.ca_certificate(config) == external
    assert not (config.directory / "ca.key").exists()


def test_staff_keys_are_elliptic_curve_p256(tmp_path: Path) -> None:
    config = pki_config(tmp_path)
    pki.init_ca(config)
    pki.issue_staff_certificate(config, "bs.hoa", "Phạm Thị Hoa")
    key = pki.load_staff_credentials(config, "bs.hoa").key
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
