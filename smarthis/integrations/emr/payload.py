"""The EMR export document of one visit (format "smarthis-emr-visit/1"), and the checks
the receiving portal (our simulator) applies to it.

    {
      "format": "smarthis-emr-visit/1",
      "messageId": "EMR-48001-123",         idempotency key: a repeat is the same document
      "facility": {"code": MA_CSKCB, "name": ...},
      "visit": {"number": ..., "mrn": ..., "concludedAt": ISO 8601 with offset},
      "createdAt": ISO 8601 with offset,
      "document": a FHIR R4 (R4B) Bundle of type "document": Composition first (sections:
                  reason, history, examination, vital signs, diagnoses, paraclinical
                  results, prescription, conclusion), then Patient, Encounter,
                  Organization, Practitioner, Condition (ICD-10), Observation (vital signs
                  with LOINC/UCUM; lab values), ServiceRequest, DiagnosticReport,
                  ImagingStudy, MedicationRequest; every reference a urn:uuid of an entry
      "signatures": [ only when the visit has registered documents: each current version's
                      id, kind, title, version, sha256 and its signatures (signer, capacity,
                      time, certificate serial) as the document registry holds them ]
    }
"""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.db import utcnow
from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.bundle import unresolved_references
from smarthis.integrations.fhir.common import instant
from smarthis.integrations.fhir.export import visit_document
from smarthis.integrations.fhir.visit_data import Facility
from smarthis.patients.models import Patient

FORMAT = "smarthis-emr-visit/1"


def _signatures(session: Session, visit: Visit) -> list[dict[str, Any]]:
    """The visit's signed papers as the document registry holds them; none is invented."""
    try:  # the document registry is a separate module: without it, nothing is signed
        from smarthis.documents.models import Document, DocumentSignature
    except ImportError:
        return []

    documents = list(
        session.execute(
            select(Document).where(Document.visit_id == visit.id).order_by(Document.id)
        ).scalars()
    )
    superseded = {d.supersedes_id for d in documents if d.supersedes_id is not None}
    found = []
    for document in documents:
        if document.id in superseded:
            continue  # an earlier version: its correction is the record
        signatures = session.execute(
            select(DocumentSignature)
            .where(DocumentSignature.document_id == document.id)
            .order_by(DocumentSignature.position)
        ).scalars()
        found.append(
            {
                "documentId": document.id,
                "kind": document.kind,
                "title": document.title,
                "version": document.version,
                "sha256": document.sha256,
                "signatures": [
                    {
                        "signer": s.signer_name,
                        "login": s.staff_login,
                        "capacity": s.capacity,
                        "signedAt": instant(s.signed_at),
                        "certificateSerial": s.certificate_serial,
                    }
                    for s in signatures
                ],
            }
        )
    return found


def visit_payload(
    session: Session, visit: Visit, facility: Facility, message_id: str
) -> dict[str, Any]:
    patient = session.get(Patient, visit.patient_id)
    assert patient is not None
    now = utcnow()
    document = visit_document(session, visit, facility, timestamp=now)
    composition = document["entry"][0]["resource"]
    payload: dict[str, Any] = {
        "format": FORMAT,
        "messageId": message_id,
        "facility": {"code": facility.code, "name": facility.name},
        "visit": {
            "number": visit.visit_number,
            "mrn": patient.mrn,
            "concludedAt": composition["date"],
        },
        "createdAt": instant(now),
        "document": document,
    }
    signatures = _signatures(session, visit)
    if signatures:
        payload["signatures"] = signatures
    return payload


def render(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# --- the receiving side's checks ---------------------------------------------------------


def _resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle.get("entry", [])
        if e.get("resource", {}).get("resourceType") == resource_type
    ]


def problems_of(payload: Any, facility_code: str) -> list[str]:
    """What makes a received document unacceptable (empty: accept it)."""
    if not isinstance(payload, dict):
        return ["payload must be a JSON object"]
    problems = []
    if payload.get("format") != FORMAT:
        problems.append(f"format must be {FORMAT}")
    if not isinstance(payload.get("messageId"), str) or not payload["messageId"]:
        problems.append("messageId missing")
    if (payload.get("facility") or {}).get("code") != facility_code:
        problems.append("facility.code differs from the sending account")
    if not (payload.get("visit") or {}).get("number"):
        problems.append("visit.number missing")
    document = payload.get("document")
    try:
        parsed = Bundle.model_validate(document)
    except (ValidationError, ValueError, TypeError) as exc:
        return [*problems, f"document is not a FHIR R4B Bundle: {str(exc)[:300]}"]
    if parsed.type != "document":
        problems.append("document.type must be document")
    entries = document.get("entry") or []
    if not entries or entries[0]["resource"]["resourceType"] != "Composition":
        problems.append("the first entry must be the Composition")
    missing = unresolved_references(document)
    if missing:
        problems.append(f"unresolved references: {', '.join(missing[:5])}")
    if len(_resources(document, "Patient")) != 1:
        problems.append("exactly one Patient expected")
    encounters = _resources(document, "Encounter")
    if len(encounters) != 1 or encounters[0].get("status") != "finished":
        problems.append("exactly one finished Encounter expected")
    icd = [
        c
        for condition in _resources(document, "Condition")
        for c in condition.get("code", {}).get("coding", [])
        if c.get("system") == systems.ICD10
    ]
    if not icd:
        problems.append("no ICD-10 diagnosis")
    signatures = payload.get("signatures")
    if signatures is not None and (
        not isinstance(signatures, list)
        or not all(isinstance(s, dict) and s.get("sha256") for s in signatures)
    ):
        problems.append("signatures must list documents with their sha256")
    return problems
