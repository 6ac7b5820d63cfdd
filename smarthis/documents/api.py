"""JSON routes of the document registry.

Reading (list, download, verify) needs DOCUMENT_READ; registering a PDF or its corrected
version DOCUMENT_WRITE; signing DOCUMENT_SIGN, always as the caller with their own key.
PDFs travel as the raw request body (Content-Type: application/pdf)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from smarthis.clinical.papers import Hospital
from smarthis.db import Database
from smarthis.documents import filing, service
from smarthis.documents.models import DOCUMENT_KINDS_VI, Document, DocumentSignature
from smarthis.documents.pki import PkiConfig
from smarthis.documents.schemas import DocumentOut, SignatureOut, SignIn, VerificationOut
from smarthis.errors import DomainError
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(tags=["documents"])


def pki_config(request: Request) -> PkiConfig:
    return PkiConfig.from_settings(request.app.state.settings)


async def _pdf_body(request: Request) -> bytes:
    """The raw body, refused as soon as it grows past the limit (never held whole)."""
    received = bytearray()
    async for chunk in request.stream():
        received.extend(chunk)
        if len(received) > service.MAX_PDF_BYTES:
            raise DomainError("pdf_too_large", "Tệp PDF quá lớn", "PDF too large", field="pdf")
    return bytes(received)


def document_out(
    document: Document, signatures: list[DocumentSignature], superseded: bool = False
) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        patient_id=document.patient_id,
        visit_id=document.visit_id,
        kind=document.kind,
        kind_name=DOCUMENT_KINDS_VI.get(document.kind, document.kind),
        title=document.title,
        series_key=document.series_key,
        version=document.version,
        supersedes_id=document.supersedes_id,
        superseded=superseded,
        correction_reason=document.correction_reason,
        sha256=document.sha256,
        original_sha256=document.original_sha256,
        size_bytes=document.size_bytes,
        created_by=document.created_by,
        created_at=document.created_at,
        signatures=[SignatureOut.model_validate(s) for s in signatures],
    )


@router.get("/api/patients/{patient_id}/documents")
def list_documents(
    patient_id: int,
    principal: Principal = Depends(require(Permission.DOCUMENT_READ)),
    db: Database = Depends(database),
) -> list[DocumentOut]:
    with db.session() as session:
        entries = service.patient_documents(session, principal, patient_id)
        return [document_out(e.document, e.signatures, e.superseded) for e in entries]


@router.post("/api/patients/{patient_id}/documents", status_code=201)
async def register_document(
    patient_id: int,
    request: Request,
    kind: str = Query(max_length=32),
    title: str = Query(max_length=200),
    visit_id: int | None = Query(default=None),
    principal: Principal = Depends(require(Permission.DOCUMENT_WRITE)),
    db: Database = Depends(database),
) -> DocumentOut:
    pdf = await _pdf_body(request)

    def register() -> DocumentOut:
        with db.session() as session:
            document = service.register_document(
                session,
                principal,
                patient_id=patient_id,
                kind=kind,
                title=title,
                pdf=pdf,
                visit_id=visit_id,
            )
            return document_out(document, [])

    return await run_in_threadpool(register)


@router.post("/api/visits/{visit_id}/documents/visit-record", status_code=201)
def file_visit_record(
    visit_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.DOCUMENT_WRITE)),
    db: Database = Depends(database),
) -> DocumentOut:
    """The visit record as it stands, filed for signing (again: its next version)."""
    settings = request.app.state.settings
    hospital = Hospital(name=settings.facility_name, code=settings.facility_code)
    with db.session() as session:
        document = filing.file_visit_record(session, principal, hospital, visit_id)
        return document_out(document, [])


@router.post("/api/documents/{document_id}/versions", status_code=201)
async def correct_document(
    document_id: int,
    request: Request,
    reason: str = Query(max_length=2000),
    title: str | None = Query(default=None, max_length=200),
    principal: Principal = Depends(require(Permission.DOCUMENT_WRITE)),
    db: Database = Depends(database),
) -> DocumentOut:
    pdf = await _pdf_body(request)

    def correct() -> DocumentOut:
        with db.session() as session:
            document = service.correct_document(
                session, principal, document_id, pdf=pdf, reason=reason, title=title
            )
            return document_out(document, [])

    return await run_in_threadpool(correct)


@router.get("/api/documents/{document_id}/pdf")
def download_document(
    document_id: int,
    principal: Principal = Depends(require(Permission.DOCUMENT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        document = service.document_pdf(session, principal, document_id)
        content, version = document.pdf, document.version
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="tai-lieu-{document_id}-v{version}.pdf"'
        },
    )


@router.post("/api/documents/{document_id}/sign")
def sign_document(
    document_id: int,
    body: SignIn,
    request: Request,
    principal: Principal = Depends(require(Permission.DOCUMENT_SIGN)),
    db: Database = Depends(database),
) -> SignatureOut:
    with db.session() as session:
        signature = service.sign_document(
            session, principal, pki_config(request), document_id, body.capacity.value
        )
        return SignatureOut.model_validate(signature)


@router.get("/api/documents/{document_id}/verification")
def verify_document(
    document_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.DOCUMENT_READ)),
    db: Database = Depends(database),
) -> VerificationOut:
    with db.session() as session:
        checked = service.verify_document(session, principal, pki_config(request), document_id)
    return VerificationOut(
        document_id=document_id,
        ok=checked.ok,
        status=checked.status_vi,
        registry_problems=checked.problems,
        signatures=[s.as_dict() for s in checked.report.signatures],
    )
