"""The patient's document registry: register a PDF, sign it, verify it, correct it.

Any PDF bytes are accepted (visit records, prescriptions, result reports here; discharge
papers and progress notes from the inpatient module later): the registry checks only that
they are a readable PDF for a patient of this facility. Every read and change is audited
with the patient's id. Versioning rules are in `smarthis.documents.models`."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from smarthis.clinical.models import Visit
from smarthis.db import MAX_ID
from smarthis.documents.models import DOCUMENT_KINDS_VI, Document, DocumentSignature
from smarthis.documents.pki import (
    PkiConfig,
    certificate_info,
    load_staff_credentials,
    serial_hex,
)
from smarthis.documents.signing import SigningCapacity, open_pdf, sign_pdf
from smarthis.documents.verify import VerificationReport, verify_with_hospital_ca
from smarthis.errors import Conflict, DomainError, Forbidden, NotFound
from smarthis.patients.models import Patient
from smarthis.security import audit
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal

MAX_PDF_BYTES = 20 * 1024 * 1024
# Who may sign in which capacity. Staff carry no head-of-department flag yet: any doctor
# may sign as head of department, and the signature names the person who did.
CAPACITIES_BY_ROLE: dict[Role, frozenset[SigningCapacity]] = {
    Role.DOCTOR: frozenset(
        {SigningCapacity.AUTHOR, SigningCapacity.DOCTOR, SigningCapacity.HEAD_OF_DEPARTMENT}
    ),
    Role.NURSE: frozenset({SigningCapacity.AUTHOR, SigningCapacity.NURSE}),
}


@dataclass
class DocumentVerification:
    document: Document
    report: VerificationReport
    # The registry's own bookkeeping: stored bytes match the stored hash, and the file still
    # carries at least the signatures the registry recorded.
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.problems

    @property
    def status_vi(self) -> str:
        # What the signatures say comes first: it is what a reader of the paper checks.
        if self.problems and self.report.ok:
            return self.problems[0]
        return self.report.status_vi


@dataclass
class DocumentEntry:
    document: Document
    signatures: list[DocumentSignature]
    superseded: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked_pdf(pdf: bytes) -> bytes:
    if len(pdf) > MAX_PDF_BYTES:
        raise DomainError(
            "pdf_too_large",
            f"Tệp PDF quá lớn (tối đa {MAX_PDF_BYTES // (1024 * 1024)} MB)",
            f"PDF too large (at most {MAX_PDF_BYTES // (1024 * 1024)} MB)",
            field="pdf",
        )
    open_pdf(pdf)
    return pdf


def _kind(kind: str) -> str:
    if kind not in DOCUMENT_KINDS_VI:
        raise DomainError(
            "unknown_document_kind",
            f"Loại tài liệu '{kind}' không có trong danh mục",
            f"Unknown document kind '{kind}'",
            field="kind",
        )
    return kind


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise DomainError(
            "invalid_title",
            "Tên tài liệu phải có từ 1 đến 200 ký tự",
            "Title must be 1 to 200 characters",
            field="title",
        )
    return title


def find_patient(session: Session, actor: Principal, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id) if 1 <= patient_id <= MAX_ID else None
    if patient is None or patient.facility_code != actor.facility_code:
        raise NotFound(
            "patient_not_found",
            f"Không có người bệnh số {patient_id}",
            f"No patient {patient_id}",
            field="patient_id",
        )
    return patient


def _visit_of(session: Session, patient: Patient, visit_id: int | None) -> int | None:
    if visit_id is None:
        return None
    visit = session.get(Visit, visit_id) if 1 <= visit_id <= MAX_ID else None
    if visit is None or visit.patient_id != patient.id:
        raise NotFound(
            "visit_not_found",
            f"Người bệnh không có lượt khám số {visit_id}",
            f"The patient has no visit {visit_id}",
            field="visit_id",
        )
    return visit.id


def get_document(
    session: Session, actor: Principal, document_id: int, *, lock: bool = False
) -> Document:
    document = None
    if 1 <= document_id <= MAX_ID:
        query = select(Document).where(Document.id == document_id).options(undefer(Document.pdf))
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        document = session.execute(query).scalar_one_or_none()
    if document is None or document.facility_code != actor.facility_code:
        raise NotFound(
            "document_not_found",
            f"Không có tài liệu số {document_id}",
            f"No document {document_id}",
            field="document_id",
        )
    return document


def _audit(
    session: Session, actor: Principal, action: str, document: Document, **extra: object
) -> None:
    detail = {
        "document_id": document.id,
        "kind": document.kind,
        "version": document.version,
        "sha256": document.sha256,
        **extra,
    }
    audit.record(session, actor, action, patient_id=document.patient_id, detail=detail)


def register_document(
    session: Session,
    actor: Principal,
    *,
    patient_id: int,
    kind: str,
    title: str,
    pdf: bytes,
    visit_id: int | None = None,
) -> Document:
    """Version 1 of a new paper in the patient's registry."""
    patient = find_patient(session, actor, patient_id)
    digest = sha256_hex(_checked_pdf(pdf))
    document = Document(
        facility_code=actor.facility_code,
        patient_id=patient.id,
        visit_id=_visit_of(session, patient, visit_id),
        kind=_kind(kind),
        title=_title(title),
        series_key=str(uuid.uuid4()),
        version=1,
        sha256=digest,
        original_sha256=digest,
        size_bytes=len(pdf),
        pdf=pdf,
        created_by=actor.name,
    )
    session.add(document)
    session.flush()
    _audit(session, actor, "document.register", document)
    return document


def correct_document(
    session: Session,
    actor: Principal,
    document_id: int,
    *,
    pdf: bytes,
    reason: str,
    title: str | None = None,
) -> Document:
    """A corrected content is a new version; the corrected one stays, marked superseded."""
    previous = get_document(session, actor, document_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "correction_reason_missing",
            "Cần ghi lý do sửa tài liệu",
            "A correction needs a reason",
            field="reason",
        )
    if _successor(session, previous.id) is not None:
        raise Conflict(
            "document_superseded",
            f"Tài liệu số {previous.id} đã có phiên bản mới hơn; hãy sửa phiên bản mới nhất",
            f"Document {previous.id} was already corrected; correct the latest version",
            field="document_id",
        )
    digest = sha256_hex(_checked_pdf(pdf))
    document = Document(
        facility_code=previous.facility_code,
        patient_id=previous.patient_id,
        visit_id=previous.visit_id,
        kind=previous.kind,
        title=_title(title) if title else previous.title,
        series_key=previous.series_key,
        version=previous.version + 1,
        supersedes_id=previous.id,
        correction_reason=reason[:2000],
        sha256=digest,
        original_sha256=digest,
        size_bytes=len(pdf),
        pdf=pdf,
        created_by=actor.name,
    )
    session.add(document)
    session.flush()
    _audit(session, actor, "document.correct", document, supersedes=previous.id, reason=reason)
    return document


def _successor(session: Session, document_id: int) -> Document | None:
    return session.execute(
        select(Document).where(Document.supersedes_id == document_id)
    ).scalar_one_or_none()


def _capacity(actor: Principal, capacity: str) -> SigningCapacity:
    try:
        chosen = SigningCapacity(capacity)
    except ValueError:
        raise DomainError(
            "unknown_capacity",
            f"Vai trò ký '{capacity}' không hợp lệ",
            f"Unknown signing capacity '{capacity}'",
            field="capacity",
        ) from None
    if actor.kind != "staff" or chosen not in CAPACITIES_BY_ROLE.get(actor.role, frozenset()):
        raise Forbidden(
            "capacity_not_allowed",
            f"Tài khoản này không được ký với vai trò '{chosen.value}'",
            f"This account may not sign as '{chosen.value}'",
            field="capacity",
        )
    return chosen


def sign_document(
    session: Session,
    actor: Principal,
    config: PkiConfig,
    document_id: int,
    capacity: str,
    *,
    now: datetime | None = None,
) -> DocumentSignature:
    """Sign the document as the acting staff member with their own key."""
    document = get_document(session, actor, document_id, lock=True)
    chosen = _capacity(actor, capacity)
    if _successor(session, document.id) is not None:
        raise Conflict(
            "document_superseded",
            "Tài liệu đã có phiên bản mới hơn; hãy ký phiên bản mới nhất",
            "The document was corrected; sign the latest version",
            field="document_id",
        )
    if sha256_hex(document.pdf) != document.sha256:
        # Signing would seal bytes changed behind the registry's back.
        raise Conflict(
            "document_integrity",
            "Bản lưu của tài liệu không khớp mã băm đã ghi; không thể ký",
            "The stored document does not match its recorded hash; refusing to sign",
            field="document_id",
        )
    credentials = load_staff_credentials(config, actor.name)
    if credentials.certificate.not_valid_after_utc <= (now or datetime.now(UTC)):
        raise Conflict(
            "certificate_expired",
            "Chứng thư số của bạn đã hết hạn; đề nghị cấp lại",
            "Your signing certificate has expired; ask for a new one",
            field="staff",
        )
    signed = sign_pdf(document.pdf, credentials, chosen, location=config.hospital_name)
    position = len(open_pdf(signed.data).embedded_signatures)
    document.pdf = signed.data
    document.sha256 = sha256_hex(signed.data)
    document.size_bytes = len(signed.data)
    signature = DocumentSignature(
        facility_code=document.facility_code,
        document_id=document.id,
        position=position,
        field_name=signed.field_name,
        staff_login=actor.name,
        signer_name=certificate_info(credentials.certificate).full_name,
        capacity=chosen.value,
        certificate_serial=serial_hex(credentials.certificate),
        signed_length=len(signed.data),
    )
    session.add(signature)
    session.flush()
    _audit(session, actor, "document.sign", document, capacity=chosen.value, position=position)
    return signature


def signatures_of(session: Session, document_ids: list[int]) -> dict[int, list[DocumentSignature]]:
    found: dict[int, list[DocumentSignature]] = {i: [] for i in document_ids}
    if not document_ids:
        return found
    rows = session.execute(
        select(DocumentSignature)
        .where(DocumentSignature.document_id.in_(document_ids))
        .order_by(DocumentSignature.document_id, DocumentSignature.position)
    ).scalars()
    for row in rows:
        found[row.document_id].append(row)
    return found


def check_document(session: Session, config: PkiConfig, document: Document) -> DocumentVerification:
    """Verify without auditing: for callers that audit the read themselves."""
    data = document.pdf
    report = verify_with_hospital_ca(data, config)
    problems = []
    if sha256_hex(data) != document.sha256:
        problems.append("Bản lưu trong hệ thống không khớp mã băm đã ghi")
    recorded = len(signatures_of(session, [document.id])[document.id])
    if len(report.signatures) < recorded:
        problems.append("Tệp thiếu chữ ký đã ghi nhận trong hệ thống")
    return DocumentVerification(document=document, report=report, problems=problems)


def verify_document(
    session: Session, actor: Principal, config: PkiConfig, document_id: int
) -> DocumentVerification:
    document = get_document(session, actor, document_id)
    checked = check_document(session, config, document)
    _audit(session, actor, "document.verify", document, ok=checked.ok)
    return checked


def document_pdf(session: Session, actor: Principal, document_id: int) -> Document:
    document = get_document(session, actor, document_id)
    _audit(session, actor, "document.download", document)
    return document


def patient_documents(session: Session, actor: Principal, patient_id: int) -> list[DocumentEntry]:
    """Every version of every paper of the patient, newest paper first, versions in order."""
    patient = find_patient(session, actor, patient_id)
    documents = list(
        session.execute(
            select(Document)
            .where(Document.facility_code == actor.facility_code)
            .where(Document.patient_id == patient.id)
            .order_by(Document.id)
        ).scalars()
    )
    superseded = {d.supersedes_id for d in documents if d.supersedes_id is not None}
    signatures = signatures_of(session, [d.id for d in documents])
    # Newest series first; inside a series, version 1 first.
    series_order = {d.series_key: d.id for d in documents}
    documents.sort(key=lambda d: (-series_order[d.series_key], d.version))
    audit.record(
        session,
        actor,
        "document.list",
        patient_id=patient.id,
        detail={"documents": len(documents)},
    )
    return [DocumentEntry(d, signatures[d.id], d.id in superseded) for d in documents]
