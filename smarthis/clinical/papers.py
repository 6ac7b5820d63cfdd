"""Papers the patient takes home after the examination, as A5/A4 PDFs in Vietnamese:
the follow-up appointment slip (giấy hẹn tái khám) and the referral paper (giấy chuyển
tuyến). The layouts follow the usual forms; the Ministry's official referral form
(Thông tư 14/2014/TT-BYT appendix) has more fields than an outpatient visit records yet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from smarthis.clinical.examination import VisitRecord
from smarthis.errors import Conflict
from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT, _register_fonts
from smarthis.queueing.clock import HOSPITAL_TZ

SEX_VI = {"male": "Nam", "female": "Nữ"}


@dataclass(frozen=True)
class Hospital:
    name: str
    code: str


def _date_vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _long_date_vi(moment: datetime) -> str:
    local = moment.astimezone(HOSPITAL_TZ)
    return f"Ngày {local.day:02d} tháng {local.month:02d} năm {local.year}"


def _birth(record: VisitRecord) -> str:
    patient = record.patient
    if patient.date_of_birth:
        return _date_vi(patient.date_of_birth)
    return str(patient.birth_year) if patient.birth_year else "—"


class _Page:
    """A page written top to bottom, wrapping long text at the margins."""

    def __init__(self, size: tuple[float, float], title: str, hospital: Hospital) -> None:
        _register_fonts()
        self.buffer = io.BytesIO()
        self.width, self.height = size
        self.pdf = canvas.Canvas(self.buffer, pagesize=size, pageCompression=1)
        self.pdf.setTitle(title)
        self.pdf.setAuthor(hospital.name)
        self.pdf.setCreator("SmartHIS")
        self.margin = 14 * mm if size == A5 else 20 * mm
        self.y = self.height - self.margin

    def header(self, hospital: Hospital, title: str, number: str) -> None:
        pdf, left, right = self.pdf, self.margin, self.width - self.margin
        pdf.setFont(BOLD_FONT, 9)
        pdf.drawString(left, self.y, "SỞ Y TẾ")
        pdf.drawRightString(right, self.y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        self.y -= 12
        pdf.setFont(BOLD_FONT, 9)
        pdf.drawString(left, self.y, hospital.name.upper()[:48])
        pdf.drawRightString(right, self.y, "Độc lập - Tự do - Hạnh phúc")
        self.y -= 12
        pdf.setFont(REGULAR_FONT, 8)
        pdf.drawString(left, self.y, f"Mã cơ sở KCB: {hospital.code}   Số: {number}")
        self.y -= 26
        pdf.setFont(BOLD_FONT, 15)
        pdf.drawCentredString(self.width / 2, self.y, title)
        self.y -= 22

    def line(self, label: str, value: str, size: float = 10) -> None:
        pdf = self.pdf
        pdf.setFont(BOLD_FONT, size)
        pdf.drawString(self.margin, self.y, label)
        indent = self.margin + stringWidth(label, BOLD_FONT, size) + 4
        self._wrap(value, indent, REGULAR_FONT, size)

    def paragraph(self, text: str, size: float = 10, bold: bool = False) -> None:
        self._wrap(text, self.margin, BOLD_FONT if bold else REGULAR_FONT, size)

    def _wrap(self, text: str, start: float, font: str, size: float) -> None:
        right = self.width - self.margin
        x = start
        self.pdf.setFont(font, size)
        for paragraph in (text or "").split("\n"):
            words = paragraph.split()
            current = ""
            for word in words:
                trial = f"{current} {word}".strip()
                if stringWidth(trial, font, size) > right - x and current:
                    self.pdf.drawString(x, self.y, current)
                    self.y -= size * 1.45
                    x = self.margin
                    current = word
                else:
                    current = trial
            self.pdf.drawString(x, self.y, current)
            self.y -= size * 1.45
            x = self.margin

    def gap(self, points: float = 6) -> None:
        self.y -= points

    def signature(self, moment: datetime, role: str, name: str) -> None:
        pdf, centre = self.pdf, self.width - self.margin - 45 * mm
        self.gap(8)
        pdf.setFont(REGULAR_FONT, 9)
        pdf.drawCentredString(centre, self.y, _long_date_vi(moment))
        self.y -= 13
        pdf.setFont(BOLD_FONT, 10)
        pdf.drawCentredString(centre, self.y, role)
        self.y -= 12
        pdf.setFont(REGULAR_FONT, 8)
        pdf.drawCentredString(centre, self.y, "(Ký, ghi rõ họ tên)")
        self.y -= 40
        pdf.setFont(BOLD_FONT, 10)
        pdf.drawCentredString(centre, self.y, name)

    def finish(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def _patient_lines(page: _Page, record: VisitRecord) -> None:
    patient = record.patient
    page.line("Họ và tên: ", patient.full_name.upper())
    page.line(
        "Ngày sinh: ",
        f"{_birth(record)}      Giới tính: {SEX_VI.get(patient.sex or '', '—')}",
    )
    page.line("Mã người bệnh: ", f"{patient.mrn}      Mã lượt khám: {record.visit.visit_number}")
    if record.visit.bhyt_code:
        page.line("Số thẻ BHYT: ", record.visit.bhyt_code)


def _diagnosis_text(record: VisitRecord) -> Sequence[str]:
    return [
        f"{d.icd_code} - {d.name_vi}" + ("" if d.is_main else " (kèm theo)")
        for d in record.diagnoses
    ]


def follow_up_slip_pdf(record: VisitRecord, hospital: Hospital) -> bytes:
    exam = record.examination
    if exam is None or exam.conclusion != "follow_up" or exam.follow_up_date is None:
        raise Conflict(
            "no_follow_up",
            "Lượt khám không có hẹn tái khám",
            "This visit has no follow-up appointment",
            field="visit_id",
        )
    page = _Page(A5, f"Giấy hẹn tái khám {record.visit.visit_number}", hospital)
    page.header(hospital, "GIẤY HẸN KHÁM LẠI", record.visit.visit_number)
    _patient_lines(page, record)
    page.gap()
    page.line("Chẩn đoán: ", "; ".join(_diagnosis_text(record)))
    page.gap()
    page.pdf.setFont(BOLD_FONT, 12)
    page.pdf.drawString(
        page.margin, page.y, f"Hẹn khám lại vào ngày: {_date_vi(exam.follow_up_date)}"
    )
    page.y -= 18
    if exam.advice:
        page.line("Lời dặn: ", exam.advice)
    page.paragraph(
        "Khi đến khám lại, xin mang theo giấy hẹn này, thẻ BHYT và CCCD (hoặc VNeID). "
        "Giấy hẹn có giá trị trong thời hạn thẻ BHYT còn giá trị sử dụng.",
        size=8.5,
    )
    assert exam.concluded_at is not None
    page.signature(exam.concluded_at, "BÁC SĨ KHÁM BỆNH", record.concluded_by_name or "")
    return page.finish()


def referral_paper_pdf(record: VisitRecord, hospital: Hospital) -> bytes:
    exam = record.examination
    if exam is None or exam.conclusion != "referral" or not exam.referral_to:
        raise Conflict(
            "no_referral",
            "Lượt khám không có chỉ định chuyển tuyến",
            "This visit was not concluded with a referral",
            field="visit_id",
        )
    page = _Page(A4, f"Giấy chuyển tuyến {record.visit.visit_number}", hospital)
    page.header(hospital, "GIẤY CHUYỂN TUYẾN KHÁM BỆNH, CHỮA BỆNH", record.visit.visit_number)
    page.line("Kính gửi: ", exam.referral_to)
    page.gap()
    page.paragraph(f"{hospital.name} trân trọng giới thiệu người bệnh:")
    _patient_lines(page, record)
    page.line("Địa chỉ: ", record.patient.address or "—")
    page.gap()
    page.paragraph("Đã được khám bệnh tại: " + hospital.name)
    arrived = record.visit.registered_at.astimezone(HOSPITAL_TZ)
    page.line("Từ ngày: ", f"{arrived:%d/%m/%Y %H:%M}")
    page.gap()
    page.paragraph("TÓM TẮT BỆNH ÁN", bold=True)
    page.line("Lý do khám: ", exam.reason or "—")
    page.line("Bệnh sử: ", exam.history or "—")
    page.line("Khám bệnh: ", exam.examination_notes or "—")
    if record.vitals:
        vitals = record.vitals[-1]
        parts = []
        if vitals.pulse is not None:
            parts.append(f"Mạch {vitals.pulse} lần/phút")
        if vitals.temperature_c is not None:
            parts.append(f"Nhiệt độ {vitals.temperature_c:g} °C")
        if vitals.systolic is not None:
            parts.append(f"Huyết áp {vitals.systolic}/{vitals.diastolic} mmHg")
        if vitals.spo2 is not None:
            parts.append(f"SpO2 {vitals.spo2}%")
        if vitals.bmi is not None:
            parts.append(f"BMI {vitals.bmi:g}")
        page.line("Dấu hiệu sinh tồn: ", ", ".join(parts) or "—")
    page.line("Chẩn đoán: ", "; ".join(_diagnosis_text(record)))
    page.line("Lý do chuyển tuyến: ", exam.referral_reason or "—")
    if exam.advice:
        page.line("Hướng điều trị / lời dặn: ", exam.advice)
    assert exam.concluded_at is not None
    page.signature(exam.concluded_at, "BÁC SĨ ĐIỀU TRỊ", record.concluded_by_name or "")
    return page.finish()
