"""JSON routes the kiosk page uses (kiosk devices only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from smarthis.db import MAX_ID, Database
from smarthis.kiosk import service
from smarthis.patients.identify import DocumentInput
from smarthis.queueing.api import ticket_out, ticket_out_at
from smarthis.queueing.choices import MenuCache
from smarthis.queueing.names import mask_name
from smarthis.queueing.priority import age_on
from smarthis.queueing.schemas import ChoiceOut, ChoicesOut, TicketOut
from smarthis.queueing.service import get_ticket
from smarthis.queueing.tickets import (
    NO_PRINTER,
    pdf_response,
    print_at_device,
    print_to,
    ticket_print_at,
)
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/kiosk", tags=["kiosk"])

IdempotencyKey = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
DeclaredPriority = Literal["pregnant", "disability", "revolutionary_merit"]


class KioskIdentifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    qr_text: str | None = Field(default=None, max_length=1000)
    chip: dict[str, Any] | None = None
    vneid_number: str | None = Field(default=None, max_length=20)
    vneid_level2: bool = False
    full_name: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    sex: Literal["male", "female"] | None = None


class KioskPatient(BaseModel):
    id: int
    masked_name: str
    full_name: str
    mrn: str
    age: int | None


class InsuranceOut(BaseModel):
    status: str
    message_vi: str
    message_en: str
    detail_vi: str | None
    card_code: str | None
    benefit_level: int | None
    coverage_percent: int | None
    valid_to: date | None


class AppointmentOut(BaseModel):
    """Today's follow-up, booked at an earlier visit: the kiosk offers to confirm it."""

    specialty: str
    doctor_name: str | None
    booked_on: date
    follow_up_date: date


class KioskIdentifyOut(BaseModel):
    created: bool
    patient: KioskPatient
    insurance: InsuranceOut
    appointment: AppointmentOut | None = None


class KioskRegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patient_id: int = Field(ge=1)
    # Required unless `appointment` confirms today's follow-up (its specialty is known).
    specialty: str | None = Field(default=None, min_length=1, max_length=100)
    appointment: bool = False
    idempotency_key: str = IdempotencyKey
    priority: DeclaredPriority | None = None


class PrintOut(BaseModel):
    printed: bool
    message_vi: str


class KioskRegisterOut(BaseModel):
    visit_number: str
    ticket: TicketOut
    print: PrintOut


class KioskTicketOut(TicketOut):
    print: PrintOut


class TakeNumberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=24)
    idempotency_key: str = IdempotencyKey
    priority: DeclaredPriority | None = None


@router.post("/identify")
async def identify(
    body: KioskIdentifyIn,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> KioskIdentifyOut:
    state = request.app.state
    identified = await run_in_threadpool(
        service.kiosk_identify,
        db,
        principal,
        state.portal,
        state.settings,
        DocumentInput(**body.model_dump()),
    )
    patient = identified.registration.patient
    booked = identified.appointment
    age = age_on(patient.date_of_birth, date.today()) if patient.date_of_birth else None
    return KioskIdentifyOut(
        created=identified.registration.created,
        patient=KioskPatient(
            id=patient.id,
            masked_name=mask_name(patient.full_name),
            full_name=patient.full_name,
            mrn=patient.mrn,
            age=age,
        ),
        insurance=InsuranceOut(**identified.insurance.__dict__),
        appointment=AppointmentOut(
            specialty=booked.specialty,
            doctor_name=booked.doctor_name,
            booked_on=booked.booked_on,
            follow_up_date=booked.follow_up_date,
        )
        if booked
        else None,
    )


# The kiosk's routes are coroutines that hand their work to the thread pool once: for a
# plain function route FastAPI also validates the answer in a second hop, and every hop
# waits for the event loop and the GIL when the boards' streams are busy.


def _menu_cache(request: Request) -> MenuCache:
    """The app's kiosk menus (one cache per app, as for the token cache)."""
    state = request.app.state
    cache = getattr(state, "kiosk_menus", None)
    if cache is None:
        cache = state.kiosk_menus = MenuCache()
    return cache


@router.get("/choices")
async def choices(
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> ChoicesOut:
    cache = _menu_cache(request)
    offered = await run_in_threadpool(cache.menu, db, principal.facility_code)
    return ChoicesOut(
        specialties=[ChoiceOut(**c.__dict__) for c in offered.examinations],
        services=[ChoiceOut(**c.__dict__) for c in offered.services],
    )


@router.post("/register", status_code=201)
async def register(
    body: KioskRegisterIn,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> KioskRegisterOut:
    return await run_in_threadpool(_register, body, request, principal, db)


def _register(
    body: KioskRegisterIn, request: Request, principal: Principal, db: Database
) -> KioskRegisterOut:
    state = request.app.state
    done = service.kiosk_register(
        db,
        principal,
        state.portal,
        state.settings,
        patient_id=body.patient_id,
        specialty=body.specialty,
        idempotency_key=f"{principal.name}:{body.idempotency_key}",
        declared_priority=body.priority,
        appointment=body.appointment,
    )
    # Printed after the commit (a slow printer holds no lock), from what the transaction read.
    outcome = (
        print_to(
            done.printer_target,
            ticket_print_at(state.settings, done.ticket, done.point, str(request.base_url)),
        )
        if done.printer_target
        else NO_PRINTER
    )
    return KioskRegisterOut(
        visit_number=done.visit.visit_number,
        ticket=ticket_out_at(done.ticket, done.point),
        print=PrintOut(**outcome.__dict__),
    )


@router.post("/take-number", status_code=201)
async def take_number(
    body: TakeNumberIn,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> KioskTicketOut:
    return await run_in_threadpool(_take_number, body, request, principal, db)


def _take_number(
    body: TakeNumberIn, request: Request, principal: Principal, db: Database
) -> KioskTicketOut:
    ticket = service.kiosk_take_number(
        db, principal, body.kind, f"{principal.name}:{body.idempotency_key}", body.priority
    )
    with db.session() as session:
        outcome = print_at_device(
            session, request.app.state.settings, principal.id, ticket, str(request.base_url)
        )
        return KioskTicketOut(
            **ticket_out(session, ticket).model_dump(), print=PrintOut(**outcome.__dict__)
        )


@router.get("/tickets/{ticket_id}/ticket.pdf")
def ticket_pdf(
    ticket_id: Annotated[int, Path(ge=1, le=MAX_ID)],  # beyond BIGINT: 422, not 500
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> Response:
    """The ticket as a PDF, for a kiosk without an ESC/POS printer (browser printing)."""
    with db.session() as session:
        ticket = get_ticket(session, principal, ticket_id, lock=False)
        return pdf_response(session, request.app.state.settings, ticket, str(request.base_url))
