"""The discharge paper ("GIẤY RA VIỆN"), A4, in Vietnamese, after
the usual form (Thông tư 56/2017/TT-BYT appendix): the hospital, the patient, admission
and discharge times, the diagnosis with its ICD-10 code, the treatment summary, the advice
and the doctor. The signature is left blank for the signing service to fill in."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from sqlalchemy.orm import Session

from smarthis.clinical.papers import SEX_VI, Hospital
from smarthis.config import get_settings
from smarthis.db import MAX_ID
from smarthis.errors import Conflict, NotFound
from smarthis.inpatient.models import Stay
from smarthis.inpatient.record import StayRecord, load_record
from smarthis.inpatient.service import DISCHARGE_KINDS_VI
from smarthis.pharmacy.prescription_pdf import age_text
from smarthis.printing.flowing_page import FlowingPage
from smarthis.queueing.clock import HOSPITAL_TZ

ID_KINDS_VI = {"cccd": "CCCD", "passport": "Hộ chiếu", "birth_certificate": "Giấy khai sinh"}


def _identity(record: StayRecord) -> str:
    for kind in ("cccd", "passport", "birth_certificate"):
        for ident in record.identifiers:
            if ident.kind == kind:
                return f"{ID_KINDS_VI[kind]} {ident.value.split(':', 1)[-1]}"
    return "—"


def _write(page: FlowingPage, record: StayRecord) -> None:
    stay, patient = record.stay, record.patient
    assert stay.discharged_at is not None
    admitted = stay.admitted_at.astimezone(HOSPITAL_TZ)
    discharged = stay.discharged_at.astimezone(HOSPITAL_TZ)
    page.line("Họ và tên người bệnh: ", patient.full_name.upper())
    birth = (
        patient.date_of_birth.strftime("%d/%m/%Y")
        if patient.date_of_birth
        else str(patient.birth_year or "—")
    )
    page.line(
        "Ngày sinh: ",
        f"{birth} ({age_text(patient, admitted.date())})      "
        f"Giới tính: {SEX_VI.get(patient.sex or '', '—')}",
    )
    page.line("Giấy tờ tùy thân: ", _identity(record))
    page.line("Mã người bệnh: ", f"{patient.mrn}      Số vào viện: {stay.stay_number}")
    page.line("Thẻ BHYT: ", patient.bhyt_code or "Không")
    page.line("Địa chỉ: ", patient.address or "—")
    bed = f", giường {record.bed.code} ({record.bed.room})" if record.bed else ""
    page.line("Khoa điều trị: ", f"{record.ward.name}{bed}")
    page.line("Vào viện lúc: ", f"{admitted:%H giờ %M phút, ngày %d/%m/%Y}")
    page.line("Ra viện lúc: ", f"{discharged:%H giờ %M phút, ngày %d/%m/%Y}")
    page.line(
        "Chẩn đoán: ",
        f"{stay.discharge_icd_code} - {stay.discharge_diagnosis}"
        if stay.discharge_icd_code
        else "—",
    )
    page.line("Hình thức ra viện: ", DISCHARGE_KINDS_VI.get(stay.discharge_kind or "", "—"))
    page.line("Phương pháp điều trị: ", stay.discharge_summary or "—")
    page.line("Lời dặn, ghi chú: ", stay.discharge_advice or "—")


def discharge_paper_pdf(session: Session, stay_id: int, hospital: Hospital | None = None) -> bytes:
    """The paper of a discharged stay. Callers check who may read it (the API audits)."""
    stay = session.get(Stay, stay_id) if 1 <= stay_id <= MAX_ID else None
    if stay is None:
        raise NotFound(
            "stay_not_found",
            f"Không có đợt điều trị nội trú số {stay_id}",
            f"No inpatient stay {stay_id}",
            field="stay_id",
        )
    if stay.status != "discharged" or stay.discharged_at is None:
        raise Conflict(
            "stay_not_discharged",
            "Người bệnh chưa ra viện: chưa có giấy ra viện",
            "The patient has not been discharged yet",
            field="stay_id",
        )
    if hospital is None:
        settings = get_settings()
        hospital = Hospital(name=settings.facility_name, code=stay.facility_code)
    record = load_record(session, stay)
    page = FlowingPage(A4, f"Giấy ra viện {stay.stay_number}", hospital)
    page.header(hospital, "GIẤY RA VIỆN", stay.stay_number)
    _write(page, record)
    page.room(120)
    doctor = record.staff_names.get(stay.discharged_by or "", stay.discharged_by or "")
    page.signature(stay.discharged_at, "BÁC SĨ ĐIỀU TRỊ", doctor)
    return page.finish()
