"""The outpatient visit record ("PHIẾU KHÁM BỆNH NGOẠI TRÚ"), A4, in Vietnamese: the
patient, reason for the visit, history, vital signs, examination notes, diagnoses with
their ICD-10 codes, the paraclinical orders with their verified results (unverified ones
are listed as pending, never with values), the prescription, the conclusion and the
doctor."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.pagesizes import A4

from smarthis.clinical.examination import CONCLUSION_NAMES_VI, VisitRecord
from smarthis.clinical.papers import SEX_VI, Hospital
from smarthis.clinical.timeline import lab_value_text, vitals_text
from smarthis.orders.service import ItemResults
from smarthis.pharmacy.prescription_pdf import age_text, drug_title
from smarthis.pharmacy.service import PrescriptionView
from smarthis.printing.flowing_page import FlowingPage
from smarthis.printing.pdf_ticket import REGULAR_FONT
from smarthis.queueing.clock import HOSPITAL_TZ


def _patient(page: FlowingPage, record: VisitRecord) -> None:
    patient, visit = record.patient, record.visit
    registered = visit.registered_at.astimezone(HOSPITAL_TZ)
    page.line("Họ và tên: ", patient.full_name.upper())
    birth = (
        patient.date_of_birth.strftime("%d/%m/%Y")
        if patient.date_of_birth
        else str(patient.birth_year or "—")
    )
    page.line(
        "Ngày sinh: ",
        f"{birth} ({age_text(patient, registered.date())})      "
        f"Giới tính: {SEX_VI.get(patient.sex or '', '—')}",
    )
    page.line("Địa chỉ: ", patient.address or "—")
    page.line("Mã người bệnh: ", f"{patient.mrn}      Mã lượt khám: {visit.visit_number}")
    insurance = f"Có — số thẻ {visit.bhyt_code}" if visit.uses_insurance else "Không (dịch vụ)"
    page.line("BHYT: ", insurance)
    page.line("Đến khám lúc: ", f"{registered:%H:%M ngày %d/%m/%Y}")


def _sub(page: FlowingPage, text: str) -> None:
    """A line under a numbered entry, indented."""
    page._wrap(text, page.margin + 16, REGULAR_FONT, 9.5)


def _results(page: FlowingPage, ordered: Sequence[ItemResults]) -> None:
    page.heading("IV. CẬN LÂM SÀNG")
    if not ordered:
        page.paragraph("Không chỉ định.")
        return
    for number, found in enumerate(ordered, start=1):
        item = found.item
        page.line(f"{number}. ", item.service_name)
        verified_lab = [r for r in found.lab_results if r.verified_at is not None]
        report = found.report if found.report and found.report.verified_at else None
        if verified_lab:
            for result in verified_lab:
                _sub(page, f"– {lab_value_text(result)}")
        elif report is not None:
            _sub(page, f"Kỹ thuật: {report.technique}")
            _sub(page, f"Mô tả: {report.findings}")
            _sub(page, f"Kết luận: {report.conclusion}")
        else:
            _sub(page, "Chưa có kết quả đã duyệt.")


def _prescription(page: FlowingPage, view: PrescriptionView | None) -> None:
    page.heading("VI. ĐƠN THUỐC")
    if view is None or not view.items:
        page.paragraph("Không kê đơn.")
        return
    if view.prescription.status != "issued":
        page.paragraph("(Bản nháp, chưa phát hành)", size=9)
    for number, item in enumerate(view.items, start=1):
        page.line(f"{number}. ", f"{drug_title(item)} — SL: {item.quantity} {item.unit}")
        _sub(page, item.instructions + (f" — dùng {item.days} ngày" if item.days else ""))


def visit_record_pdf(
    record: VisitRecord,
    results: Sequence[ItemResults],
    prescription: PrescriptionView | None,
    hospital: Hospital,
    doctor_name: str,
) -> bytes:
    exam = record.examination
    page = FlowingPage(A4, f"Phiếu khám bệnh {record.visit.visit_number}", hospital)
    page.header(hospital, "PHIẾU KHÁM BỆNH NGOẠI TRÚ", record.visit.visit_number)
    page.heading("I. HÀNH CHÍNH")
    _patient(page, record)
    page.heading("II. LÝ DO VÀO KHÁM VÀ BỆNH SỬ")
    page.line("Lý do khám: ", (exam.reason if exam else None) or "—")
    page.line("Bệnh sử: ", (exam.history if exam else None) or "—")
    page.heading("III. KHÁM BỆNH")
    if record.vitals:
        for vitals in record.vitals:
            at = vitals.measured_at.astimezone(HOSPITAL_TZ)
            page.line(f"Dấu hiệu sinh tồn ({at:%H:%M}): ", vitals_text(vitals))
    else:
        page.line("Dấu hiệu sinh tồn: ", "chưa đo")
    page.line("Khám lâm sàng: ", (exam.examination_notes if exam else None) or "—")
    _results(page, results)
    page.heading("V. CHẨN ĐOÁN")
    main = [d for d in record.diagnoses if d.is_main]
    secondary = [d for d in record.diagnoses if not d.is_main]
    page.line("Bệnh chính: ", "; ".join(f"{d.icd_code} - {d.name_vi}" for d in main) or "—")
    if secondary:
        page.line("Bệnh kèm theo: ", "; ".join(f"{d.icd_code} - {d.name_vi}" for d in secondary))
    _prescription(page, prescription)
    page.heading("VII. XỬ TRÍ")
    if exam is not None and exam.conclusion:
        page.line("Hướng xử trí: ", CONCLUSION_NAMES_VI[exam.conclusion])
        if exam.follow_up_date:
            page.line("Hẹn tái khám: ", exam.follow_up_date.strftime("%d/%m/%Y"))
        if exam.referral_to:
            page.line("Chuyển đến: ", exam.referral_to)
        if exam.advice:
            page.line("Lời dặn: ", exam.advice)
    else:
        page.paragraph("Chưa kết thúc khám.")
    page.room(100)
    moment = (exam.concluded_at or exam.started_at) if exam else record.visit.registered_at
    page.signature(moment, "BÁC SĨ KHÁM BỆNH", doctor_name)
    return page.finish()
