"""The barcode label stuck on a specimen tube: 50 x 25 mm, Code128 of the accession number
(what the analysers and the LIS scan), the masked patient name and the tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT, _register_fonts
from smarthis.queueing.clock import HOSPITAL_TZ

LABEL_SIZE = (50 * mm, 25 * mm)


@dataclass
class SpecimenLabel:
    accession_number: str
    masked_name: str
    birth_year: int | None
    sex: str | None
    specimen_type: str
    tests: list[str]  # short codes, e.g. XN-CBC
    collected_at: datetime


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def specimen_label_pdf(label: SpecimenLabel) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    width, height = LABEL_SIZE
    pdf = canvas.Canvas(buffer, pagesize=LABEL_SIZE, pageCompression=1)
    pdf.setTitle(f"Nhãn mẫu {label.accession_number}")
    pdf.setCreator("SmartHIS")
    margin = 2 * mm
    usable = width - 2 * margin
    sex = {"male": "Nam", "female": "Nữ"}.get(label.sex or "", "")
    born = f" {label.birth_year}" if label.birth_year else ""
    pdf.setFont(BOLD_FONT, 7)
    pdf.drawString(
        margin, height - 3.5 * mm, _fit(f"{label.masked_name}{born} {sex}", BOLD_FONT, 7, usable)
    )
    barcode = Code128(label.accession_number, barHeight=9 * mm, barWidth=0.3 * mm, quiet=False)
    scale = min(1.0, usable / barcode.width)
    pdf.saveState()
    pdf.translate(margin + (usable - barcode.width * scale) / 2, height - 13.5 * mm)
    pdf.scale(scale, 1)
    barcode.drawOn(pdf, 0, 0)
    pdf.restoreState()
    pdf.setFont(BOLD_FONT, 8)
    pdf.drawCentredString(width / 2, height - 16.8 * mm, label.accession_number)
    when = label.collected_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m")
    pdf.setFont(REGULAR_FONT, 6)
    pdf.drawString(
        margin, height - 19.8 * mm, _fit(f"{label.specimen_type} — {when}", REGULAR_FONT, 6, usable)
    )
    pdf.drawString(margin, height - 22.8 * mm, _fit(" ".join(label.tests), REGULAR_FONT, 6, usable))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
