"""Sign PDF bytes as a staff member: PAdES baseline B-B (ETSI.CAdES.detached), with pyHanko.

Each signature is an incremental update appended to the file: the bytes an earlier signer
signed stay exactly as they were, so the doctor's signature is still valid after the head of
department signs below it. The signature field is invisible (the rendered paper already
carries the printed names) and named after the capacity and the login."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from enum import StrEnum

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko_certvalidator.registry import SimpleCertificateStore

from smarthis.documents.pki import StaffCredentials
from smarthis.errors import Conflict, DomainError


class SigningCapacity(StrEnum):
    """In what capacity a person signs: the paper's signature blocks."""

    AUTHOR = "author"
    DOCTOR = "doctor"
    HEAD_OF_DEPARTMENT = "head_of_department"
    NURSE = "nurse"


# In the order a signing form offers them: the usual capacity first.
CAPACITY_NAMES_VI: dict[SigningCapacity, str] = {
    SigningCapacity.DOCTOR: "Bác sĩ điều trị",
    SigningCapacity.NURSE: "Điều dưỡng",
    SigningCapacity.HEAD_OF_DEPARTMENT: "Trưởng khoa",
    SigningCapacity.AUTHOR: "Người lập",
}


class UnreadablePdf(DomainError):
    status_code = 422

    def __init__(self, detail: str) -> None:
        super().__init__(
            "pdf_unreadable",
            f"Không đọc được tệp PDF ({detail})",
            f"Not a readable PDF ({detail})",
            field="pdf",
        )


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    field_name: str


def signature_field_name(capacity: SigningCapacity, login: str) -> str:
    # A dot in a PDF field name makes a child field ("a.b" is b under a): keep it out.
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{capacity.value}-{login}")


def open_pdf(data: bytes) -> PdfFileReader:
    if not data.startswith(b"%PDF-"):
        raise UnreadablePdf("không bắt đầu bằng %PDF-")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018 - parses the catalogue: a broken file fails here
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise UnreadablePdf(str(exc)[:120]) from None
    if reader.encrypted:
        raise UnreadablePdf("tệp được mã hóa")
    return reader


def _signer(credentials: StaffCredentials) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key_der = credentials.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ca = asn1_x509.Certificate.load(credentials.ca_certificate.public_bytes(der))
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(credentials.certificate.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # The chain travels inside the signature, so a verifier needs only the root.
        cert_registry=SimpleCertificateStore.from_certs([ca]),
    )


def sign_pdf(
    data: bytes,
    credentials: StaffCredentials,
    capacity: SigningCapacity,
    *,
    location: str = "",
) -> SignedPdf:
    reader = open_pdf(data)
    field_name = signature_field_name(capacity, credentials.login)
    if any(sig.field_name == field_name for sig in reader.embedded_signatures):
        raise Conflict(
            "already_signed",
            f"{credentials.login} đã ký tài liệu này với vai trò {CAPACITY_NAMES_VI[capacity]}",
            f"{credentials.login} already signed this document as {capacity.value}",
            field="capacity",
        )
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        reason=CAPACITY_NAMES_VI[capacity],
        location=location or None,
        name=credentials.login,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    output = signers.sign_pdf(
        writer,
        metadata,
        signer=_signer(credentials),
        existing_fields_only=False,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name),
    )
    signed = output.getvalue()
    # What makes an earlier signature survive: the new file begins with the old one.
    if not signed.startswith(data):
        raise RuntimeError("the signer rewrote bytes an earlier signature covers")
    return SignedPdf(data=signed, field_name=field_name)
