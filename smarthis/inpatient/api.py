"""JSON routes of inpatient care: wards and bed boards, admission, beds, notes, vital
signs, medication, discharge and its paper, the residence declaration, live streams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.clinical.papers import Hospital
from smarthis.clinical.service import run_card_check
from smarthis.db import MAX_ID, Database, utcnow
from smarthis.documents.pki import PkiConfig
from smarthis.events import Event
from smarthis.inpatient import care, service, signed_paper, wards
from smarthis.inpatient.common import TOPIC, get_stay
from smarthis.inpatient.discharge_paper import discharge_paper_pdf
from smarthis.inpatient.models import Bed, Ward
from smarthis.inpatient.presenters import (
    board_out,
    pending_out,
    record_out,
    stay_out,
)
from smarthis.inpatient.record import (
    movement_places,
    patient_visit_ids,
    stay_record,
    stay_results,
)
from smarthis.inpatient.residence_declaration import residence_csv, residence_rows
from smarthis.inpatient.schemas import (
    AdministrationIn,
    AdmitIn,
    BedMoveIn,
    BedStatusIn,
    DischargeIn,
    NursingNoteIn,
    ProgressNoteIn,
    StayVitalsIn,
)
from smarthis.inpatient.signed_paper import SignedPaper
from smarthis.inpatient.treatment_sheet import treatment_sheet_pdf
from smarthis.orders.live_api import SSE_HEADERS, visit_stream
from smarthis.orders.presenters import item_results_out
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/inpatient", tags=["inpatient"])
StayId = Annotated[int, Path(ge=1, le=MAX_ID)]
Reader = Depends(require(Permission.INPATIENT_READ))
Writer = Depends(require(Permission.INPATIENT_WRITE))


def _today() -> date:
    return utcnow().astimezone(HOSPITAL_TZ).date()


def _record(session: Session, principal: Principal, stay_id: int) -> dict[str, Any]:
    record = stay_record(session, principal, stay_id)
    wards_by_id, beds_by_id = movement_places(session, record)
    return record_out(record, _today(), wards_by_id, beds_by_id)


# --- wards -------------------------------------------------------------------------------


@router.get("/wards")
def list_wards(principal: Principal = Reader, db: Database = Depends(database)) -> list[dict]:
    with db.session() as session:
        return [
            {"code": ward.code, "name": ward.name, "counts": counts}
            for ward, counts in wards.list_wards(session, principal.facility_code)
        ]


@router.get("/wards/{code}/board")
def ward_board(
    code: Annotated[str, Path(max_length=32)],
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        return board_out(wards.ward_board(session, principal, code), _today())


def ward_accepts(facility_code: str, ward_code: str) -> Callable[[Event], bool]:
    def accepts(event: Event) -> bool:
        if event.get("kind") == "resync":
            return True
        return (
            event.get("topic") == TOPIC
            and event.get("facility") == facility_code
            and ward_code in (event.get("wards") or [])
        )

    return accepts


@router.get("/wards/{code}/events")
def ward_events(
    code: Annotated[str, Path(max_length=32)],
    request: Request,
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> StreamingResponse:
    with db.session() as session:
        ward = wards.get_ward(session, principal.facility_code, code)  # 404 for unknown wards
    return StreamingResponse(
        visit_stream(request.is_disconnected, ward_accepts(principal.facility_code, ward.code)),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.post("/beds/{code}/status")
def set_bed_status(
    code: Annotated[str, Path(max_length=32)],
    body: BedStatusIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, str]:
    with db.session() as session:
        bed = service.set_bed_status(session, principal, code, body.status)
        return {"code": bed.code, "status": bed.status}


@router.get("/pending-admissions")
def pending_admissions(principal: Principal = Reader, db: Database = Depends(database)) -> list:
    with db.session() as session:
        found = wards.pending_admissions(session, principal)
        for pending in found:
            audit.record(
                session,
                principal,
                "inpatient.pending_read",
                patient_id=pending.patient.id,
                detail={"visit": pending.visit.visit_number},
            )
        return [pending_out(p) for p in found]


# --- stays -------------------------------------------------------------------------------


@router.post("/stays", status_code=201)
def admit(
    body: AdmitIn, request: Request, principal: Principal = Writer, db: Database = Depends(database)
) -> dict:
    given = service.AdmissionInput(
        ward_code=body.ward,
        admitted_from=body.admitted_from,
        visit_id=body.visit_id,
        patient_id=body.patient_id,
        bed_code=body.bed,
        kind=body.kind,
        attending_doctor=body.attending_doctor,
        icd_code=body.icd_code,
        reason=body.reason,
    )
    with db.session() as session:
        stay = service.admit(session, principal, given)
        ward = session.get(Ward, stay.ward_id)
        bed = session.get(Bed, stay.bed_id) if stay.bed_id else None
        out = stay_out(stay, ward, bed)
        encounter = session.get(Visit, stay.visit_id) if stay.visit_id else None
        check_card = encounter is not None and encounter.card_check_status == "pending"
    if check_card:  # a direct admission's new visit: the portal is asked after commit
        state = request.app.state
        run_card_check(db, state.portal, state.settings, out["visit_id"])
    return out


@router.get("/stays/{stay_id}")
def get_record(
    stay_id: StayId, principal: Principal = Reader, db: Database = Depends(database)
) -> dict[str, Any]:
    with db.session() as session:
        return _record(session, principal, stay_id)


@router.post("/stays/{stay_id}/bed")
def move_to_bed(
    stay_id: StayId,
    body: BedMoveIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        service.move_to_bed(session, principal, stay_id, body.bed, body.reason)
    with db.session() as session:
        return _record(session, principal, stay_id)


@router.post("/stays/{stay_id}/progress-notes", status_code=201)
def add_progress_note(
    stay_id: StayId,
    body: ProgressNoteIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        note = care.add_progress_note(
            session, principal, stay_id, care.ProgressNoteInput(**body.model_dump())
        )
        return {"id": note.id, "written_at": note.written_at.isoformat()}


@router.post("/stays/{stay_id}/nursing-notes", status_code=201)
def add_nursing_note(
    stay_id: StayId,
    body: NursingNoteIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        note = care.add_nursing_note(session, principal, stay_id, body.note)
        return {"id": note.id, "written_at": note.written_at.isoformat()}


@router.post("/stays/{stay_id}/vitals", status_code=201)
def record_vitals(
    stay_id: StayId,
    body: StayVitalsIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        row = care.record_vitals(
            session, principal, stay_id, care.StayVitalsInput(**body.model_dump())
        )
        return {"id": row.id, "taken_at": row.taken_at.isoformat()}


@router.post("/stays/{stay_id}/medications", status_code=201)
def record_administration(
    stay_id: StayId,
    body: AdministrationIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.session() as session:
        row = care.record_administration(
            session, principal, stay_id, care.AdministrationInput(**body.model_dump())
        )
        return {"id": row.id, "status": row.status}


@router.post("/stays/{stay_id}/discharge")
def discharge(
    stay_id: StayId,
    body: DischargeIn,
    principal: Principal = Writer,
    db: Database = Depends(database),
) -> dict[str, Any]:
    given = service.DischargeInput(
        kind=body.kind, summary=body.summary, advice=body.advice, icd_code=body.icd_code
    )
    with db.session() as session:
        service.discharge(session, principal, stay_id, given)
    with db.session() as session:
        return _record(session, principal, stay_id)


class PaperSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    capacity: str = Field(default="doctor", max_length=32)


PaperName = Annotated[str, Path(max_length=32, description="discharge_paper | treatment_sheet")]


def _paper_out(found: SignedPaper | None) -> dict[str, Any]:
    if found is None:
        return {"filed": False}
    return {
        "filed": True,
        "document_id": found.document_id,
        "version": found.version,
        "ok": found.ok,
        "status_vi": found.status_vi,
        "signers": [{"name": n, "reason": r} for n, r in found.signers],
    }


@router.post("/stays/{stay_id}/papers/{paper}/signatures")
def sign_paper(
    stay_id: StayId,
    paper: PaperName,
    body: PaperSignIn,
    request: Request,
    principal: Principal = Depends(require(Permission.DOCUMENT_SIGN)),
    db: Database = Depends(database),
) -> dict[str, Any]:
    """Sign the discharge paper or the treatment sheet (filed in the patient's registry at
    the first signature; the treatment sheet's new notes make a new version)."""
    settings = request.app.state.settings
    config = PkiConfig.from_settings(settings)
    hospital = Hospital(name=settings.facility_name, code=principal.facility_code)
    with db.session() as session:
        signed_paper.sign_paper(session, principal, config, hospital, stay_id, paper, body.capacity)
    with db.session() as session:
        return _paper_out(signed_paper.paper_status(session, principal, config, stay_id, paper))


@router.get("/stays/{stay_id}/papers/{paper}/verification")
def paper_verification(
    stay_id: StayId,
    paper: PaperName,
    request: Request,
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> dict[str, Any]:
    config = PkiConfig.from_settings(request.app.state.settings)
    with db.session() as session:
        return _paper_out(signed_paper.paper_status(session, principal, config, stay_id, paper))


@router.get("/stays/{stay_id}/treatment-sheet.pdf")
def treatment_sheet(
    stay_id: StayId,
    request: Request,
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> Response:
    settings = request.app.state.settings
    hospital = Hospital(name=settings.facility_name, code=principal.facility_code)
    with db.session() as session:
        stay = get_stay(session, principal, stay_id)
        content = treatment_sheet_pdf(session, stay, hospital)
        audit.record(
            session,
            principal,
            "inpatient.treatment_sheet",
            patient_id=stay.patient_id,
            detail={"stay": stay.stay_number},
        )
        name = f"to-dieu-tri-{stay.stay_number}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/stays/{stay_id}/discharge-paper.pdf")
def discharge_paper(
    stay_id: StayId,
    request: Request,
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> Response:
    settings = request.app.state.settings
    hospital = Hospital(name=settings.facility_name, code=principal.facility_code)
    with db.session() as session:
        stay = get_stay(session, principal, stay_id)  # 404 for another hospital's stay
        content = discharge_paper_pdf(session, stay.id, hospital)
        audit.record(
            session,
            principal,
            "inpatient.discharge_paper",
            patient_id=stay.patient_id,
            detail={"stay": stay.stay_number},
        )
        name = f"giay-ra-vien-{stay.stay_number}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/stays/{stay_id}/results")
def results(
    stay_id: StayId, principal: Principal = Reader, db: Database = Depends(database)
) -> list[dict[str, Any]]:
    """The patient's orders since the visit that led to the stay, newest first."""
    with db.session() as session:
        found = stay_results(session, principal, stay_id)
        return [item_results_out(r).model_dump(mode="json") for r in found]


def stay_accepts(facility_code: str, stay_id: int, visit_ids: set[int]) -> Callable[[Event], bool]:
    def accepts(event: Event) -> bool:
        if event.get("kind") == "resync":
            return True
        if event.get("facility") != facility_code:
            return False
        if event.get("topic") == TOPIC:
            return event.get("stay_id") == stay_id
        return event.get("topic") == "result" and event.get("visit_id") in visit_ids

    return accepts


@router.get("/stays/{stay_id}/events")
def stay_events(
    stay_id: StayId,
    request: Request,
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> StreamingResponse:
    """What changes on the stay, and the patient's results as they arrive."""
    with db.session() as session:
        stay = get_stay(session, principal, stay_id)
        visit_ids = patient_visit_ids(session, stay.patient_id)
    return StreamingResponse(
        visit_stream(
            request.is_disconnected, stay_accepts(principal.facility_code, stay.id, visit_ids)
        ),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.get("/residence-declaration.csv")
def residence_declaration(
    day: Annotated[date, Query(alias="date")],
    principal: Principal = Reader,
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        content = residence_csv(residence_rows(session, principal, day))
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="luu-tru-{day.isoformat()}.csv"'},
    )
