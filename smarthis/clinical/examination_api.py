"""JSON routes of the doctor's examination: record, vital signs, diagnoses, conclusion,
papers, and the ICD-10 search the diagnosis field uses."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from smarthis.catalogs.icd10_search import search_icd10
from smarthis.clinical import examination as service
from smarthis.clinical import papers
from smarthis.clinical.examination_schemas import (
    ConclusionIn,
    DiagnosesIn,
    DiagnosesOut,
    DiagnosisOut,
    DiagnosisProblemOut,
    ExaminationNotes,
    ExaminationOut,
    ExaminationStart,
    Icd10HitOut,
    PatientSummary,
    StepOut,
    VisitRecordOut,
    VitalsIn,
    VitalsOut,
)
from smarthis.db import Database
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

# No prefix: the visit routes live under /api/visits, the search under /api/catalog.
router = APIRouter(tags=["examination"])


def record_out(record: service.VisitRecord) -> VisitRecordOut:
    exam = record.examination
    patient = record.patient
    return VisitRecordOut(
        visit_id=record.visit.id,
        visit_number=record.visit.visit_number,
        status=record.visit.status,
        uses_insurance=record.visit.uses_insurance,
        proposed_category=record.visit.proposed_category,
        confirmed_category=record.visit.confirmed_category,
        patient=PatientSummary(
            id=patient.id,
            mrn=patient.mrn,
            full_name=patient.full_name,
            sex=patient.sex,
            date_of_birth=patient.date_of_birth,
            birth_year=patient.birth_year,
        ),
        examination=ExaminationOut.model_validate(exam) if exam else None,
        conclusion_vi=service.CONCLUSION_NAMES_VI.get(exam.conclusion or "") if exam else None,
        vitals=[VitalsOut.model_validate(v) for v in record.vitals],
        diagnoses=[DiagnosisOut.model_validate(d) for d in record.diagnoses],
        steps=[
            StepOut(step=step, name_vi=service.STEP_NAMES_VI.get(step, step), at=at, by=by)
            for step, at, by in record.steps
        ],
    )


def _record(db: Database, principal: Principal, visit_id: int) -> VisitRecordOut:
    with db.session() as session:
        return record_out(service.visit_record(session, principal, visit_id))


@router.get("/api/visits/{visit_id}/examination")
def read_examination(
    visit_id: int,
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> VisitRecordOut:
    return _record(db, principal, visit_id)


@router.post("/api/visits/{visit_id}/examination/start")
def start_examination(
    visit_id: int,
    body: ExaminationStart | None = None,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> VisitRecordOut:
    body = body or ExaminationStart()
    with db.session() as session:
        service.start_examination(
            session, principal, visit_id, reason=body.reason, history=body.history
        )
    return _record(db, principal, visit_id)


@router.patch("/api/visits/{visit_id}/examination")
def update_examination_notes(
    visit_id: int,
    body: ExaminationNotes,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> VisitRecordOut:
    with db.session() as session:
        service.update_notes(session, principal, visit_id, body.model_dump(exclude_unset=True))
    return _record(db, principal, visit_id)


@router.post("/api/visits/{visit_id}/vitals", status_code=201)
def record_vitals(
    visit_id: int,
    body: VitalsIn,
    principal: Principal = Depends(require(Permission.VITALS_WRITE)),
    db: Database = Depends(database),
) -> VitalsOut:
    with db.session() as session:
        row = service.record_vitals(
            session, principal, visit_id, service.VitalsInput(**body.model_dump())
        )
        return VitalsOut.model_validate(row)


@router.put("/api/visits/{visit_id}/diagnoses")
def set_diagnoses(
    visit_id: int,
    body: DiagnosesIn,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> DiagnosesOut:
    with db.session() as session:
        outcome = service.set_diagnoses(
            session,
            principal,
            visit_id,
            body.main,
            body.secondary,
            confirm_warnings=body.confirm_warnings,
        )
        return DiagnosesOut(
            diagnoses=[DiagnosisOut.model_validate(d) for d in outcome.diagnoses],
            confirmed_warnings=[
                DiagnosisProblemOut(**service.problem_dict(w)) for w in outcome.confirmed_warnings
            ],
        )


@router.post("/api/visits/{visit_id}/conclude")
def conclude(
    visit_id: int,
    body: ConclusionIn,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> VisitRecordOut:
    with db.session() as session:
        service.conclude(session, principal, visit_id, service.ConclusionInput(**body.model_dump()))
    return _record(db, principal, visit_id)


def _hospital(request: Request) -> papers.Hospital:
    settings = request.app.state.settings
    return papers.Hospital(name=settings.facility_name, code=settings.facility_code)


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/api/visits/{visit_id}/follow-up.pdf")
def follow_up_slip(
    visit_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        record = service.visit_record(session, principal, visit_id)
        content = papers.follow_up_slip_pdf(record, _hospital(request))
        return _pdf(content, f"hen-tai-kham-{record.visit.visit_number}.pdf")


@router.get("/api/visits/{visit_id}/referral.pdf")
def referral_paper(
    visit_id: int,
    request: Request,
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        record = service.visit_record(session, principal, visit_id)
        content = papers.referral_paper_pdf(record, _hospital(request))
        return _pdf(content, f"chuyen-tuyen-{record.visit.visit_number}.pdf")


@router.get("/api/catalog/icd10")
def icd10_search(
    q: str = Query(default="", max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    _principal: Principal = Depends(require(Permission.CATALOG_READ)),
) -> list[Icd10HitOut]:
    return [Icd10HitOut(**asdict(hit)) for hit in search_icd10(q, limit=limit)]
