"""Orders and results: the doctor's order sheet, the rooms it queues the patient in, lab
specimens, results and reports, and the second person who verifies them.

Every read or change of a patient's orders or results is audited; every change emits a
"result" event (after commit) so the ordering doctor's screen updates live.

Who may enter what (beyond the RESULT_ENTER permission): lab results by a lab technician,
imaging reports (X-ray, CT, MRI, ultrasound) by a radiologist, functional-test and procedure
reports (ECG, endoscopy, ...) by a doctor or a radiologist; an administrator may do all.
Verification needs RESULT_VERIFY and a different person from the one who entered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from smarthis import events
from smarthis.billing.charges import charge_order_items
from smarthis.catalogs.lab import NoReferenceRange, flag_result, lab_analytes
from smarthis.catalogs.service_catalog import HospitalService, find_service
from smarthis.clinical.examination import record_step
from smarthis.clinical.models import Visit
from smarthis.counters import next_value
from smarthis.db import MAX_ID, utcnow
from smarthis.errors import Conflict, DomainError, Forbidden, NotFound
from smarthis.integrations.dicom.scheduling import schedule_imaging
from smarthis.integrations.hl7.outbound import queue_lab_order, queue_specimen_collected
from smarthis.orders.models import LabResult, Order, OrderItem, Report, Specimen
from smarthis.patients.models import Patient
from smarthis.patients.service import find_patient
from smarthis.queueing import service as queue
from smarthis.queueing.clock import HOSPITAL_TZ, service_day
from smarthis.queueing.flows import insurance_status_text
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.priority import priority_for
from smarthis.security import audit
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal

MAX_ITEMS_PER_ORDER = 40
LAB_KIND = "lab"
IMAGING_KINDS = frozenset({"xray", "ct", "mri", "ultrasound"})
ITEM_STATUSES = ("ordered", "in_progress", "resulted", "verified", "cancelled")

# The container a lab service's sample goes in, by the panel it is listed under; one tube
# serves every test of the order that needs the same container.
SPECIMEN_TYPES_BY_PANEL = {
    "CBC": "Máu toàn phần (EDTA)",
    "DONGMAU": "Máu (citrat)",
    "TPTNT": "Nước tiểu",
}
DEFAULT_SPECIMEN_TYPE = "Huyết thanh"


def _error(code: str, vi: str, en: str, field_name: str | None) -> DomainError:
    return DomainError(code, vi, en, field=field_name)


# --- reading ------------------------------------------------------------------------------


def _get(session: Session, model: type, facility_code: str, row_id: int, what: str):
    row = session.get(model, row_id) if 1 <= row_id <= MAX_ID else None
    if row is None or row.facility_code != facility_code:
        names = {
            "order": ("phiếu chỉ định", "order"),
            "order_item": ("dịch vụ chỉ định", "order item"),
            "visit": ("lượt khám", "visit"),
            "lab_result": ("kết quả xét nghiệm", "lab result"),
        }
        vi, en = names[what]
        raise NotFound(
            f"{what}_not_found",
            f"Không có {vi} số {row_id}",
            f"No {en} {row_id}",
            field=f"{what}_id",
        )
    return row


def get_order(session: Session, actor: Principal, order_id: int) -> Order:
    order = _get(session, Order, actor.facility_code, order_id, "order")
    audit.record(
        session, actor, "order.read", patient_id=order.patient_id, detail={"order": order.id}
    )
    return order


def get_item(session: Session, actor: Principal, item_id: int, *, lock: bool = False) -> OrderItem:
    item = _get(session, OrderItem, actor.facility_code, item_id, "order_item")
    if lock:
        # Two technicians acting on one item at once: the second waits, then sees the first.
        session.execute(
            select(OrderItem.id)
            .where(OrderItem.id == item.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        session.refresh(item)
    return item


def items_of(session: Session, order_id: int) -> list[OrderItem]:
    return list(
        session.execute(
            select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.id)
        ).scalars()
    )


def orders_for_visit(session: Session, actor: Principal, visit_id: int) -> list[Order]:
    visit = _get(session, Visit, actor.facility_code, visit_id, "visit")
    orders = list(
        session.execute(
            select(Order)
            .where(Order.facility_code == actor.facility_code, Order.visit_id == visit.id)
            .order_by(Order.id)
        ).scalars()
    )
    audit.record(
        session, actor, "order.list", patient_id=visit.patient_id, detail={"visit": visit.id}
    )
    return orders


# --- placing an order ---------------------------------------------------------------------


@dataclass
class RouteStop:
    """One room on the patient's way, with the ticket waiting for them there."""

    point_code: str
    point_name: str
    room_label: str
    floor: str | None
    point_kind: str
    ticket_id: int
    display_number: str
    expected_wait_minutes: int
    services: list[str] = field(default_factory=list)


@dataclass
class PlacedOrder:
    order: Order
    items: list[OrderItem]
    route: list[RouteStop]


def route_order(stops: list[RouteStop]) -> list[RouteStop]:
    """The order to visit the rooms in: shortest expected wait first.

    The patient holds a ticket in every room's queue at once, and every queue moves while
    they are served elsewhere; going first where the wait is shortest lets the longer queues
    advance meanwhile (shortest-processing-time-first minimises the sum of completion
    times). Ties go to lab sampling first, since lab results take longest to come back."""
    return sorted(
        stops, key=lambda s: (s.expected_wait_minutes, s.point_kind != LAB_KIND, s.point_code)
    )


def _visit_and_patient(session: Session, actor: Principal, visit_id: int) -> tuple[Visit, Patient]:
    visit = _get(session, Visit, actor.facility_code, visit_id, "visit")
    patient = session.get(Patient, visit.patient_id)
    assert patient is not None
    return visit, patient


def _check_codes(codes: Sequence[str]) -> list[HospitalService]:
    if not codes:
        raise _error("order_empty", "Chưa chọn dịch vụ nào", "No service ordered", "services")
    if len(codes) > MAX_ITEMS_PER_ORDER:
        raise _error(
            "order_too_long",
            f"Một phiếu chỉ định tối đa {MAX_ITEMS_PER_ORDER} dịch vụ",
            f"At most {MAX_ITEMS_PER_ORDER} services per order",
            "services",
        )
    if len(set(codes)) != len(codes):
        raise _error(
            "order_duplicate_service",
            "Một dịch vụ được chọn hai lần",
            "A service is ordered twice",
            "services",
        )
    services = [find_service(code) for code in codes]
    for service in services:
        if service.kind == "exam":
            raise _error(
                "order_service_kind",
                f"'{service.code}' là dịch vụ khám, không chỉ định cận lâm sàng được",
                f"'{service.code}' is an examination, not an order",
                "services",
            )
    return services


def place_order(
    session: Session, actor: Principal, visit_id: int, service_codes: Sequence[str]
) -> PlacedOrder:
    """Create the order and put the patient in each needed room's queue (one ticket per
    kind of room, e.g. one lab sampling for all lab tests), in this transaction."""
    services = _check_codes(service_codes)
    visit, patient = _visit_and_patient(session, actor, visit_id)
    order = Order(
        facility_code=actor.facility_code,
        visit_id=visit.id,
        patient_id=patient.id,
        ordered_by=actor.name,
        ordered_at=utcnow(),
    )
    session.add(order)
    session.flush()
    group = priority_for(
        "emergency" if visit.arrival_mode == "emergency" else None,
        patient.date_of_birth,
        patient.birth_year,
        service_day(),
    )
    tickets: dict[str, Ticket] = {}
    stops: dict[str, RouteStop] = {}
    items: list[OrderItem] = []
    for service in services:
        ticket = tickets.get(service.point_kind)
        if ticket is None:
            ticket = queue.issue_ticket(
                session,
                actor,
                queue.TicketRequest(
                    kind=service.point_kind,
                    visit_id=visit.id,
                    patient_id=patient.id,
                    full_name=patient.full_name,
                    priority_group=group,
                    insurance_status_vi=insurance_status_text(visit),
                    via="order",
                ),
            )
            tickets[service.point_kind] = ticket
            point = queue.get_point(session, actor.facility_code, ticket.service_point_code)
            stops[service.point_kind] = _stop(point, ticket)
        stops[service.point_kind].services.append(service.name_vi)
        item = OrderItem(
            facility_code=actor.facility_code,
            order_id=order.id,
            service_code=service.code,
            service_name=service.name_vi,
            kind=service.kind,
            point_kind=service.point_kind,
            status="ordered",
            ticket_id=ticket.id,
            hospital_price_vnd=service.hospital_price_vnd,
            insurance_price_vnd=service.insurance_price_vnd,
            status_changed_at=utcnow(),
        )
        session.add(item)
        items.append(item)
    session.flush()
    # Imaging items get their accession number and worklist entry in this transaction.
    schedule_imaging(session, order, items)
    # The LIS hears of the lab tests through the outbox, in this same transaction.
    queue_lab_order(session, order, items)
    charge_order_items(session, visit, items, actor.name)  # the bill's lines, same transaction
    audit.record(
        session,
        actor,
        "order.place",
        patient_id=patient.id,
        detail={"order": order.id, "services": list(service_codes)},
    )
    record_step(session, visit, "ordered", actor.name)
    _emit(session, order, None, "ordered")
    return PlacedOrder(order, items, route_order(list(stops.values())))


def _stop(point: ServicePoint, ticket: Ticket) -> RouteStop:
    return RouteStop(
        point_code=point.code,
        point_name=point.name,
        room_label=point.room_label,
        floor=point.floor,
        point_kind=point.kind,
        ticket_id=ticket.id,
        display_number=ticket.display_number,
        expected_wait_minutes=ticket.expected_wait_minutes or 0,
    )


def order_route(session: Session, actor: Principal, order: Order) -> list[RouteStop]:
    """The route of an existing order, from its tickets (for reprinting the slip)."""
    stops: dict[int, RouteStop] = {}
    for item in items_of(session, order.id):
        if item.ticket_id is None:
            continue
        stop = stops.get(item.ticket_id)
        if stop is None:
            ticket = session.get(Ticket, item.ticket_id)
            assert ticket is not None
            point = queue.get_point(session, actor.facility_code, ticket.service_point_code)
            stop = stops[item.ticket_id] = _stop(point, ticket)
        stop.services.append(item.service_name)
    return route_order(list(stops.values()))


# --- events -------------------------------------------------------------------------------


def _emit(
    session: Session, order: Order, item: OrderItem | None, kind: str, **extra: object
) -> None:
    """Tell the ordering doctor's screen; the payload names no patient, only ids."""
    events.emit(
        session,
        {
            "topic": "result",
            "facility": order.facility_code,
            "kind": kind,
            "doctor": order.ordered_by,
            "visit_id": order.visit_id,
            "order_id": order.id,
            "item_id": item.id if item is not None else None,
            "service_code": item.service_code if item is not None else None,
            "at": utcnow().isoformat(),
            **extra,
        },
    )


def _set_status(item: OrderItem, status: str) -> None:
    item.status = status
    item.status_changed_at = utcnow()


def _require_open(item: OrderItem) -> None:
    if item.status == "cancelled":
        raise Conflict(
            "order_item_cancelled",
            "Dịch vụ này đã huỷ",
            "This order item is cancelled",
            field="item_id",
        )


# --- specimens ----------------------------------------------------------------------------


def specimen_type_of(item: OrderItem) -> str:
    service = find_service(item.service_code)
    return SPECIMEN_TYPES_BY_PANEL.get(service.lab_panel or "", DEFAULT_SPECIMEN_TYPE)


def _accession_number(session: Session, facility_code: str) -> str:
    day = utcnow().astimezone(HOSPITAL_TZ).strftime("%y%m%d")
    return f"{day}{next_value(session, f'accession:{facility_code}:{day}'):05d}"


@dataclass
class CollectedSpecimen:
    specimen: Specimen
    items: list[OrderItem]
    patient: Patient


def _record_visit_step(session: Session, order: Order, step: str, by: str) -> None:
    """Timestamp the order's step on its visit, so waits per step can be reported."""
    visit = session.get(Visit, order.visit_id)
    if visit is not None:
        record_step(session, visit, step, by)


def collect_specimen(session: Session, actor: Principal, item_id: int) -> CollectedSpecimen:
    """Record the sample taken for this lab item, in one tube with every other uncollected
    lab item of the order that needs the same container; gives its accession number."""
    item = get_item(session, actor, item_id, lock=True)
    _require_open(item)
    if item.kind != LAB_KIND:
        raise _error(
            "specimen_not_lab",
            "Chỉ dịch vụ xét nghiệm mới lấy mẫu",
            "Only lab services take a specimen",
            "item_id",
        )
    if item.specimen_id is not None:
        raise Conflict(
            "specimen_already_collected",
            "Mẫu của xét nghiệm này đã được lấy",
            "The specimen of this test is already collected",
            field="item_id",
        )
    order = session.get(Order, item.order_id)
    assert order is not None
    kind = specimen_type_of(item)
    together = [
        other
        for other in items_of(session, order.id)
        if other.kind == LAB_KIND
        and other.specimen_id is None
        and other.status != "cancelled"
        and specimen_type_of(other) == kind
    ]
    specimen = Specimen(
        facility_code=actor.facility_code,
        accession_number=_accession_number(session, actor.facility_code),
        order_id=order.id,
        patient_id=order.patient_id,
        specimen_type=kind,
        collected_at=utcnow(),
        collected_by=actor.name,
    )
    session.add(specimen)
    session.flush()
    for other in together:
        other.specimen_id = specimen.id
        if other.status == "ordered":
            _set_status(other, "in_progress")
    audit.record(
        session,
        actor,
        "specimen.collect",
        patient_id=order.patient_id,
        detail={"accession": specimen.accession_number, "items": [i.id for i in together]},
    )
    # The LIS learns the tube's accession number with the tests in it, in this transaction.
    queue_specimen_collected(session, order, together, specimen)
    _record_visit_step(session, order, "sample_taken", actor.name)
    _emit(session, order, item, "specimen_collected", accession=specimen.accession_number)
    patient = session.get(Patient, order.patient_id)
    assert patient is not None
    return CollectedSpecimen(specimen, together, patient)


def specimen_by_accession(session: Session, actor: Principal, accession: str) -> CollectedSpecimen:
    specimen = session.execute(
        select(Specimen).where(
            Specimen.facility_code == actor.facility_code,
            Specimen.accession_number == accession.strip(),
        )
    ).scalar_one_or_none()
    if specimen is None:
        raise NotFound(
            "specimen_not_found",
            f"Không có mẫu mã {accession[:20]}",
            f"No specimen {accession[:20]}",
            field="accession",
        )
    items = list(
        session.execute(
            select(OrderItem).where(OrderItem.specimen_id == specimen.id).order_by(OrderItem.id)
        ).scalars()
    )
    patient = session.get(Patient, specimen.patient_id)
    assert patient is not None
    audit.record(
        session, actor, "specimen.read", patient_id=patient.id, detail=specimen.accession_number
    )
    return CollectedSpecimen(specimen, items, patient)


# --- who may enter and verify -------------------------------------------------------------


def _may_report(actor: Principal, item: OrderItem) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if item.kind == LAB_KIND:
        return actor.role == Role.LAB_TECHNICIAN
    if item.kind in IMAGING_KINDS:
        return actor.role == Role.RADIOLOGIST
    return actor.role in (Role.DOCTOR, Role.RADIOLOGIST)


def _require_reporter(actor: Principal, item: OrderItem) -> None:
    if not _may_report(actor, item):
        raise Forbidden(
            "result_wrong_role",
            "Vai trò của bạn không được nhập kết quả cho loại dịch vụ này",
            f"Your role may not enter results of {item.kind} services",
            field="item_id",
        )


def patient_age_years(patient: Patient, on: date) -> float | None:
    if patient.date_of_birth is not None:
        return max(0.0, (on - patient.date_of_birth).days / 365.2425)
    if patient.birth_year is not None:
        # Mid-year: the best guess of an age known only by year.
        return max(0.0, on.year - patient.birth_year + (on.timetuple().tm_yday / 366) - 0.5)
    return None


# --- lab results --------------------------------------------------------------------------


def _parse_value(text: str) -> float | None:
    cleaned = text.strip().replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def current_results(session: Session, item_id: int) -> list[LabResult]:
    return list(
        session.execute(
            select(LabResult)
            .where(LabResult.order_item_id == item_id, LabResult.superseded_by_id.is_(None))
            .order_by(LabResult.id)
        ).scalars()
    )


def _judge(
    session: Session,
    actor: Principal,
    item: OrderItem,
    patient: Patient,
    analyte_code: str,
    value_text: str,
    version: int,
) -> LabResult:
    value_text = (value_text or "").strip()
    if not value_text or len(value_text) > 100:
        raise _error(
            "lab_value_invalid",
            f"Kết quả của {analyte_code} trống hoặc quá dài",
            f"The value of {analyte_code} is empty or too long",
            "value",
        )
    analyte = lab_analytes()[analyte_code]
    numeric = _parse_value(value_text)
    flag, range_text = "none", None
    if numeric is not None:
        try:
            judged = flag_result(
                analyte_code, numeric, patient.sex, patient_age_years(patient, service_day())
            )
            flag, range_text = judged.flag, judged.range_text
        except NoReferenceRange:
            flag = "none"
    return LabResult(
        facility_code=actor.facility_code,
        order_item_id=item.id,
        patient_id=patient.id,
        analyte_code=analyte_code,
        value_text=value_text,
        value_numeric=numeric,
        unit=analyte.unit,
        range_text=range_text,
        flag=flag,
        version=version,
        entered_by=actor.name,
        entered_at=utcnow(),
    )


def _item_context(session: Session, item: OrderItem) -> tuple[Order, Patient]:
    order = session.get(Order, item.order_id)
    assert order is not None
    patient = session.get(Patient, order.patient_id)
    assert patient is not None
    return order, patient


def _emit_critical(session: Session, order: Order, item: OrderItem, result: LabResult) -> None:
    if result.flag in ("critical_low", "critical_high"):
        _emit(
            session,
            order,
            item,
            "critical",
            analyte_code=result.analyte_code,
            value=result.value_text,
            flag=result.flag,
            # Only the ordering doctor's own alert stream carries this event to a screen.
            patient_id=order.patient_id,
        )


def enter_lab_results(
    session: Session, actor: Principal, item_id: int, values: Sequence[tuple[str, str]]
) -> list[LabResult]:
    """Record values for analytes the service reports; each flagged against the patient's
    reference range (sex, age). A value already entered is changed with `correct_result`."""
    item = get_item(session, actor, item_id, lock=True)
    _require_open(item)
    if item.kind != LAB_KIND:
        raise _error(
            "result_not_lab",
            "Dịch vụ này không phải xét nghiệm: hãy nhập phiếu kết quả",
            "Not a lab service: write a report instead",
            "item_id",
        )
    _require_reporter(actor, item)
    if not values:
        raise _error("lab_values_empty", "Chưa nhập kết quả nào", "No value given", "values")
    reported = set(find_service(item.service_code).analytes)
    existing = {r.analyte_code for r in current_results(session, item.id)}
    seen: set[str] = set()
    for code, _value in values:
        if code not in reported:
            raise _error(
                "lab_analyte_not_ordered",
                f"Chỉ số {code} không thuộc xét nghiệm {item.service_code}",
                f"{code} is not reported by {item.service_code}",
                "analyte_code",
            )
        if code in existing or code in seen:
            raise Conflict(
                "lab_result_exists",
                f"Chỉ số {code} đã có kết quả: dùng chức năng sửa kết quả",
                f"{code} already has a result: correct it instead",
                field="analyte_code",
            )
        seen.add(code)
    order, patient = _item_context(session, item)
    results = [_judge(session, actor, item, patient, code, value, 1) for code, value in values]
    session.add_all(results)
    _set_status(item, "resulted")
    session.flush()
    audit.record(
        session,
        actor,
        "result.enter",
        patient_id=patient.id,
        detail={"item": item.id, "analytes": [r.analyte_code for r in results]},
    )
    _emit(session, order, item, "entered")
    for result in results:
        _emit_critical(session, order, item, result)
    return results


def correct_result(
    session: Session, actor: Principal, result_id: int, value_text: str, reason: str
) -> LabResult:
    """A new version of the value; the earlier one stays, marked superseded. The item
    goes back to 'resulted' until a second person verifies the new value."""
    old = _get(session, LabResult, actor.facility_code, result_id, "lab_result")
    item = get_item(session, actor, old.order_item_id, lock=True)
    session.refresh(old)
    _require_open(item)
    _require_reporter(actor, item)
    if old.superseded_by_id is not None:
        raise Conflict(
            "lab_result_superseded",
            "Kết quả này đã được sửa: hãy sửa phiên bản mới nhất",
            "This result was already corrected: correct the newest version",
            field="result_id",
        )
    reason = (reason or "").strip()
    if not reason:
        raise _error("correction_reason", "Cần ghi lý do sửa kết quả", "Give the reason", "reason")
    order, patient = _item_context(session, item)
    new = _judge(session, actor, item, patient, old.analyte_code, value_text, old.version + 1)
    new.correction_reason = reason[:1000]
    session.add(new)
    session.flush()
    old.superseded_by_id = new.id
    _set_status(item, "resulted")
    session.flush()
    audit.record(
        session,
        actor,
        "result.correct",
        patient_id=patient.id,
        detail={"item": item.id, "analyte": new.analyte_code, "version": new.version},
    )
    _emit(session, order, item, "corrected", analyte_code=new.analyte_code)
    _emit_critical(session, order, item, new)
    return new


# --- reports ------------------------------------------------------------------------------


def current_report(session: Session, item_id: int) -> Report | None:
    return session.execute(
        select(Report).where(Report.order_item_id == item_id, Report.superseded_by_id.is_(None))
    ).scalar_one_or_none()


def enter_report(
    session: Session,
    actor: Principal,
    item_id: int,
    *,
    technique: str,
    findings: str,
    conclusion: str,
    correction_reason: str | None = None,
) -> Report:
    """Write the report of an imaging or functional test. Writing again makes a new
    version (a correction, with its reason); the earlier one is kept, superseded."""
    item = get_item(session, actor, item_id, lock=True)
    _require_open(item)
    if item.kind == LAB_KIND:
        raise _error(
            "report_for_lab",
            "Xét nghiệm nhập kết quả theo chỉ số, không viết phiếu",
            "Lab services take values, not a report",
            "item_id",
        )
    _require_reporter(actor, item)
    for name, text in (("findings", findings), ("conclusion", conclusion)):
        if not (text or "").strip():
            raise _error(f"report_{name}", "Chưa nhập nội dung", f"{name} is empty", name)
    previous = current_report(session, item.id)
    if previous is not None and not (correction_reason or "").strip():
        raise Conflict(
            "report_exists",
            "Dịch vụ đã có phiếu kết quả: sửa thì cần ghi lý do",
            "A report exists: a correction needs a reason",
            field="correction_reason",
        )
    order, patient = _item_context(session, item)
    report = Report(
        facility_code=actor.facility_code,
        order_item_id=item.id,
        patient_id=patient.id,
        technique=(technique or "").strip(),
        findings=findings.strip(),
        conclusion=conclusion.strip(),
        version=(previous.version + 1) if previous else 1,
        entered_by=actor.name,
        entered_at=utcnow(),
        correction_reason=(correction_reason or "").strip() or None,
    )
    session.add(report)
    session.flush()
    if previous is not None:
        previous.superseded_by_id = report.id
    _set_status(item, "resulted")
    session.flush()
    audit.record(
        session,
        actor,
        "report.correct" if previous else "report.enter",
        patient_id=patient.id,
        detail={"item": item.id, "version": report.version},
    )
    _emit(session, order, item, "corrected" if previous else "entered")
    return report


# --- verification -------------------------------------------------------------------------


def verify(session: Session, actor: Principal, item_id: int) -> OrderItem:
    """Release the item's current results (or report) to the patient: by a second person."""
    item = get_item(session, actor, item_id, lock=True)
    _require_open(item)
    if item.status != "resulted":
        raise Conflict(
            "verify_nothing",
            "Chưa có kết quả mới để duyệt" if item.status != "verified" else "Kết quả đã duyệt",
            "No result waiting for verification",
            field="item_id",
        )
    rows: list[LabResult] | list[Report]
    if item.kind == LAB_KIND:
        rows = current_results(session, item.id)
    else:
        report = current_report(session, item.id)
        rows = [report] if report is not None else []
    pending = [row for row in rows if row.verified_at is None]
    if any(row.entered_by == actor.name for row in pending):
        raise Forbidden(
            "verify_same_person",
            "Người nhập kết quả không được tự duyệt: cần người thứ hai",
            "The person who entered a result may not verify it: a second person must",
            field="item_id",
        )
    now = utcnow()
    for row in pending:
        row.verified_by, row.verified_at = actor.name, now
    _set_status(item, "verified")
    session.flush()
    order, patient = _item_context(session, item)
    audit.record(session, actor, "result.verify", patient_id=patient.id, detail={"item": item.id})
    _record_visit_step(session, order, "result_verified", actor.name)
    _emit(session, order, item, "verified")
    return item


# --- reading results ----------------------------------------------------------------------


@dataclass
class ItemResults:
    order: Order
    item: OrderItem
    lab_results: list[LabResult]
    report: Report | None
    history: list[LabResult | Report]  # superseded versions (staff only)


def _collect(
    session: Session, orders: list[Order], verified_only: bool, with_history: bool
) -> list[ItemResults]:
    out: list[ItemResults] = []
    for order in orders:
        for item in items_of(session, order.id):
            results = [
                r
                for r in current_results(session, item.id)
                if not verified_only or r.verified_at is not None
            ]
            report = current_report(session, item.id)
            if report is not None and verified_only and report.verified_at is None:
                report = None
            history: list[LabResult | Report] = []
            if with_history:
                history.extend(
                    session.execute(
                        select(LabResult)
                        .where(
                            LabResult.order_item_id == item.id,
                            LabResult.superseded_by_id.is_not(None),
                        )
                        .order_by(LabResult.id)
                    ).scalars()
                )
                history.extend(
                    session.execute(
                        select(Report)
                        .where(
                            Report.order_item_id == item.id, Report.superseded_by_id.is_not(None)
                        )
                        .order_by(Report.id)
                    ).scalars()
                )
            if verified_only and not results and report is None:
                continue
            out.append(ItemResults(order, item, results, report, history))
    return out


def results_for_patient(
    session: Session, actor: Principal, patient_id: int, verified_only: bool
) -> list[ItemResults]:
    patient = find_patient(session, actor, patient_id)
    orders = list(
        session.execute(
            select(Order)
            .where(Order.facility_code == actor.facility_code, Order.patient_id == patient.id)
            .order_by(Order.ordered_at.desc(), Order.id.desc())
        ).scalars()
    )
    audit.record(
        session,
        actor,
        "result.read",
        patient_id=patient.id,
        detail={"verified_only": verified_only},
    )
    return _collect(session, orders, verified_only, with_history=not verified_only)


def results_for_visit(
    session: Session, actor: Principal, visit_id: int, verified_only: bool
) -> list[ItemResults]:
    visit = _get(session, Visit, actor.facility_code, visit_id, "visit")
    orders = list(
        session.execute(
            select(Order)
            .where(Order.facility_code == actor.facility_code, Order.visit_id == visit.id)
            .order_by(Order.id)
        ).scalars()
    )
    audit.record(
        session,
        actor,
        "result.read",
        patient_id=visit.patient_id,
        detail={"visit": visit.id, "verified_only": verified_only},
    )
    return _collect(session, orders, verified_only, with_history=not verified_only)


# --- the performing room calls the patient ------------------------------------------------


# Built once (smarthis/db.py says why): every call at every room looks for them.
_ORDERED_ON_TICKET = (
    select(OrderItem)
    .where(
        OrderItem.facility_code == bindparam("facility_code"),
        OrderItem.ticket_id == bindparam("ticket_id"),
        OrderItem.status == "ordered",
    )
    .order_by(OrderItem.id)
)


def ticket_called(session: Session, actor: Principal, ticket: Ticket) -> list[OrderItem]:
    """The room called (or recalled) a ticket: the order items it carries start
    (ordered -> in_progress) and the visit gets a "called_<kind>" step, once per item.

    Called by the queue's API layer after `call_next` / `recall`, in the same transaction.
    The queue engine stays free of orders (orders already depend on the queue, not the
    reverse); a ticket that carries no order item (reception, examination) changes nothing.
    Completing the ticket changes nothing either: results come from the workstation."""
    values = {"facility_code": ticket.facility_code, "ticket_id": ticket.id}
    items = list(session.execute(_ORDERED_ON_TICKET, values).scalars())
    if not items:
        return []
    order = session.get(Order, items[0].order_id)
    assert order is not None
    visit = session.get(Visit, order.visit_id)
    assert visit is not None
    for item in items:
        _set_status(item, "in_progress")
    record_step(session, visit, f"called_{items[0].point_kind}", actor.name)
    session.flush()
    for item in items:
        item_order = order if item.order_id == order.id else session.get(Order, item.order_id)
        assert item_order is not None
        _emit(session, item_order, item, "started")
    return items
