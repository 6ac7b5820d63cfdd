"""The printed outpatient prescription ("ĐƠN THUỐC"), A5, in Vietnamese.

Laid out like the ordinary prescription form of Thông tư 52/2017/TT-BYT (amended by
26/2025/TT-BYT): facility, patient (name, age — in months with a parent's name under
72 months —, sex, address, BHYT card), diagnosis with its ICD-10 code, numbered drugs by
active ingredient and strength with the brand in brackets, quantity and unit, how to take
each, the doctor's advice, the date and the doctor's signature."""

from __future__ import annotations

from datetime import date

from reportlab.lib.pagesizes import A5
from reportlab.pdfbase.pdfmetrics import stringWidth

from smarthis.clinical.examination import VisitRecord
from smarthis.clinical.papers import SEX_VI, Hospital
from smarthis.patients.models import Patient
from smarthis.pharmacy.models import PrescriptionItem
from smarthis.pharmacy.service import PrescriptionView, diagnosis_text
from smarthis.printing.flowing_page import FlowingPage
from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT
from smarthis.queueing.clock import HOSPITAL_TZ

FOOTNOTE = "Khám lại xin mang theo đơn này."


def age_text(patient: Patient, on: date) -> str:
    """Years; months for a child under 72 months, as the form asks."""
    birth = patient.date_of_birth
    if birth is None:
        return f"{on.year - patient.birth_year} tuổi" if patient.birth_year else "—"
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    if months < 72:
        return f"{max(months, 0)} tháng tuổi"
    return f"{months // 12} tuổi"


def drug_title(item: PrescriptionItem) -> str:
    brand = f" ({item.brand_name})" if item.brand_name else ""
    return f"{item.active_ingredient} {item.strength}{brand}"


def _header(page: FlowingPage, hospital: Hospital, number: str) -> None:
    pdf, left, right = page.pdf, page.margin, page.width - page.margin
    pdf.setFont(REGULAR_FONT, 8)
    pdf.drawString(left, page.y, "SỞ Y TẾ")
    pdf.drawRightString(right, page.y, f"Mã cơ sở KCB: {hospital.code}")
    page.y -= 11
    pdf.setFont(BOLD_FONT, 8.5)
    pdf.drawString(left, page.y, hospital.name.upper()[:60])
    pdf.setFont(REGULAR_FONT, 8)
    pdf.drawRightString(right, page.y, f"Số: {number}")
    page.y -= 24
    pdf.setFont(BOLD_FONT, 16)
    pdf.drawCentredString(page.width / 2, page.y, "ĐƠN THUỐC")
    page.y -= 20


def _title_lines(title: str, width: float, size: float) -> list[str]:
    lines, current = [], ""
    for word in title.split():
        trial = f"{current} {word}".strip()
        if current and stringWidth(trial, BOLD_FONT, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current]


def _item(page: FlowingPage, number: int, item: PrescriptionItem) -> None:
    """ "1. Ingredient strength (Brand)" wrapped left, "SL: 20 viên" on the right of its
    first line, then how to take it."""
    pdf, size = page.pdf, 9.5
    page.room(size * 4.5)
    quantity = f"SL: {item.quantity} {item.unit}"
    label = f"{number}. "
    indent = page.margin + stringWidth(label, BOLD_FONT, size)
    right = page.width - page.margin
    pdf.setFont(BOLD_FONT, size)
    pdf.drawString(page.margin, page.y, label)
    pdf.drawRightString(right, page.y, quantity)
    width = right - indent - stringWidth(quantity, BOLD_FONT, size) - 10
    for line in _title_lines(drug_title(item), width, size):
        page.room(size * 1.4)
        pdf.setFont(BOLD_FONT, size)
        pdf.drawString(indent, page.y, line)
        page.y -= size * 1.4
    days = f" — dùng {item.days} ngày" if item.days else ""
    page._wrap(f"{item.instructions}{days}", indent, REGULAR_FONT, 9)
    page.gap(2)


def prescription_pdf(
    record: VisitRecord, view: PrescriptionView, hospital: Hospital, doctor_name: str
) -> bytes:
    prescription = view.prescription
    patient = record.patient
    moment = prescription.issued_at or prescription.prescribed_at
    day = moment.astimezone(HOSPITAL_TZ).date()
    page = FlowingPage(A5, f"Đơn thuốc {record.visit.visit_number}", hospital)
    _header(page, hospital, record.visit.visit_number)
    if prescription.status != "issued":
        page.pdf.setFont(BOLD_FONT, 9)
        page.pdf.drawCentredString(page.width / 2, page.y + 6, "(BẢN NHÁP — CHƯA PHÁT HÀNH)")
        page.gap(8)
    page.line("Họ tên: ", patient.full_name.upper(), size=9.5)
    age = age_text(patient, day)
    sex = SEX_VI.get(patient.sex or "", "—")
    page.line("Tuổi: ", f"{age.removesuffix(' tuổi')}      Giới tính: {sex}", size=9.5)
    if age.endswith("tháng tuổi") and patient.guardian_name:
        page.line("Họ tên bố/mẹ hoặc người giám hộ: ", patient.guardian_name, size=9.5)
    page.line("Địa chỉ: ", patient.address or "—", size=9.5)
    page.line("Số thẻ BHYT: ", record.visit.bhyt_code or patient.bhyt_code or "—", size=9.5)
    page.line(
        "Chẩn đoán: ",
        prescription.diagnosis_text or diagnosis_text(record.diagnoses) or "—",
        size=9.5,
    )
    page.heading("Thuốc điều trị:")
    for number, item in enumerate(view.items, start=1):
        _item(page, number, item)
    page.gap(2)
    page.line("Cộng khoản: ", f"{len(view.items)} loại thuốc", size=9)
    advice = [prescription.advice, record.examination.advice if record.examination else None]
    advice = [a for n, a in enumerate(advice) if a and a not in advice[:n]]
    page.line("Lời dặn: ", ". ".join(advice) or "—", size=9.5)
    exam = record.examination
    if exam is not None and exam.follow_up_date is not None:
        page.line("Hẹn tái khám: ", exam.follow_up_date.strftime("%d/%m/%Y"), size=9.5)
    page.room(100)
    page.signature(moment, "BÁC SĨ KHÁM BỆNH", doctor_name)
    page.y -= 16
    page.pdf.setFont(REGULAR_FONT, 7.5)
    page.pdf.drawString(page.margin, max(page.y, page.margin / 2 + 10), FOOTNOTE)
    return page.finish()
