"""The people of the replayed day and the steps each takes for a visit, through the HTTP API.

Each actor is an asyncio task playing one workstation: the kiosks, one doctor's console per
examination room, the lab sampling room and the imaging rooms (each calls its own queue),
the lab bench and the radiologists (enter, then a second person verifies), the cashiers.
They hand visits to each other through in-memory queues, the way the patient walks from
room to room. A journey stage is a list of step functions (`Step`): adding a step to the
day is writing one function and putting it in a list.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.day_plan import LAB_VALUES, REPORTS, VisitPlan
from bench.fixtures import ScannedCard
from bench.queue_bench import Recorder

TICKET_WAIT_S = 10.0  # a called ticket whose issuing answer the client has not read yet
SIGNAL_WAIT_S = 0.5  # how often an idle workstation looks at the deadline
RETRY_CALL_S = 0.5  # a failed call-next is pressed again after this pause


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class DayRecorder(Recorder):
    """The queue bench's recorder, keeping the first few error messages of every step (not
    only the first ten of the run) and counting errors by kind (HTTP status, exception)."""

    SAMPLES_PER_STEP = 3

    def __init__(self) -> None:
        super().__init__()
        self.by_kind: Counter[str] = Counter()
        self.samples_by_step: dict[str, list[str]] = {}

    def error(self, step: str, detail: str) -> None:
        super().error(step, detail)
        self.by_kind[f"{step}: {detail.split(':', 1)[0]}"] += 1
        kept = self.samples_by_step.setdefault(step, [])
        if len(kept) < self.SAMPLES_PER_STEP:
            kept.append(detail[:400])


@dataclass
class Visit:
    index: int
    card: ScannedCard
    plan: VisitPlan
    visit_id: int = 0
    patient_id: int = 0
    ticket_id: int = 0  # the examination room's ticket
    lab_ticket_id: int = 0
    room: str = ""
    exam_ticket_open: bool = False  # called at the exam room and not yet completed
    lab_items: dict[int, str] = field(default_factory=dict)  # item id -> service code
    imaging_items: dict[int, str] = field(default_factory=dict)
    specimen_taken: set[int] = field(default_factory=set)
    pending_items: int = 0  # ordered items not yet verified
    arrived_at: float = 0.0
    finished_at: float = 0.0


@dataclass
class Staff:
    login: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Day:
    """What every actor shares: the client, the recorder, who is where, and the tallies."""

    client: httpx.AsyncClient
    rec: DayRecorder
    deadline: float
    run_id: str
    billing: bool
    visits_total: int
    by_ticket: dict[int, Visit] = field(default_factory=dict)
    # Per room: one signal per patient sent there (a new ticket), or a visit coming back.
    rooms: dict[str, asyncio.Queue[Visit | None]] = field(default_factory=dict)
    lab_bench: asyncio.Queue[tuple[Visit, int]] = field(default_factory=asyncio.Queue)
    lab_verify: asyncio.Queue[tuple[Visit, int]] = field(default_factory=asyncio.Queue)
    reading: asyncio.Queue[tuple[Visit, int]] = field(default_factory=asyncio.Queue)
    report_verify: asyncio.Queue[tuple[Visit, int]] = field(default_factory=asyncio.Queue)
    cashier: asyncio.Queue[Visit] = field(default_factory=asyncio.Queue)
    calls: list[tuple[str, float, int]] = field(default_factory=list)  # number, sent, boards
    boards_live: Callable[[], int] = lambda: 0
    finished: int = 0
    failed: int = 0
    registered: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    journeys: list[float] = field(default_factory=list)
    registration_times: list[float] = field(default_factory=list)  # perf_counter at the ticket
    all_done: asyncio.Event = field(default_factory=asyncio.Event)

    def room(self, code: str) -> asyncio.Queue[Visit | None]:
        return self.rooms.setdefault(code, asyncio.Queue())

    def running(self) -> bool:
        return not self.all_done.is_set() and time.monotonic() < self.deadline

    def finish(self, visit: Visit, *, ok: bool) -> None:
        if visit.finished_at:
            return
        visit.finished_at = time.perf_counter()
        if ok:
            self.finished += 1
            self.journeys.append(visit.finished_at - visit.arrived_at)
        else:
            self.failed += 1
        if self.finished + self.failed >= self.visits_total:
            self.all_done.set()

    async def call(
        self, method: str, url: str, step: str, staff: Staff | None = None, **kwargs: Any
    ) -> Any:
        """The answer's JSON (None for an empty body or JSON null), or FAILED when the
        request failed (the recorder has counted and timed nothing else)."""
        headers = staff.headers if staff else kwargs.pop("headers", None)
        answered = await self.rec.timed(self.client, method, url, step, headers=headers, **kwargs)
        if answered is None:
            return FAILED
        return answered[0].json() if answered[0].content else None

    async def visit_of(self, ticket_id: int) -> Visit | None:
        """The visit a called ticket belongs to; the answer that issued the ticket may still
        be on its way to its task (the ticket was committed first)."""
        until = time.monotonic() + TICKET_WAIT_S
        while ticket_id not in self.by_ticket and time.monotonic() < until:
            await asyncio.sleep(0.02)
        return self.by_ticket.get(ticket_id)


FAILED = object()  # Day.call's failure answer (None is a valid JSON answer: empty room)
Step = Callable[[Day, Staff, Visit], Awaitable[bool]]


async def run_steps(day: Day, staff: Staff, visit: Visit, steps: list[Step]) -> bool:
    for step in steps:
        if not await step(day, staff, visit):
            return False
    return True


# -- the kiosk -----------------------------------------------------------------------------


async def register(day: Day, kiosk_token: str, visit: Visit) -> bool:
    """identify -> choices -> register, as the kiosk page does."""
    headers = bearer(kiosk_token)
    started = time.perf_counter()
    found = await day.call(
        "POST",
        "/api/kiosk/identify",
        "identify",
        json={"qr_text": visit.card.qr_text},
        headers=headers,
    )
    if found is FAILED:
        return False
    identify_s = time.perf_counter() - started
    day.counts[f"insurance_{found['insurance']['status']}"] += 1
    choices = await day.call("GET", "/api/kiosk/choices", "choices", headers=headers)
    if choices is FAILED:
        return False
    specialties = sorted(c["specialty"] for c in choices["specialties"] if c["specialty"])
    if not specialties:
        day.rec.error("choices", "no examination specialty offered")
        return False
    started = time.perf_counter()
    registered = await day.call(
        "POST",
        "/api/kiosk/register",
        "register",
        json={
            "patient_id": found["patient"]["id"],
            "specialty": specialties[visit.index % len(specialties)],
            "idempotency_key": f"day-{day.run_id}-{visit.index:05d}",
        },
        headers=headers,
    )
    if registered is FAILED:
        return False
    day.rec.samples["registration_total"].append(identify_s + time.perf_counter() - started)
    ticket = registered["ticket"]
    visit.patient_id = found["patient"]["id"]
    visit.visit_id, visit.ticket_id = ticket["visit_id"], ticket["id"]
    visit.room = ticket["service_point_code"]
    day.by_ticket[visit.ticket_id] = visit
    day.registered += 1
    day.registration_times.append(time.perf_counter())
    day.room(visit.room).put_nowait(None)  # one more patient waits at this room
    return True


# -- the doctor's steps ----------------------------------------------------------------------


async def exam_start(day: Day, doctor: Staff, visit: Visit) -> bool:
    body = {"reason": "Khám theo hẹn", "history": "Không dị ứng thuốc"}
    url = f"/api/visits/{visit.visit_id}/examination/start"
    return await day.call("POST", url, "exam_start", doctor, json=body) is not FAILED


async def vitals(day: Day, doctor: Staff, visit: Visit) -> bool:
    body = {
        "pulse": 70 + visit.index % 20,
        "temperature_c": 36.6,
        "systolic": 120 + visit.index % 25,
        "diastolic": 80,
        "respiratory_rate": 18,
        "spo2": 98,
    }
    url = f"/api/visits/{visit.visit_id}/vitals"
    return await day.call("POST", url, "vitals", doctor, json=body) is not FAILED


async def diagnoses(day: Day, doctor: Staff, visit: Visit) -> bool:
    body = {"main": visit.plan.main_diagnosis, "secondary": visit.plan.secondary}
    url = f"/api/visits/{visit.visit_id}/diagnoses"
    return await day.call("PUT", url, "diagnoses", doctor, json=body) is not FAILED


async def order(day: Day, doctor: Staff, visit: Visit) -> bool:
    """Lab and imaging orders for the visits planned to have them; the patient's tickets
    wait at each room the order's route names."""
    if not visit.plan.services:
        return True
    body = {"visit_id": visit.visit_id, "services": visit.plan.services}
    placed = await day.call("POST", "/api/orders", "order", doctor, json=body)
    if placed is FAILED:
        return False
    for item in placed["items"]:
        target = visit.lab_items if item["point_kind"] == "lab" else visit.imaging_items
        target[item["id"]] = item["service_code"]
    visit.pending_items = len(placed["items"])
    for stop in placed["route"]:
        day.by_ticket[stop["ticket_id"]] = visit
        if stop["point_kind"] == "lab":
            visit.lab_ticket_id = stop["ticket_id"]
        day.room(stop["point_code"]).put_nowait(None)
    return True


async def complete_exam(day: Day, doctor: Staff, visit: Visit) -> bool:
    """The doctor closes the patient's ticket: after ordering (the patient goes to the
    rooms) or after concluding."""
    if not visit.exam_ticket_open:
        return True
    url = f"/api/queue/tickets/{visit.ticket_id}/complete"
    visit.exam_ticket_open = False
    return await day.call("POST", url, "complete", doctor) is not FAILED


async def prescription(day: Day, doctor: Staff, visit: Visit) -> bool:
    if not visit.plan.drugs:
        return True
    items = [
        {"drug_code": code, "quantity": quantity, "instructions": how, "days": days}
        for code, quantity, how, days in visit.plan.drugs
    ]
    body = {"items": items, "advice": "Tái khám khi có bất thường", "issue": True}
    url = f"/api/visits/{visit.visit_id}/prescription"
    return await day.call("POST", url, "prescription", doctor, json=body) is not FAILED


async def conclude(day: Day, doctor: Staff, visit: Visit) -> bool:
    body: dict[str, Any] = {"conclusion": "home", "advice": "Nghỉ ngơi, uống thuốc theo đơn"}
    if visit.plan.follow_up:
        body = {"conclusion": "follow_up", "follow_up_date": visit.plan.follow_up.isoformat()}
    url = f"/api/visits/{visit.visit_id}/conclude"
    return await day.call("POST", url, "conclude", doctor, json=body) is not FAILED


# The doctor's first look, then (at once, or when the results are back) the close.
EXAMINE: list[Step] = [exam_start, vitals, diagnoses, order]
CLOSE: list[Step] = [prescription, conclude, complete_exam]


# -- the cashier ---------------------------------------------------------------------------


async def pay(day: Day, cashier: Staff, visit: Visit) -> bool:
    """The visit's invoice, paid in cash; nothing to pay (fully covered) is counted."""
    url = f"/api/billing/visits/{visit.visit_id}/invoice"
    found = await day.call("GET", url, "invoice", cashier)
    if found is FAILED:
        return False
    invoice = found["invoice"]
    if invoice is None or invoice["status"] != "open" or invoice["remaining_vnd"] <= 0:
        day.counts["pay_nothing_due"] += 1
        return True
    body = {"method": "cash", "amount_vnd": invoice["remaining_vnd"]}
    paid = await day.call(
        "POST", f"/api/billing/invoices/{invoice['id']}/payments", "pay", cashier, json=body
    )
    if paid is FAILED:
        return False
    day.counts["pay_vnd"] += invoice["remaining_vnd"]
    return True


CASHIER: list[Step] = [pay]


# -- the workstations ------------------------------------------------------------------------


async def call_next(
    day: Day, staff: Staff, room: str, *, to_boards: bool
) -> tuple[Visit, int] | None:
    """Call the room's next patient: (the visit, the ticket called). Exam rooms' calls are
    noted for the call-to-board figures (the boards watch their area)."""
    sent = time.perf_counter()
    expected = day.boards_live()
    ticket = await day.call("POST", f"/api/queue/points/{room}/call-next", "call_next", staff)
    if ticket is FAILED:
        # Nobody was called (the request failed as a whole): the patient still waits, and
        # the workstation presses "call next" again a moment later (the error is counted).
        await asyncio.sleep(RETRY_CALL_S)
        day.room(room).put_nowait(None)
        return None
    if ticket is None:  # the signal's ticket was called already (it should not happen)
        day.counts["empty_calls"] += 1
        return None
    if to_boards:
        day.calls.append((ticket["display_number"], sent, expected))
    visit = await day.visit_of(ticket["id"])
    if visit is None:
        day.rec.error("call_next", f"ticket {ticket['id']} belongs to no visit of this run")
        return None
    return visit, ticket["id"]


async def doctor_room(day: Day, doctor: Staff, room: str) -> None:
    """One examination room: new patients are called, examined and either concluded at
    once or sent for their tests; patients back with verified results are concluded."""
    signals = day.room(room)
    while day.running():
        came, back = await next_signal(signals)
        if not came:
            continue
        if back is not None:  # results verified: the patient is back at the door
            await _close(day, doctor, back)
            continue
        called = await call_next(day, doctor, room, to_boards=True)
        if called is None:
            continue
        visit = called[0]
        visit.exam_ticket_open = True
        if not await run_steps(day, doctor, visit, EXAMINE):
            await _give_up(day, doctor, visit)
        elif visit.pending_items:
            if not await complete_exam(day, doctor, visit):
                day.finish(visit, ok=False)
        else:
            await _close(day, doctor, visit)


async def _close(day: Day, doctor: Staff, visit: Visit) -> None:
    if not await run_steps(day, doctor, visit, CLOSE):
        await _give_up(day, doctor, visit)
    elif day.billing:
        day.cashier.put_nowait(visit)
    else:
        day.finish(visit, ok=True)


async def _give_up(day: Day, staff: Staff, visit: Visit) -> None:
    """A failed step ends the visit's journey (counted); its ticket is closed, untimed, so
    the room goes on."""
    if visit.exam_ticket_open:
        visit.exam_ticket_open = False
        url = f"/api/queue/tickets/{visit.ticket_id}/complete"
        with contextlib.suppress(httpx.HTTPError):
            await day.client.post(url, headers=staff.headers)
    day.finish(visit, ok=False)


async def next_signal(queue: asyncio.Queue[Any]) -> tuple[bool, Any]:
    """(True, item) when something came, (False, None) after SIGNAL_WAIT_S of quiet (the
    caller looks at the deadline)."""
    try:
        return True, await asyncio.wait_for(queue.get(), SIGNAL_WAIT_S)
    except TimeoutError:
        return False, None


async def take_specimens(day: Day, technician: Staff, visit: Visit) -> bool:
    """One tube per specimen type: the answer names every item the tube serves."""
    for item_id in visit.lab_items:
        if item_id in visit.specimen_taken:
            continue
        url = f"/api/orders/items/{item_id}/specimen"
        taken = await day.call("POST", url, "specimen", technician)
        if taken is FAILED:
            return False
        visit.specimen_taken.update(taken["item_ids"])
    return True


async def paraclinical_room(
    day: Day, staff: Staff, room: str, work: Callable[[Day, Staff, Visit], Awaitable[bool]]
) -> None:
    """A lab sampling, X-ray or ultrasound room: call, do the room's `work` (specimens;
    imaging has no request of its own: the modality talks DICOM), close the ticket; the
    items then go to the bench or the radiologists."""
    signals = day.room(room)
    while day.running():
        came, _ = await next_signal(signals)
        if not came:
            continue
        called = await call_next(day, staff, room, to_boards=False)
        if called is None:
            continue
        visit, ticket_id = called
        ok = await work(day, staff, visit)
        url = f"/api/queue/tickets/{ticket_id}/complete"
        done = await day.call("POST", url, "complete", staff)
        if not ok or done is FAILED:
            day.finish(visit, ok=False)
            continue
        lab = room_is_lab(visit, ticket_id)
        items = visit.lab_items if lab else visit.imaging_items
        target = day.lab_bench if lab else day.reading
        for item_id in items:
            target.put_nowait((visit, item_id))


def room_is_lab(visit: Visit, ticket_id: int) -> bool:
    return ticket_id == visit.lab_ticket_id


async def no_request(_day: Day, _staff: Staff, _visit: Visit) -> bool:
    return True


# -- results: one person enters, another verifies --------------------------------------------


async def enter_lab(day: Day, technician: Staff, visit: Visit, item_id: int) -> bool:
    values = LAB_VALUES[visit.lab_items[item_id]]
    body = {"values": [{"analyte_code": k, "value": v} for k, v in values.items()]}
    url = f"/api/orders/items/{item_id}/results"
    return await day.call("POST", url, "results", technician, json=body) is not FAILED


async def enter_report(day: Day, radiologist: Staff, visit: Visit, item_id: int) -> bool:
    technique, findings, conclusion = REPORTS[visit.imaging_items[item_id]]
    body = {"technique": technique, "findings": findings, "conclusion": conclusion}
    url = f"/api/orders/items/{item_id}/report"
    return await day.call("POST", url, "report", radiologist, json=body) is not FAILED


async def verify(day: Day, second: Staff, visit: Visit, item_id: int) -> bool:
    url = f"/api/orders/items/{item_id}/verify"
    return await day.call("POST", url, "verify", second) is not FAILED


ItemStep = Callable[[Day, Staff, Visit, int], Awaitable[bool]]


async def item_desk(
    day: Day,
    staff: Staff,
    inbox: asyncio.Queue[tuple[Visit, int]],
    step: ItemStep,
    outbox: asyncio.Queue[tuple[Visit, int]] | None,
) -> None:
    """A results desk: takes items from `inbox`, does `step`, passes them to `outbox` (the
    verifier); with no outbox the item is verified, and the last one of a visit sends the
    patient back to the doctor's room."""
    while day.running():
        came, job = await next_signal(inbox)
        if not came:
            continue
        visit, item_id = job
        if visit.finished_at:  # the journey ended on another failure
            continue
        if not await step(day, staff, visit, item_id):
            day.finish(visit, ok=False)
        elif outbox is not None:
            outbox.put_nowait((visit, item_id))
        else:
            visit.pending_items -= 1
            if visit.pending_items == 0:
                day.room(visit.room).put_nowait(visit)


async def cashier_desk(day: Day, cashier: Staff) -> None:
    while day.running():
        came, visit = await next_signal(day.cashier)
        if came:
            day.finish(visit, ok=await run_steps(day, cashier, visit, CASHIER))
