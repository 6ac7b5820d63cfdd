"""Verify every signature of a PDF: intact, who signed, when, trusted, changed afterwards.

A signature is good only when all of these hold:
- intact: the bytes it covers hash to what was signed (a changed byte breaks it);
- trusted: its certificate chains to the hospital's CA (the only trust root), was valid
  and fit for signing, and had not been revoked when the signature was made;
- not modified after: later revisions of the file only add signatures (pyHanko's
  difference analysis); anything else there is "changed after signing".
The signing time is the one the signer's software wrote (no timestamp authority yet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureStatus
from pyhanko_certvalidator import ValidationContext

from smarthis.documents.pki import PkiConfig, ca_certificate, revoked_serials
from smarthis.documents.signing import open_pdf

STATUS_VALID_VI = "Chữ ký hợp lệ"
STATUS_BROKEN_VI = "Tài liệu đã bị sửa: chữ ký không còn khớp nội dung"
STATUS_MODIFIED_VI = "Tài liệu đã bị thay đổi sau khi ký"
STATUS_UNTRUSTED_VI = "Chứng thư số không do CA của bệnh viện cấp hoặc không còn hiệu lực"
STATUS_REVOKED_VI = "Chứng thư số đã bị thu hồi trước khi ký"
NO_SIGNATURE_VI = "Tài liệu chưa được ký"


@dataclass
class SignatureCheck:
    field_name: str
    signer_name: str
    signer_login: str
    certificate_serial: str
    signing_time: datetime | None
    reason: str
    intact: bool
    trusted: bool
    revoked: bool
    modified_after_signing: bool
    # False for every signature but the last: later signatures were appended after it.
    covers_whole_file: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and not self.modified_after_signing

    @property
    def status_vi(self) -> str:
        if not self.intact:
            return STATUS_BROKEN_VI
        if self.modified_after_signing:
            return STATUS_MODIFIED_VI
        if self.revoked:
            return STATUS_REVOKED_VI
        if not self.trusted:
            return STATUS_UNTRUSTED_VI
        return STATUS_VALID_VI

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "status": self.status_vi}


@dataclass
class VerificationReport:
    signatures: list[SignatureCheck]

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def status_vi(self) -> str:
        if not self.signatures:
            return NO_SIGNATURE_VI
        for check in self.signatures:
            if not check.ok:
                return check.status_vi
        return STATUS_VALID_VI

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status_vi,
            "signatures": [s.as_dict() for s in self.signatures],
        }


def _subject(status: SignatureStatus, key: str) -> str:
    return str(status.signing_cert.subject.native.get(key, ""))


def _check(
    signature: EmbeddedPdfSignature,
    context: ValidationContext,
    revoked: Mapping[str, datetime],
) -> SignatureCheck:
    status = validate_pdf_signature(signature, context)
    serial = format(status.signing_cert.serial_number, "X")
    signed_at = status.signer_reported_dt
    revoked_at = revoked.get(serial)
    # The PDF's signing time has whole seconds: a signature in the second of the revocation
    # counts as made after it (the doubt goes against trust).
    revoked_before = revoked_at is not None and (
        signed_at is None or revoked_at.replace(microsecond=0) <= signed_at
    )
    level = status.modification_level
    modified = not status.docmdp_ok or (
        level is not None and level > ModificationLevel.FORM_FILLING
    )
    check = SignatureCheck(
        field_name=signature.field_name,
        signer_name=_subject(status, "common_name"),
        signer_login=_subject(status, "user_id"),
        certificate_serial=serial,
        signing_time=signed_at,
        reason=str(signature.sig_object.get("/Reason", "")),
        intact=status.intact and status.valid,
        trusted=status.trusted and not revoked_before,
        revoked=revoked_before,
        modified_after_signing=modified,
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
    )
    if revoked_at is not None and not revoked_before:
        check.problems.append(f"Chứng thư bị thu hồi sau khi ký ({revoked_at.isoformat()})")
    if not check.ok:
        check.problems.append(check.status_vi)
    return check


def _broken(signature: EmbeddedPdfSignature, error: Exception) -> SignatureCheck:
    """A signature pyHanko could not even evaluate (its structure was damaged)."""
    return SignatureCheck(
        field_name=signature.field_name,
        signer_name="",
        signer_login="",
        certificate_serial="",
        signing_time=None,
        reason="",
        intact=False,
        trusted=False,
        revoked=False,
        modified_after_signing=True,
        covers_whole_file=False,
        problems=[STATUS_BROKEN_VI, str(error)[:200]],
    )


def verify_pdf(
    data: bytes,
    trust_roots: list[x509.Certificate],
    revoked: Mapping[str, datetime] | None = None,
) -> VerificationReport:
    """Raises UnreadablePdf when the bytes are not a PDF at all."""
    reader = open_pdf(data)
    der = serialization.Encoding.DER
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(der)) for root in trust_roots],
        allow_fetching=False,  # never reach out to the internet from a hospital network
    )
    checks = []
    for signature in reader.embedded_signatures:
        try:
            checks.append(_check(signature, context, revoked or {}))
        except Exception as exc:  # any damage means "not intact", never a crash
            checks.append(_broken(signature, exc))
    return VerificationReport(signatures=checks)


def verify_with_hospital_ca(data: bytes, config: PkiConfig) -> VerificationReport:
    root = ca_certificate(config)
    return verify_pdf(data, [root] if root else [], revoked_serials(config))
