"""Drawing the receipt: a 1-bit raster for 80 mm ESC/POS printers (Vietnamese is drawn,
never sent as code-page text, as for queue tickets) and an 80 mm PDF for browsers.

The queue ticket's ESC/POS job and transports (raw TCP port, spool file) and its PDF fonts
are reused as they are: one printer setup serves tickets and receipts."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from smarthis.billing.receipt import ReceiptRow
from smarthis.printing.escpos_ticket import PrinterUnavailable, _append_file, _job_bytes, _send_tcp
from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT, _register_fonts
from smarthis.printing.ticket import ticket_font

WIDTH_DOTS = 576  # 80 mm paper at 203 dpi
MARGIN = 16
_DOT = 80 * mm / WIDTH_DOTS


def _wrap(text: str, bold: bool, size: int, width: float) -> list[str]:
    font = ticket_font(bold, size)
    rows: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if font.getlength(trial) <= width or not current:
            current = trial
        else:
            rows.append(current)
            current = word
    rows.append(current)
    return rows


def _placed(rows: list[ReceiptRow]) -> tuple[list[tuple[ReceiptRow, str, float]], int]:
    """Each printed line with its baseline (dots from the top), and the paper's length."""
    placed: list[tuple[ReceiptRow, str, float]] = []
    y = float(MARGIN)
    for row in rows:
        right_room = ticket_font(row.bold, row.size).getlength(row.right) + 12 if row.right else 0
        for part in _wrap(row.left, row.bold, row.size, WIDTH_DOTS - 2 * MARGIN - right_room):
            y += row.size * 1.3
            placed.append((row, part, y))
            row = ReceiptRow(row.left, "", row.bold, row.size, row.centred)  # right once
        y += row.size * 0.15
    return placed, int(y + 3 * MARGIN)


def receipt_image(rows: list[ReceiptRow]) -> Image.Image:
    placed, height = _placed(rows)
    image = Image.new("L", (WIDTH_DOTS, height), 255)
    draw = ImageDraw.Draw(image)
    for row, text, baseline in placed:
        font = ticket_font(row.bold, row.size)
        if row.centred:
            draw.text((WIDTH_DOTS / 2, baseline), text, font=font, fill=0, anchor="ms")
        else:
            draw.text((MARGIN, baseline), text, font=font, fill=0, anchor="ls")
        if row.right:
            draw.text((WIDTH_DOTS - MARGIN, baseline), row.right, font=font, fill=0, anchor="rs")
    return image.point(lambda value: 255 if value >= 128 else 0, mode="1")


def receipt_escpos_bytes(rows: list[ReceiptRow]) -> bytes:
    return _job_bytes(receipt_image(rows))


def print_receipt(rows: list[ReceiptRow], target: str) -> None:
    """To `tcp://HOST:PORT` or `file:/path`, as queue tickets; PrinterUnavailable if not."""
    image = receipt_image(rows)
    if target.startswith("tcp://"):
        _send_tcp(image, target)
    elif target.startswith("file:"):
        _append_file(_job_bytes(image), target)
    else:
        raise PrinterUnavailable(f"Địa chỉ máy in không hợp lệ: {target!r}", target)


def receipt_pdf(rows: list[ReceiptRow], title: str) -> bytes:
    _register_fonts()
    placed, height = _placed(rows)
    page_height = height * _DOT
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(80 * mm, page_height), pageCompression=1)
    pdf.setTitle(title)
    pdf.setCreator("SmartHIS")
    for row, text, baseline in placed:
        pdf.setFont(BOLD_FONT if row.bold else REGULAR_FONT, row.size * _DOT)
        y = page_height - baseline * _DOT
        if row.centred:
            pdf.drawCentredString(40 * mm, y, text)
        else:
            pdf.drawString(MARGIN * _DOT, y, text)
        if row.right:
            pdf.drawRightString((WIDTH_DOTS - MARGIN) * _DOT, y, row.right)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
