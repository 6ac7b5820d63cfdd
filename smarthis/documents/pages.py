"""The patient's document registry page: every paper with its versions, who signed it,
whether each signature still holds, and a button to sign as oneself."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from smarthis.db import Database
from smarthis.documents import service
from smarthis.documents.api import pki_config
from smarthis.documents.models import DOCUMENT_KINDS_VI
from smarthis.documents.signing import CAPACITY_NAMES_VI, SigningCapacity
from smarthis.errors import DomainError
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@dataclass
class DocumentRow:
    entry: service.DocumentEntry
    verification: service.DocumentVerification
    kind_name: str


def _page(
    request: Request,
    principal: Principal,
    db: Database,
    patient_id: int,
    *,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    config = pki_config(request)
    with db.session() as session:
        patient = service.find_patient(session, principal, patient_id)
        entries = service.patient_documents(session, principal, patient_id)
        rows = [
            DocumentRow(
                entry=entry,
                verification=service.check_document(session, config, entry.document),
                kind_name=DOCUMENT_KINDS_VI.get(entry.document.kind, entry.document.kind),
            )
            for entry in entries
        ]
    allowed = service.CAPACITIES_BY_ROLE.get(principal.role, frozenset())
    capacities = [c for c in CAPACITY_NAMES_VI if c in allowed]
    response = render(
        request,
        "documents.html",
        principal,
        db,
        patient=patient,
        rows=rows,
        capacities=[(c.value, CAPACITY_NAMES_VI[c]) for c in capacities],
        capacity_names={c.value: name for c, name in CAPACITY_NAMES_VI.items()},
        may_sign=principal.may(Permission.DOCUMENT_SIGN) and bool(capacities),
        message=message,
        error=error,
    )
    response.status_code = status_code
    return response


@router.get("/patients/{patient_id}/documents")
def documents_page(
    patient_id: int,
    request: Request,
    signed: int | None = None,
    principal: Principal = Depends(require(Permission.DOCUMENT_READ)),
    db: Database = Depends(database),
) -> Response:
    message = f"Đã ký tài liệu số {signed}" if signed else ""
    return _page(request, principal, db, patient_id, message=message)


@router.post("/patients/{patient_id}/documents/{document_id}/sign")
def sign_from_page(
    patient_id: int,
    document_id: int,
    request: Request,
    capacity: SigningCapacity = Form(),
    principal: Principal = Depends(require(Permission.DOCUMENT_SIGN)),
    db: Database = Depends(database),
) -> Response:
    try:
        with db.session() as session:
            document = service.get_document(session, principal, document_id)
            if document.patient_id != patient_id:
                raise DomainError(
                    "document_not_of_patient",
                    "Tài liệu không thuộc người bệnh này",
                    "The document belongs to another patient",
                    field="document_id",
                )
            service.sign_document(
                session, principal, pki_config(request), document_id, capacity.value
            )
    except DomainError as exc:
        return _page(
            request,
            principal,
            db,
            patient_id,
            error=exc.message_vi,
            status_code=exc.status_code,
        )
    return RedirectResponse(
        f"/patients/{patient_id}/documents?signed={document_id}", status_code=303
    )
