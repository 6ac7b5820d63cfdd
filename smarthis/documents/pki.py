"""The hospital's own certificate authority and its staff signing certificates.

Layout of the PKI directory (SMARTHIS_PKI_DIR, default <data_dir>/pki), every private file
0600 and the directories 0700:

    ca.crt                  the CA certificate (PEM): the trust root of verification
    ca.key                  its private key (PEM, encrypted with the PKI passphrase)
    staff/<login>.p12       a staff member's key + certificate + CA (PKCS#12, passphrase)
    staff/<login>.crt       the same certificate in PEM, readable without the passphrase
    staff/revoked/          certificates taken out of use (kept: old signatures name them)
    revoked.json, ca.crl    the revocation list, and the same as a CRL signed by the CA

A configured external CA (SMARTHIS_PKI_CA_CERT_FILE + _KEY_FILE) replaces ca.crt/ca.key:
staff certificates are then issued by it and verification trusts it.

Keys are EC P-256: as strong as RSA 3072 for signatures, and fast enough to issue in tests.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from smarthis.config import Settings
from smarthis.documents.settings import PkiSettings
from smarthis.errors import DomainError, NotFound

# Logins become file names and PDF field names: letters, digits, dot, dash, underscore.
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A certificate is valid from a little before now, so a clock a minute behind still accepts it.
_CLOCK_SKEW = timedelta(minutes=5)


class PkiError(DomainError):
    status_code = 409


@dataclass(frozen=True)
class PkiConfig:
    directory: Path
    hospital_name: str
    passphrase: bytes
    external_ca_cert: Path | None = None
    external_ca_key: Path | None = None
    external_ca_passphrase: bytes | None = None
    staff_cert_days: int = 730
    ca_cert_days: int = 3650

    @classmethod
    def from_settings(cls, settings: Settings, pki: PkiSettings | None = None) -> PkiConfig:
        pki = pki or PkiSettings()
        external = pki.ca_cert_file is not None and pki.ca_key_file is not None
        return cls(
            directory=pki.dir or Path(settings.data_dir) / "pki",
            hospital_name=settings.facility_name,
            passphrase=pki.passphrase.encode(),
            external_ca_cert=pki.ca_cert_file if external else None,
            external_ca_key=pki.ca_key_file if external else None,
            external_ca_passphrase=pki.ca_key_passphrase.encode() or None,
            staff_cert_days=pki.staff_cert_days,
            ca_cert_days=pki.ca_cert_days,
        )

    @property
    def uses_external_ca(self) -> bool:
        return self.external_ca_cert is not None

    @property
    def ca_cert_path(self) -> Path:
        return self.external_ca_cert or self.directory / "ca.crt"

    @property
    def ca_key_path(self) -> Path:
        return self.external_ca_key or self.directory / "ca.key"

    @property
    def staff_dir(self) -> Path:
        return self.directory / "staff"


@dataclass(frozen=True)
class HospitalCA:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey  # an external CA may well be RSA


@dataclass(frozen=True)
class StaffCredentials:
    login: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca_certificate: x509.Certificate


@dataclass(frozen=True)
class CertificateInfo:
    login: str
    full_name: str
    serial: str  # hex, as `openssl x509 -serial` prints it
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None = None


def check_login(login: str) -> str:
    if not _LOGIN.match(login or ""):
        raise DomainError(
            "invalid_login",
            f"Tên đăng nhập '{login}' không dùng được cho chứng thư số",
            f"Login '{login}' cannot name a certificate",
            field="staff",
        )
    return login


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "X")


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def _write_private(path: Path, data: bytes) -> None:
    """Create a file readable by the owner only; never replaces an existing one, so two
    processes issuing the same certificate at once cannot both win."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PkiError(
            "pki_file_exists", f"Tệp {path.name} đã tồn tại", f"{path.name} already exists"
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _name(hospital: str, common_name: str, login: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, hospital[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ]
    if login is not None:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, login))
    return x509.Name(attributes)


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,  # nonRepudiation: the signer stands behind the content
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def init_ca(config: PkiConfig, now: datetime | None = None) -> x509.Certificate:
    """Create the built-in CA (once)."""
    if config.uses_external_ca:
        raise PkiError(
            "external_ca_configured",
            "Đã cấu hình CA bên ngoài; không tạo CA nội bộ",
            "An external CA is configured; the built-in CA is not created",
        )
    if config.ca_cert_path.exists():
        raise PkiError("ca_exists", "CA của bệnh viện đã được tạo", "The hospital CA exists")
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(config.hospital_name, f"{config.hospital_name} - CA ký số")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=config.ca_cert_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _private_dir(config.directory)
    encryption = serialization.BestAvailableEncryption(config.passphrase)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    _write_private(config.ca_key_path, key_pem)
    _write_private(config.ca_cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return certificate


def ca_certificate(config: PkiConfig) -> x509.Certificate | None:
    """The trust root, or None while no CA exists (then nothing verifies as trusted)."""
    path = config.ca_cert_path
    if not path.exists():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_ca(config: PkiConfig) -> HospitalCA:
    certificate = ca_certificate(config)
    if certificate is None or not config.ca_key_path.exists():
        raise PkiError(
            "ca_missing",
            "Chưa có CA của bệnh viện: chạy `smarthis pki init`",
            "No hospital CA: run `smarthis pki init`",
        )
    passphrase = config.external_ca_passphrase if config.uses_external_ca else config.passphrase
    key = serialization.load_pem_private_key(config.ca_key_path.read_bytes(), passphrase)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise PkiError("ca_key_type", "Khóa CA phải là RSA hoặc EC", "CA key must be RSA or EC")
    return HospitalCA(certificate=certificate, key=key)


def issue_staff_certificate(
    config: PkiConfig, login: str, full_name: str, now: datetime | None = None
) -> CertificateInfo:
    """A signing certificate for one staff member: CN = full name, UID = login."""
    check_login(login)
    ca = load_ca(config)
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(config.hospital_name, full_name, login))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(
            min(now + timedelta(days=config.staff_cert_days), ca.certificate.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        login.encode(),
        key,
        certificate,
        [ca.certificate],
        serialization.BestAvailableEncryption(config.passphrase),
    )
    _private_dir(config.staff_dir)
    if (config.staff_dir / f"{login}.p12").exists():
        raise PkiError(
            "certificate_exists",
            f"{login} đã có chứng thư số; thu hồi trước khi cấp lại",
            f"{login} already has a certificate; revoke it before issuing a new one",
            field="staff",
        )
    _write_private(config.staff_dir / f"{login}.p12", bundle)
    _write_private(
        config.staff_dir / f"{login}.crt", certificate.public_bytes(serialization.Encoding.PEM)
    )
    return certificate_info(certificate)


def load_staff_credentials(config: PkiConfig, login: str) -> StaffCredentials:
    check_login(login)
    path = config.staff_dir / f"{login}.p12"
    if not path.exists():
        raise PkiError(
            "certificate_missing",
            f"{login} chưa được cấp chứng thư số (smarthis pki issue --staff {login})",
            f"{login} has no signing certificate (smarthis pki issue --staff {login})",
            field="staff",
        )
    key, certificate, extra = pkcs12.load_key_and_certificates(path.read_bytes(), config.passphrase)
    if key is None or certificate is None or not extra:
        raise PkiError("certificate_broken", f"Tệp khóa của {login} hỏng", f"{path} is broken")
    return StaffCredentials(login, key, certificate, extra[0])  # type: ignore[arg-type]


def _subject(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_info(
    certificate: x509.Certificate, revoked_at: datetime | None = None
) -> CertificateInfo:
    return CertificateInfo(
        login=_subject(certificate, NameOID.USER_ID),
        full_name=_subject(certificate, NameOID.COMMON_NAME),
        serial=serial_hex(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        revoked_at=revoked_at,
    )


def list_certificates(config: PkiConfig) -> list[CertificateInfo]:
    """Every staff certificate issued here: those in use, then those taken out of use."""
    revoked = revoked_serials(config)
    found: list[CertificateInfo] = []
    for folder in (config.staff_dir, config.staff_dir / "revoked"):
        for path in sorted(folder.glob("*.crt")) if folder.exists() else []:
            certificate = x509.load_pem_x509_certificate(path.read_bytes())
            found.append(certificate_info(certificate, revoked.get(serial_hex(certificate))))
    return found


# --- Revocation -------------------------------------------------------------------------


def _revocation_path(config: PkiConfig) -> Path:
    return config.directory / "revoked.json"


def revoked_serials(config: PkiConfig) -> dict[str, datetime]:
    """Serial (hex) -> when it was revoked."""
    path = _revocation_path(config)
    if not path.exists():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {e["serial"]: datetime.fromisoformat(e["revoked_at"]) for e in entries}


def revoke_staff_certificate(
    config: PkiConfig, login: str, reason: str, now: datetime | None = None
) -> CertificateInfo:
    """Take a staff member's certificate out of use: listed as revoked (signatures it makes
    from now on are untrusted), its files moved aside, so a new one can be issued."""
    check_login(login)
    crt = config.staff_dir / f"{login}.crt"
    if not crt.exists():
        raise NotFound(
            "certificate_missing",
            f"{login} không có chứng thư số đang dùng",
            f"{login} has no certificate in use",
            field="staff",
        )
    certificate = x509.load_pem_x509_certificate(crt.read_bytes())
    now = now or datetime.now(UTC)
    path = _revocation_path(config)
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    entries.append(
        {
            "serial": serial_hex(certificate),
            "login": login,
            "revoked_at": now.isoformat(),
            "reason": reason,
        }
    )
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2), encoding="utf-8")
    archive = config.staff_dir / "revoked"
    _private_dir(archive)
    for suffix in (".crt", ".p12"):
        source = config.staff_dir / f"{login}{suffix}"
        if source.exists():
            source.rename(archive / f"{login}-{serial_hex(certificate)}{suffix}")
    _write_crl(config, entries, now)
    return certificate_info(certificate, now)


def _write_crl(config: PkiConfig, entries: list[dict[str, str]], now: datetime) -> None:
    """The list as an X.509 CRL signed by the CA, for verifiers outside SmartHIS."""
    ca = load_ca(config)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=7))
    )
    for entry in entries:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(entry["serial"], 16))
            .revocation_date(datetime.fromisoformat(entry["revoked_at"]))
            .build()
        )
    crl = builder.sign(ca.key, hashes.SHA256())
    (config.directory / "ca.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
