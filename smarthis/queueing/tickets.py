"""A queue ticket as printed: ESC/POS to the kiosk's printer, or the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.responses import Response
from sqlalchemy.orm import Session

from smarthis.config import Settings
from smarthis.printing import PrinterUnavailable, TicketPrint, print_ticket, ticket_pdf
from smarthis.queueing import service as queue
from smarthis.queueing.models import ServicePoint, Ticket
from smarthis.queueing.priority import PRIORITY_NAMES_VI
from smarthis.security.models import Device


def ticket_print(
    session: Session, settings: Settings, ticket: Ticket, base_url: str
) -> TicketPrint:
    point = queue.get_point(session, ticket.facility_code, ticket.service_point_code)
    return ticket_print_at(settings, ticket, point, base_url)


def ticket_print_at(
    settings: Settings, ticket: Ticket, point: ServicePoint, base_url: str
) -> TicketPrint:
    priority = PRIORITY_NAMES_VI.get(ticket.priority_group or "")
    return TicketPrint(
        hospital_name=settings.facility_name,
        display_number=ticket.display_number,
        service_point_name=point.name,
        room_label=point.room_label,
        floor=point.floor,
        masked_name=ticket.masked_name,
        issued_at=ticket.issued_at,
        expected_wait_minutes=ticket.expected_wait_minutes,
        insurance_status_vi=ticket.insurance_status_vi,
        priority_label_vi=f"Ưu tiên: {priority}" if priority else None,
        lookup_url=f"{base_url.rstrip('/')}/t/{ticket.lookup_token}",
    )


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool
    message_vi: str


NO_PRINTER = PrintOutcome(False, "Kiosk chưa nối máy in: vui lòng ghi nhớ số trên màn hình")


def print_at_device(
    session: Session, settings: Settings, device_id: int, ticket: Ticket, base_url: str
) -> PrintOutcome:
    """Print on the kiosk's own printer. A jammed printer never loses the number: the
    ticket exists already, and the screen shows it with its PDF."""
    device = session.get(Device, device_id)
    if device is None or not device.printer_target:
        return NO_PRINTER
    return print_to(device.printer_target, ticket_print(session, settings, ticket, base_url))


def print_to(target: str, document: TicketPrint) -> PrintOutcome:
    """Send a ticket to the kiosk's printer (`tcp://host:port` or a file)."""
    try:
        print_ticket(document, target)
    except PrinterUnavailable as exc:
        return PrintOutcome(False, exc.message)
    return PrintOutcome(True, "Đã in số thứ tự, mời bạn nhận phiếu")


def pdf_response(session: Session, settings: Settings, ticket: Ticket, base_url: str) -> Response:
    """The ticket as an inline PDF, for printing from a browser."""
    data = ticket_pdf(ticket_print(session, settings, ticket, base_url))
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{ticket.display_number}.pdf"'},
    )
