"""The minutes of a consultation ("BIÊN BẢN HỘI CHẨN LIÊN VIỆN"), A4, in Vietnamese: the
patient, when and how it was held, who took part from which hospital, the question, the
case summary, the results shared, the conclusion and the treatment plan; signed by the
chair (and the secretary) in the document registry."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4

from smarthis.clinical.papers import SEX_VI, Hospital
from smarthis.consultations.service import ROLE_NAMES_VI, ConsultationView
from smarthis.printing.flowing_page import FlowingPage
from smarthis.queueing.clock import HOSPITAL_TZ


def minutes_pdf(view: ConsultationView, hospital: Hospital) -> bytes:
    c, patient = view.consultation, view.patient
    number = f"HC-{c.id:06d}"
    page = FlowingPage(A4, f"Biên bản hội chẩn {number}", hospital)
    page.header(hospital, "BIÊN BẢN HỘI CHẨN LIÊN VIỆN", number)
    when = c.scheduled_at.astimezone(HOSPITAL_TZ)
    page.line("Họ và tên người bệnh: ", patient.full_name.upper())
    birth = patient.date_of_birth.strftime("%d/%m/%Y") if patient.date_of_birth else "—"
    page.line("Ngày sinh: ", f"{birth}      Giới tính: {SEX_VI.get(patient.sex or '', '—')}")
    page.line("Mã người bệnh: ", patient.mrn)
    page.line("Thời gian: ", f"{when:%H:%M ngày %d/%m/%Y} — hình thức trực tuyến")
    page.line("Đường dẫn họp: ", c.video_link)
    page.heading("I. THÀNH PHẦN THAM GIA")
    for number_, p in enumerate(view.participants, start=1):
        title = f"{p.title} " if p.title else ""
        page.line(
            f"{number_}. ",
            f"{title}{p.doctor_name} — {p.hospital_name} ({p.hospital_code}) — "
            f"{ROLE_NAMES_VI[p.role]}",
        )
    page.heading("II. VẤN ĐỀ CẦN HỘI CHẨN")
    page.paragraph(c.question)
    page.heading("III. TÓM TẮT BỆNH ÁN")
    page.paragraph(c.case_summary)
    page.heading("IV. KẾT QUẢ CẬN LÂM SÀNG ĐÃ CHIA SẺ")
    if not view.shared:
        page.paragraph("Không có.")
    for number_, shared in enumerate(view.shared, start=1):
        page.line(f"{number_}. ", shared.service_name)
        for analyte, value, unit, flag in shared.values:
            marker = "" if flag == "normal" else f" ({flag})"
            page.paragraph(f"    {analyte}: {value} {unit}{marker}", size=9.5)
        if shared.conclusion:
            page.paragraph(f"    Kết luận: {shared.conclusion}", size=9.5)
        if shared.study_instance_uid:
            page.paragraph(
                f"    Hình ảnh: {shared.images} ảnh, study {shared.study_instance_uid}", 9
            )
    page.heading("V. KẾT LUẬN HỘI CHẨN")
    page.paragraph(c.conclusion or "—")
    page.heading("VI. HƯỚNG ĐIỀU TRỊ")
    page.paragraph(c.treatment_plan or "—")
    chair = next((p for p in view.participants if p.role == "chair"), None)
    moment = (c.held_at or c.scheduled_at).astimezone(HOSPITAL_TZ)
    page.signature(moment, "CHỦ TRÌ HỘI CHẨN", chair.doctor_name if chair else "")
    return page.finish()
