"""The treatment sheet ("TỜ ĐIỀU TRỊ"), A4, in Vietnamese: the stay's progress notes in
time order, each with its S/O/A/P parts and the doctor who wrote it; signed in the
document registry like the discharge paper."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from sqlalchemy.orm import Session

from smarthis.clinical.papers import SEX_VI, Hospital
from smarthis.errors import Conflict
from smarthis.inpatient.models import Stay
from smarthis.inpatient.record import load_record
from smarthis.printing.flowing_page import FlowingPage
from smarthis.queueing.clock import HOSPITAL_TZ

PARTS_VI = (
    ("subjective", "S — Người bệnh kể: "),
    ("objective", "O — Khám: "),
    ("assessment", "A — Đánh giá: "),
    ("plan", "P — Xử trí, y lệnh: "),
)


def treatment_sheet_pdf(session: Session, stay: Stay, hospital: Hospital) -> bytes:
    """Callers check who may read the stay (the API audits)."""
    record = load_record(session, stay)
    if not record.progress_notes:
        raise Conflict(
            "treatment_sheet_empty",
            "Chưa có diễn biến nào để in tờ điều trị",
            "No progress note yet: nothing to print on the treatment sheet",
            field="stay_id",
        )
    patient = record.patient
    page = FlowingPage(A4, f"Tờ điều trị {stay.stay_number}", hospital)
    page.header(hospital, "TỜ ĐIỀU TRỊ", stay.stay_number)
    page.line("Họ và tên người bệnh: ", patient.full_name.upper())
    page.line(
        "Giới tính: ",
        f"{SEX_VI.get(patient.sex or '', '—')}      Mã người bệnh: {patient.mrn}",
    )
    bed = f", giường {record.bed.code}" if record.bed else ""
    page.line("Khoa: ", f"{record.ward.name}{bed}")
    page.line("Chẩn đoán: ", f"{stay.admission_icd_code} - {stay.admission_diagnosis}")
    for note in record.progress_notes:
        written = note.written_at.astimezone(HOSPITAL_TZ)
        doctor = record.staff_names.get(note.written_by, note.written_by)
        page.heading(f"{written:%H:%M ngày %d/%m/%Y} — {doctor}")
        for field, label in PARTS_VI:
            text = getattr(note, field)
            if text:
                page.line(label, text)
    page.room(120)
    last = record.progress_notes[-1]
    page.signature(last.written_at, "BÁC SĨ ĐIỀU TRỊ", record.staff_names.get(last.written_by, ""))
    return page.finish()
