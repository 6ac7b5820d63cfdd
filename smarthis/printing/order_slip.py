"""The patient's order slip (phiếu chỉ dẫn): which rooms to visit, in which order, with the
number waiting in each. A5 portrait, Vietnamese, the bundled DejaVu font."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT, _register_fonts
from smarthis.queueing.clock import HOSPITAL_TZ


@dataclass
class SlipStop:
    room_name: str
    room_label: str
    floor: str | None
    display_number: str
    expected_wait_minutes: int
    services: list[str] = field(default_factory=list)


@dataclass
class OrderSlip:
    hospital_name: str
    masked_name: str
    mrn: str
    order_id: int
    ordered_by: str
    ordered_at: datetime
    stops: list[SlipStop]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if stringWidth(trial, font, size) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def order_slip_pdf(slip: OrderSlip) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    width, height = A5
    pdf = canvas.Canvas(buffer, pagesize=A5, pageCompression=1)
    pdf.setTitle(f"Phiếu chỉ dẫn {slip.order_id}")
    pdf.setAuthor(slip.hospital_name)
    pdf.setCreator("SmartHIS")
    left, right = 12 * mm, width - 12 * mm
    y = height - 14 * mm

    def line(text: str, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        nonlocal y
        font = BOLD_FONT if bold else REGULAR_FONT
        for part in _wrap(text, font, size, right - left - indent):
            if y < 14 * mm:
                pdf.showPage()
                y = height - 14 * mm
            pdf.setFont(font, size)
            pdf.drawString(left + indent, y, part)
            y -= size * 1.35

    pdf.setFont(REGULAR_FONT, 9)
    pdf.drawCentredString(width / 2, y, slip.hospital_name.upper())
    y -= 8 * mm
    pdf.setFont(BOLD_FONT, 15)
    pdf.drawCentredString(width / 2, y, "PHIẾU CHỈ DẪN LÀM CẬN LÂM SÀNG")
    y -= 8 * mm
    when = slip.ordered_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m/%Y")
    line(f"Người bệnh: {slip.masked_name} — Mã BN: {slip.mrn}")
    line(f"Phiếu chỉ định số {slip.order_id} — {when} — BS chỉ định: {slip.ordered_by}")
    y -= 2 * mm
    line("Xin đi lần lượt theo thứ tự dưới đây (đã sắp để chờ ít nhất):", 10, bold=True)
    y -= 1 * mm
    for index, stop in enumerate(slip.stops, start=1):
        pdf.setLineWidth(0.6)
        pdf.line(left, y + 3.5 * mm, right, y + 3.5 * mm)
        y -= 2 * mm
        where = f"Phòng {stop.room_label}" if stop.room_label else stop.room_name
        floor = f" — {stop.floor}" if stop.floor else ""
        line(f"{index}. {stop.room_name}", 12, bold=True)
        line(f"{where}{floor}", 11, indent=5 * mm)
        wait = (
            "không phải chờ"
            if stop.expected_wait_minutes == 0
            else f"chờ khoảng {stop.expected_wait_minutes} phút"
        )
        line(f"Số thứ tự: {stop.display_number}  ({wait})", 12, bold=True, indent=5 * mm)
        for service in stop.services:
            line(f"• {service}", 9, indent=8 * mm)
        y -= 2 * mm
    pdf.line(left, y + 3.5 * mm, right, y + 3.5 * mm)
    y -= 3 * mm
    line(
        "Số của Quý khách đã có sẵn trong hàng chờ từng phòng: không cần xếp hàng lại ở "
        "quầy tiếp đón. Theo dõi màn hình gọi số trước cửa phòng.",
        9,
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
