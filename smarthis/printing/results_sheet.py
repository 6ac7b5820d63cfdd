"""The patient's copy of their verified results (phiếu trả kết quả), printed at the kiosk:
A4, Vietnamese, one table per lab service and each report's findings and conclusion."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT, _register_fonts
from smarthis.queueing.clock import HOSPITAL_TZ

FLAG_MARKS = {
    "low": "↓ Thấp",
    "high": "↑ Cao",
    "critical_low": "↓↓ Rất thấp",
    "critical_high": "↑↑ Rất cao",
    "normal": "",
    "none": "",
}


@dataclass
class SheetValue:
    name: str
    value: str
    unit: str
    range_text: str
    flag: str


@dataclass
class SheetItem:
    service_name: str
    verified_at: datetime | None
    values: list[SheetValue] = field(default_factory=list)
    findings: str | None = None
    conclusion: str | None = None


@dataclass
class ResultsSheet:
    hospital_name: str
    masked_name: str
    printed_at: datetime
    items: list[SheetItem]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if stringWidth(trial, font, size) <= width or not current:
                current = trial
            else:
                out.append(current)
                current = word
        out.append(current)
    return out


def _clip(text: str, font: str, size: float, width: float) -> str:
    while text and stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


def results_sheet_pdf(sheet: ResultsSheet) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle("Phiếu trả kết quả")
    pdf.setCreator("SmartHIS")
    left, right = 18 * mm, width - 18 * mm
    columns = (left, left + 78 * mm, left + 100 * mm, left + 118 * mm, left + 152 * mm)
    y = height - 18 * mm

    def room(needed: float) -> None:
        nonlocal y
        if y - needed < 18 * mm:
            pdf.showPage()
            y = height - 18 * mm

    def text(value: str, size: float = 10, bold: bool = False, x: float = left) -> None:
        nonlocal y
        font = BOLD_FONT if bold else REGULAR_FONT
        for part in _wrap(value, font, size, right - x):
            room(size * 1.4)
            pdf.setFont(font, size)
            pdf.drawString(x, y, part)
            y -= size * 1.4

    pdf.setFont(REGULAR_FONT, 9)
    pdf.drawCentredString(width / 2, y, sheet.hospital_name.upper())
    y -= 9 * mm
    pdf.setFont(BOLD_FONT, 15)
    pdf.drawCentredString(width / 2, y, "PHIẾU TRẢ KẾT QUẢ CẬN LÂM SÀNG")
    y -= 9 * mm
    printed = sheet.printed_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m/%Y")
    text(f"Người bệnh: {sheet.masked_name} — In lúc: {printed}")
    y -= 2 * mm
    if not sheet.items:
        text("Chưa có kết quả nào đã được duyệt.", 11, bold=True)
    for item in sheet.items:
        room(30 * mm)
        y -= 2 * mm
        text(item.service_name, 11, bold=True)
        if item.verified_at is not None:
            verified = item.verified_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m/%Y")
            text(f"Đã duyệt: {verified}", 8)
            y -= 1.5 * mm
        if item.values:
            pdf.setFont(BOLD_FONT, 9)
            titles = ("Chỉ số", "Kết quả", "Đơn vị", "Tham chiếu", "Đánh giá")
            for x, title in zip(columns, titles, strict=True):
                pdf.drawString(x, y, title)
            y -= 1.5 * mm
            pdf.setLineWidth(0.4)
            pdf.line(left, y, right, y)
            y -= 4 * mm
            for value in item.values:
                room(6 * mm)
                abnormal = value.flag not in ("normal", "none")
                cells = (
                    value.name,
                    value.value,
                    value.unit,
                    value.range_text,
                    FLAG_MARKS.get(value.flag, ""),
                )
                limits = (*columns[1:], right)
                for index, (x, cell, limit) in enumerate(zip(columns, cells, limits, strict=True)):
                    font = BOLD_FONT if abnormal and index in (1, 4) else REGULAR_FONT
                    pdf.setFont(font, 9)
                    pdf.drawString(x, y, _clip(cell, font, 9, limit - x - 2 * mm))
                y -= 5 * mm
        if item.findings:
            text("Mô tả:", 9, bold=True)
            text(item.findings, 9, x=left + 4 * mm)
        if item.conclusion:
            text("Kết luận:", 9, bold=True)
            text(item.conclusion, 10, bold=True, x=left + 4 * mm)
    y -= 4 * mm
    text(
        "Phiếu này chỉ in các kết quả đã được duyệt. Xin mang phiếu khi quay lại gặp bác sĩ "
        "khám để được giải thích kết quả.",
        8,
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
