"""Printing: queue tickets on ESC/POS thermal printers, with a PDF when there is none."""

from smarthis.printing.escpos_ticket import (
    PrinterUnavailable,
    print_ticket,
    ticket_escpos_bytes,
    ticket_image,
)
from smarthis.printing.pdf_ticket import ticket_pdf
from smarthis.printing.ticket import TicketPrint, mask_name

__all__ = [
    "PrinterUnavailable",
    "TicketPrint",
    "mask_name",
    "print_ticket",
    "ticket_escpos_bytes",
    "ticket_image",
    "ticket_pdf",
]
