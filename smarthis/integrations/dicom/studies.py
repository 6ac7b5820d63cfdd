"""Reading a visit's imaging for the doctor's and the radiologist's screens: each imaging
item with its accession number, state and the studies that arrived for it. Every read is
audited (these are the patient's images)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.service import get_visit
from smarthis.db import MAX_ID
from smarthis.errors import NotFound
from smarthis.integrations.dicom.models import ImagingProcedure, ImagingStudy
from smarthis.orders.models import OrderItem
from smarthis.security import audit
from smarthis.security.principal import Principal


@dataclass(frozen=True)
class ProcedureWithStudies:
    procedure: ImagingProcedure
    item: OrderItem
    studies: list[ImagingStudy]


def imaging_for_visit(
    session: Session, actor: Principal, visit_id: int
) -> list[ProcedureWithStudies]:
    visit = get_visit(session, actor, visit_id)
    rows = session.execute(
        select(ImagingProcedure, OrderItem)
        .join(OrderItem, OrderItem.id == ImagingProcedure.order_item_id)
        .where(
            ImagingProcedure.facility_code == actor.facility_code,
            ImagingProcedure.visit_id == visit.id,
        )
        .order_by(ImagingProcedure.id)
    ).all()
    studies: dict[int, list[ImagingStudy]] = {}
    if rows:
        for study in session.execute(
            select(ImagingStudy)
            .where(ImagingStudy.procedure_id.in_([p.id for p, _ in rows]))
            .order_by(ImagingStudy.id)
        ).scalars():
            studies.setdefault(study.procedure_id or 0, []).append(study)
    audit.record(
        session,
        actor,
        "imaging.read",
        patient_id=visit.patient_id,
        detail={"visit": visit.id, "studies": sum(len(s) for s in studies.values())},
    )
    return [ProcedureWithStudies(p, item, studies.get(p.id, [])) for p, item in rows]


def study_for_preview(session: Session, actor: Principal, study_id: int) -> ImagingStudy:
    """The study whose preview is asked for, audited as a view of the patient's images."""
    study = session.get(ImagingStudy, study_id) if 1 <= study_id <= MAX_ID else None
    if study is None or study.facility_code != actor.facility_code or not study.procedure_id:
        raise NotFound(
            "imaging_study_not_found",
            f"Không có ca chụp số {study_id}",
            f"No imaging study {study_id}",
            field="study_id",
        )
    procedure = session.get(ImagingProcedure, study.procedure_id)
    assert procedure is not None
    audit.record(
        session,
        actor,
        "imaging.preview",
        patient_id=procedure.patient_id,
        detail={"study": study.id, "accession": study.accession_number},
    )
    return study
