"""The queue ticket as a PDF, for when no thermal printer answers: 80 mm wide, as tall as
its content, the same layout as the printed raster drawn as vectors (text stays text, the QR
code stays sharp at any zoom).
"""

from __future__ import annotations

import io
from threading import Lock

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from smarthis.printing.ticket import (
    BOLD_FONT_PATH,
    DOTS_PER_MM,
    PAPER_DOTS,
    REGULAR_FONT_PATH,
    TicketPrint,
    format_issued_at,
    layout_ticket,
)

PAGE_WIDTH = 80 * mm
_DOT = mm / DOTS_PER_MM  # one printer dot in PDF points
_LEFT = (PAGE_WIDTH - PAPER_DOTS * _DOT) / 2  # 4 mm: where a thermal head's reach begins

REGULAR_FONT = "SmartHIS-DejaVuSans"
BOLD_FONT = "SmartHIS-DejaVuSans-Bold"
_fonts_lock = Lock()


def _register_fonts() -> None:
    """Register the bundled fonts with reportlab once per process."""
    with _fonts_lock:
        registered = pdfmetrics.getRegisteredFontNames()
        if REGULAR_FONT not in registered:
            pdfmetrics.registerFont(TTFont(REGULAR_FONT, str(REGULAR_FONT_PATH)))
        if BOLD_FONT not in registered:
            pdfmetrics.registerFont(TTFont(BOLD_FONT, str(BOLD_FONT_PATH)))


def ticket_pdf(ticket: TicketPrint) -> bytes:
    """A one-page PDF of the ticket, 80 mm wide."""
    _register_fonts()
    layout = layout_ticket(ticket)
    page_height = layout.height * _DOT
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, page_height), pageCompression=1)
    title = "Phiếu số thứ tự" if ticket.language == "vi" else "Queue ticket"
    pdf.setTitle(f"{title} {ticket.display_number}")
    pdf.setAuthor(ticket.hospital_name)
    pdf.setCreator("SmartHIS")
    pdf.setSubject(format_issued_at(ticket.issued_at))

    def x(dots: float) -> float:
        return _LEFT + dots * _DOT

    def y(dots: float) -> float:  # PDF counts up from the bottom, the layout down from the top
        return page_height - dots * _DOT

    pdf.setStrokeColorRGB(0, 0, 0)
    pdf.setFillColorRGB(0, 0, 0)
    for box in layout.boxes:
        width, height = (box.right - box.left) * _DOT, (box.bottom - box.top) * _DOT
        pdf.rect(x(box.left), y(box.bottom), width, height, stroke=0, fill=1)
    for row in layout.rows:
        pdf.setFont(BOLD_FONT if row.bold else REGULAR_FONT, row.size * _DOT)
        pdf.setFillColorRGB(*((1, 1, 1) if row.reversed else (0, 0, 0)))
        pdf.drawCentredString(x(row.x), y(row.baseline), row.text)
    pdf.setFillColorRGB(0, 0, 0)
    if layout.qr is not None:
        qr = layout.qr
        module = qr.module * _DOT
        # One path, one rectangle per horizontal run of dark modules: filled as a single
        # shape, so viewers show no hairline seams between modules, and the file stays small.
        path = pdf.beginPath()
        for row_index, modules in enumerate(qr.matrix):
            column = 0
            while column < len(modules):
                if not modules[column]:
                    column += 1
                    continue
                run_start = column
                while column < len(modules) and modules[column]:
                    column += 1
                path.rect(
                    x(qr.left) + run_start * module,
                    y(qr.top) - (row_index + 1) * module,
                    (column - run_start) * module,
                    module,
                )
        pdf.drawPath(path, stroke=0, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
