"""JSON routes of inter-hospital consultations, and the minutes as PDF."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from smarthis.clinical.papers import Hospital
from smarthis.consultations import service
from smarthis.consultations.minutes_pdf import minutes_pdf
from smarthis.consultations.models import Consultation
from smarthis.consultations.schemas import (
    CancelIn,
    ConclusionIn,
    ConsultationCountsOut,
    ConsultationIn,
    ConsultationOut,
    ConsultationSummaryOut,
    ParticipantOut,
    SharedOut,
    ShareIn,
)
from smarthis.db import MAX_ID, Database
from smarthis.documents import service as documents
from smarthis.documents.pki import PkiConfig
from smarthis.errors import DomainError
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/consultations", tags=["consultations"])
ConsultationId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_RANGE_DAYS = 366


def _summary(c: Consultation, patient: Patient) -> ConsultationSummaryOut:
    return ConsultationSummaryOut(
        id=c.id,
        patient_id=patient.id,
        patient_name=patient.full_name,
        patient_mrn=patient.mrn,
        question=c.question,
        scheduled_at=c.scheduled_at,
        status=c.status,
        status_vi=service.STATUS_NAMES_VI[c.status],
        video_link=c.video_link,
    )


def _out(view: service.ConsultationView) -> ConsultationOut:
    c = view.consultation
    return ConsultationOut(
        **_summary(c, view.patient).model_dump(),
        visit_id=c.visit_id,
        case_summary=c.case_summary,
        created_by=c.created_by,
        held_at=c.held_at,
        conclusion=c.conclusion,
        treatment_plan=c.treatment_plan,
        cancel_reason=c.cancel_reason,
        minutes_document_id=c.minutes_document_id,
        minutes_signed=view.minutes_signed,
        participants=[
            ParticipantOut(
                hospital_code=p.hospital_code,
                hospital_name=p.hospital_name,
                doctor_name=p.doctor_name,
                title=p.title,
                role=p.role,
                role_vi=service.ROLE_NAMES_VI[p.role],
                staff_login=p.staff_login,
            )
            for p in view.participants
        ],
        shared=[
            SharedOut(
                order_item_id=s.order_item_id,
                service_name=s.service_name,
                kind=s.kind,
                verified_at=s.verified_at,
                values=[list(v) for v in s.values],
                conclusion=s.conclusion,
                study_instance_uid=s.study_instance_uid,
                images=s.images,
            )
            for s in view.shared
        ],
    )


def _range(start: date | None, end: date | None) -> tuple[date, date, datetime, datetime]:
    today = datetime.now(HOSPITAL_TZ).date()
    start = start or today - timedelta(days=30)
    end = end or today + timedelta(days=60)
    if end <= start or (end - start).days > MAX_RANGE_DAYS:
        raise DomainError(
            "consultation_range",
            f"Khoảng ngày không hợp lệ (từ ngày phải trước đến ngày, tối đa {MAX_RANGE_DAYS} ngày)",
            f"Bad date range (start before end, at most {MAX_RANGE_DAYS} days)",
            field="end",
        )
    return (
        start,
        end,
        datetime.combine(start, time(), HOSPITAL_TZ),
        datetime.combine(end, time(), HOSPITAL_TZ),
    )


@router.post("", status_code=201)
def schedule(
    body: ConsultationIn,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> ConsultationOut:
    given = service.ConsultationInput(
        patient_id=body.patient_id,
        visit_id=body.visit_id,
        question=body.question,
        case_summary=body.case_summary,
        scheduled_at=body.scheduled_at,
        video_link=body.video_link,
        participants=[service.ParticipantInput(**p.model_dump()) for p in body.participants],
    )
    with db.session() as session:
        consultation = service.schedule(session, principal, given)
        return _out(service.view(session, principal, consultation.id))


@router.get("")
def listing(
    start: date | None = Query(None, description="first day (default: 30 days ago)"),
    end: date | None = Query(None, description="day after the last (default: in 60 days)"),
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> list[ConsultationSummaryOut]:
    _, _, first, after = _range(start, end)
    with db.session() as session:
        return [_summary(c, p) for c, p in service.listing(session, principal, first, after)]


@router.get("/stats")
def stats(
    start: date | None = Query(None),
    end: date | None = Query(None),
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> ConsultationCountsOut:
    """How many consultations were scheduled, held and cancelled (no patient data)."""
    day_from, day_to, first, after = _range(start, end)
    with db.session() as session:
        found = service.counts(session, principal.facility_code, first, after)
    return ConsultationCountsOut(start=day_from, end=day_to, **found)


@router.get("/{consultation_id}")
def detail(
    consultation_id: ConsultationId,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> ConsultationOut:
    with db.session() as session:
        return _out(service.view(session, principal, consultation_id))


@router.post("/{consultation_id}/shared")
def share(
    consultation_id: ConsultationId,
    body: ShareIn,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> ConsultationOut:
    with db.session() as session:
        service.share_items(session, principal, consultation_id, body.order_item_ids)
        return _out(service.view(session, principal, consultation_id))


@router.post("/{consultation_id}/conclusion")
def conclude(
    consultation_id: ConsultationId,
    body: ConclusionIn,
    request: Request,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> ConsultationOut:
    """Record the conclusion and file the minutes in the patient's document registry, in
    one transaction; then sign them as the concluding doctor when they hold a certificate
    (without one the minutes stay filed, unsigned, to be signed from the registry)."""
    settings = request.app.state.settings
    hospital = Hospital(name=settings.facility_name, code=settings.facility_code)
    with db.session() as session:
        service.conclude(session, principal, consultation_id, body.conclusion, body.treatment_plan)
        view = service.view(session, principal, consultation_id)
        minutes = documents.register_document(
            session,
            principal,
            patient_id=view.patient.id,
            kind="consultation_minutes",
            title=f"Biên bản hội chẩn HC-{consultation_id:06d}",
            pdf=minutes_pdf(view, hospital),
            visit_id=view.consultation.visit_id,
        )
        service.attach_minutes(session, principal, consultation_id, minutes.id)
    try:
        with db.session() as session:
            documents.sign_document(
                session, principal, PkiConfig.from_settings(settings), minutes.id, "doctor"
            )
    except DomainError:
        pass  # no certificate (or not a signing role): the registry shows it unsigned
    with db.session() as session:
        return _out(service.view(session, principal, consultation_id))


@router.post("/{consultation_id}/cancel")
def cancel(
    consultation_id: ConsultationId,
    body: CancelIn,
    principal: Principal = Depends(require(Permission.EXAMINATION_WRITE)),
    db: Database = Depends(database),
) -> ConsultationOut:
    with db.session() as session:
        service.cancel(session, principal, consultation_id, body.reason)
        return _out(service.view(session, principal, consultation_id))


@router.get("/{consultation_id}/minutes.pdf")
def minutes(
    consultation_id: ConsultationId,
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> Response:
    settings = request.app.state.settings
    with db.session() as session:
        view = service.view(session, principal, consultation_id)
        content = minutes_pdf(
            view, Hospital(name=settings.facility_name, code=settings.facility_code)
        )
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="hoi-chan-{consultation_id}.pdf"'},
    )
