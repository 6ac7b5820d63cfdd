"""JSON routes of the master patient index."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from smarthis.db import Database
from smarthis.patients import service
from smarthis.patients.identify import DocumentInput, identify, register_typed
from smarthis.patients.models import Patient
from smarthis.patients.schemas import (
    HistoryEntry,
    IdentifierOut,
    IdentifyRequest,
    IdentifyResponse,
    MergeRequest,
    PatientCreate,
    PatientOut,
    PatientUpdate,
    TemporaryPatientCreate,
)
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/patients", tags=["patients"])
DOCUMENT_FIELDS = ("cccd", "bhyt_code", "birth_certificate", "passport_number")


def patient_out(session: Session, patient: Patient) -> PatientOut:
    return patients_out(session, [patient])[0]


def patients_out(session: Session, patients: list[Patient]) -> list[PatientOut]:
    identifiers = service.identifiers_by_patient(session, [p.id for p in patients])
    outs = []
    for patient in patients:
        out = PatientOut.model_validate(patient)
        out.identifiers = [
            IdentifierOut(kind=i.kind, value=i.value) for i in identifiers[patient.id]
        ]
        outs.append(out)
    return outs


@router.post("/identify")
def identify_patient(
    body: IdentifyRequest,
    principal: Principal = Depends(require(Permission.PATIENT_REGISTER)),
    db: Database = Depends(database),
) -> IdentifyResponse:
    registration = identify(db, principal, DocumentInput(**body.model_dump()))
    with db.session() as session:
        return IdentifyResponse(
            created=registration.created, patient=patient_out(session, registration.patient)
        )


@router.post("", status_code=201)
def create_patient(
    body: PatientCreate,
    principal: Principal = Depends(require(Permission.PATIENT_REGISTER)),
    db: Database = Depends(database),
) -> IdentifyResponse:
    data = body.model_dump()
    documents = {
        k: data.pop(k) for k in ("cccd", "bhyt_code", "birth_certificate", "passport_number")
    }
    registration = register_typed(db, principal, service.Demographics(**data), **documents)
    with db.session() as session:
        return IdentifyResponse(
            created=registration.created, patient=patient_out(session, registration.patient)
        )


@router.post("/temporary", status_code=201)
def create_temporary_patient(
    body: TemporaryPatientCreate,
    principal: Principal = Depends(require(Permission.PATIENT_REGISTER)),
    db: Database = Depends(database),
) -> PatientOut:
    patient = service.register_temporary(db, principal, body.description, body.sex, body.approx_age)
    with db.session() as session:
        return patient_out(session, patient)


@router.get("")
def search_patients(
    q: str | None = Query(default=None, max_length=100, description="name or document number"),
    name: str | None = Query(default=None, max_length=100),
    date_of_birth: date | None = None,
    birth_year: int | None = Query(default=None, ge=1880, le=2200),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(require(Permission.PATIENT_SEARCH)),
    db: Database = Depends(database),
) -> list[PatientOut]:
    identifier = None
    if q:
        compact = q.replace(" ", "").replace("-", "")
        if any(ch.isdigit() for ch in compact) and compact.isalnum():
            identifier = compact
        else:
            name = name or q
    with db.session() as session:
        found = service.search_patients(
            session,
            principal,
            name=name,
            date_of_birth=date_of_birth,
            birth_year=birth_year,
            identifier=identifier,
            limit=limit,
        )
        return patients_out(session, list(found))


@router.get("/{patient_id}")
def read_patient(
    patient_id: int,
    principal: Principal = Depends(require(Permission.PATIENT_READ)),
    db: Database = Depends(database),
) -> PatientOut:
    with db.session() as session:
        return patient_out(session, service.get_patient(session, principal, patient_id))


@router.patch("/{patient_id}")
def update_patient(
    patient_id: int,
    body: PatientUpdate,
    principal: Principal = Depends(require(Permission.PATIENT_UPDATE)),
    db: Database = Depends(database),
) -> PatientOut:
    changes = body.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    with db.session() as session:
        patient = service.update_demographics(session, principal, patient_id, changes, reason)
        return patient_out(session, patient)


@router.get("/{patient_id}/history")
def patient_history(
    patient_id: int,
    principal: Principal = Depends(require(Permission.PATIENT_READ)),
    db: Database = Depends(database),
) -> list[HistoryEntry]:
    with db.session() as session:
        return [
            HistoryEntry(
                version=v.version,
                changed_by=v.changed_by,
                changed_at=v.changed_at.isoformat(),
                reason=v.reason,
                before=json.loads(v.snapshot),
            )
            for v in service.demographic_history(session, principal, patient_id)
        ]


@router.get("/{patient_id}/possible-duplicates")
def possible_duplicates(
    patient_id: int,
    principal: Principal = Depends(require(Permission.PATIENT_MERGE)),
    db: Database = Depends(database),
) -> list[PatientOut]:
    with db.session() as session:
        found = service.possible_duplicates(session, principal, patient_id)
        return patients_out(session, list(found))


@router.post("/merge")
def merge_patients(
    body: MergeRequest,
    principal: Principal = Depends(require(Permission.PATIENT_MERGE)),
    db: Database = Depends(database),
) -> PatientOut:
    with db.session() as session:
        kept = service.merge_patients(
            session, principal, body.duplicate_id, body.keep_id, body.reason
        )
        return patient_out(session, kept)
