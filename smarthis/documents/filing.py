"""Put papers SmartHIS already renders into the patient's registry, ready to be signed.

The visit record is filed from the visit as it stands; filing it again later (results came
in, the conclusion changed) makes the next version of the same paper, never a second one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical import examination
from smarthis.clinical.papers import Hospital
from smarthis.clinical.visit_record_pdf import visit_record_pdf
from smarthis.documents import service
from smarthis.documents.models import Document
from smarthis.errors import NotFound
from smarthis.orders import service as orders
from smarthis.pharmacy import service as pharmacy
from smarthis.security.principal import Principal
from smarthis.security.service import get_staff_by_login

UPDATE_REASON_VI = "Cập nhật phiếu khám theo hồ sơ lượt khám"


def _doctor_name(session: Session, login: str | None) -> str:
    if not login:
        return ""
    try:
        return get_staff_by_login(session, login).full_name
    except NotFound:
        return login


def _latest_visit_record(session: Session, visit_id: int) -> Document | None:
    superseded = select(Document.supersedes_id).where(Document.supersedes_id.is_not(None))
    return session.execute(
        select(Document)
        .where(Document.visit_id == visit_id, Document.kind == "visit_record")
        .where(Document.id.not_in(superseded))
        .order_by(Document.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def file_visit_record(
    session: Session, actor: Principal, hospital: Hospital, visit_id: int
) -> Document:
    record = examination.visit_record(session, actor, visit_id)
    results = orders.results_for_visit(session, actor, visit_id, verified_only=False)
    prescription = pharmacy.prescriptions_for_visits(session, [visit_id]).get(visit_id)
    exam = record.examination
    doctor = _doctor_name(session, (exam.concluded_by or exam.started_by) if exam else None)
    pdf = visit_record_pdf(record, results, prescription, hospital, doctor)
    latest = _latest_visit_record(session, visit_id)
    if latest is not None:
        return service.correct_document(session, actor, latest.id, pdf=pdf, reason=UPDATE_REASON_VI)
    return service.register_document(
        session,
        actor,
        patient_id=record.patient.id,
        kind="visit_record",
        title=f"Phiếu khám bệnh ngoại trú {record.visit.visit_number}",
        pdf=pdf,
        visit_id=visit_id,
    )
