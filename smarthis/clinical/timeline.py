"""The patient's electronic medical record as a timeline: every visit, and inside each
visit every step in time order — registration, queue calls, examination, vital signs,
diagnoses, orders, specimens, results and reports, the prescription and the conclusion.

Results verified by a second person are shown as results; results entered but not yet
verified, and services still waiting for a result, are shown and marked pending. The
timeline is for staff with RESULT_READ (it carries result values); the read is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.catalogs.lab import lab_analytes
from smarthis.clinical.examination import CONCLUSION_NAMES_VI
from smarthis.clinical.examination_models import Examination, VisitDiagnosis, VitalSigns
from smarthis.clinical.models import Visit
from smarthis.orders import service as orders
from smarthis.orders.models import LabResult, Order, OrderItem, Report, Specimen
from smarthis.patients.models import Patient
from smarthis.patients.service import find_patient
from smarthis.pharmacy import service as pharmacy
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.queueing.models import QueueEvent, ServicePoint, Ticket
from smarthis.security import audit
from smarthis.security.principal import Principal

FLAG_VI = {
    "low": "thấp",
    "high": "cao",
    "critical_low": "rất thấp — nguy hiểm",
    "critical_high": "rất cao — nguy hiểm",
}
UNVERIFIED = " (chưa duyệt)"
# Same instant (one transaction): the order the visit happens in.
KIND_ORDER = {
    kind: rank
    for rank, kind in enumerate(
        (
            "registered",
            "called",
            "examination_started",
            "vital_signs",
            "diagnosis",
            "order",
            "specimen",
            "result",
            "report",
            "prescription",
            "concluded",
        )
    )
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    title_vi: str
    detail: str
    visit_id: int
    pending: bool = False


@dataclass
class VisitTimeline:
    visit: Visit
    entries: list[TimelineEntry] = field(default_factory=list)


@dataclass
class PatientTimeline:
    patient: Patient
    visits: list[VisitTimeline]

    @property
    def entries(self) -> list[TimelineEntry]:
        return [entry for visit in self.visits for entry in visit.entries]


def vitals_text(v: VitalSigns) -> str:
    parts = []
    if v.pulse is not None:
        parts.append(f"Mạch {v.pulse} lần/phút")
    if v.temperature_c is not None:
        parts.append(f"Nhiệt độ {v.temperature_c:g} °C")
    if v.systolic is not None:
        parts.append(f"Huyết áp {v.systolic}/{v.diastolic} mmHg")
    if v.respiratory_rate is not None:
        parts.append(f"Nhịp thở {v.respiratory_rate} lần/phút")
    if v.spo2 is not None:
        parts.append(f"SpO2 {v.spo2}%")
    if v.height_cm is not None:
        parts.append(f"Chiều cao {v.height_cm:g} cm")
    if v.weight_kg is not None:
        parts.append(f"Cân nặng {v.weight_kg:g} kg")
    if v.bmi is not None:
        parts.append(f"BMI {v.bmi:g}")
    return ", ".join(parts)


def lab_value_text(result: LabResult) -> str:
    analyte = lab_analytes().get(result.analyte_code)
    name = analyte.name_vi if analyte else result.analyte_code
    unit = f" {result.unit}" if result.unit else ""
    flag = FLAG_VI.get(result.flag)
    return f"{name}: {result.value_text}{unit}" + (f" ({flag})" if flag else "")


def _calls(session: Session, visit: Visit) -> list[TimelineEntry]:
    rows = session.execute(
        select(QueueEvent.at, QueueEvent.kind, Ticket.display_number, ServicePoint.name)
        .join(Ticket, Ticket.id == QueueEvent.ticket_id)
        .join(
            ServicePoint,
            (ServicePoint.code == QueueEvent.service_point_code)
            & (ServicePoint.facility_code == QueueEvent.facility_code),
        )
        .where(Ticket.visit_id == visit.id, QueueEvent.kind.in_(("called", "recalled")))
        .order_by(QueueEvent.id)
    ).all()
    return [
        TimelineEntry(
            at,
            "called",
            f"{'Gọi lại' if kind == 'recalled' else 'Gọi'} số {number}",
            point,
            visit.id,
        )
        for at, kind, number, point in rows
    ]


def _examination(session: Session, visit: Visit) -> list[TimelineEntry]:
    exam = session.execute(
        select(Examination).where(Examination.visit_id == visit.id)
    ).scalar_one_or_none()
    if exam is None:
        return []
    reason = f"Lý do khám: {exam.reason}" if exam.reason else ""
    entries = [
        TimelineEntry(exam.started_at, "examination_started", "Bắt đầu khám", reason, visit.id)
    ]
    if exam.concluded_at is not None and exam.conclusion:
        detail = []
        if exam.follow_up_date:
            detail.append(f"Hẹn tái khám ngày {exam.follow_up_date:%d/%m/%Y}")
        if exam.referral_to:
            detail.append(f"Chuyển đến: {exam.referral_to}")
        if exam.advice:
            detail.append(f"Lời dặn: {exam.advice}")
        entries.append(
            TimelineEntry(
                exam.concluded_at,
                "concluded",
                f"Kết thúc khám: {CONCLUSION_NAMES_VI[exam.conclusion]}",
                "; ".join(detail),
                visit.id,
            )
        )
    return entries


def _vitals_and_diagnoses(session: Session, visit: Visit) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(v.measured_at, "vital_signs", "Dấu hiệu sinh tồn", vitals_text(v), visit.id)
        for v in session.execute(select(VitalSigns).where(VitalSigns.visit_id == visit.id))
        .scalars()
        .all()
    ]
    for d in session.execute(
        select(VisitDiagnosis)
        .where(VisitDiagnosis.visit_id == visit.id)
        .order_by(VisitDiagnosis.position)
    ).scalars():
        role = "Chẩn đoán chính" if d.is_main else "Chẩn đoán kèm theo"
        entries.append(
            TimelineEntry(d.added_at, "diagnosis", f"{role}: {d.icd_code}", d.name_vi, visit.id)
        )
    return entries


def _item_results(item: OrderItem, results: list[LabResult], report: Report | None):
    """The result entry of one ordered service: verified, entered (pending), or waiting."""
    if results:
        verified = all(r.verified_at is not None for r in results)
        at = max((r.verified_at if verified else r.entered_at) for r in results)  # type: ignore[type-var]
        title = f"Kết quả xét nghiệm: {item.service_name}" + ("" if verified else UNVERIFIED)
        detail = "; ".join(lab_value_text(r) for r in results)
        return "result", at, title, detail, not verified
    if report is not None:
        verified = report.verified_at is not None
        at = report.verified_at if verified else report.entered_at
        title = f"Kết quả {item.service_name}" + ("" if verified else UNVERIFIED)
        return "report", at, title, f"Kết luận: {report.conclusion}", not verified
    if item.status == "cancelled":
        return None
    kind = "result" if item.kind == orders.LAB_KIND else "report"
    title = f"Chờ kết quả: {item.service_name}"
    return kind, item.status_changed_at, title, "Chưa có kết quả", True


def _orders(session: Session, visit: Visit) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    visit_orders = session.execute(
        select(Order).where(Order.visit_id == visit.id).order_by(Order.id)
    ).scalars()
    for order in visit_orders:
        items = orders.items_of(session, order.id)
        entries.append(
            TimelineEntry(
                order.ordered_at,
                "order",
                f"Chỉ định cận lâm sàng ({len(items)} dịch vụ)",
                "; ".join(i.service_name for i in items),
                visit.id,
            )
        )
        for specimen in session.execute(
            select(Specimen).where(Specimen.order_id == order.id).order_by(Specimen.id)
        ).scalars():
            entries.append(
                TimelineEntry(
                    specimen.collected_at,
                    "specimen",
                    f"Lấy mẫu xét nghiệm: {specimen.specimen_type}",
                    f"Mã mẫu {specimen.accession_number}",
                    visit.id,
                )
            )
        for item in items:
            found = _item_results(
                item,
                orders.current_results(session, item.id),
                orders.current_report(session, item.id),
            )
            if found is not None:
                kind, at, title, detail, pending = found
                entries.append(TimelineEntry(at, kind, title, detail, visit.id, pending))
    return entries


def _prescription(view: pharmacy.PrescriptionView | None, visit: Visit) -> list[TimelineEntry]:
    if view is None:
        return []
    p = view.prescription
    issued = p.status == "issued"
    drugs = "; ".join(
        f"{i.active_ingredient} {i.strength} × {i.quantity} {i.unit}" for i in view.items
    )
    title = "Đơn thuốc" if issued else "Đơn thuốc (bản nháp, chưa phát hành)"
    return [
        TimelineEntry(
            p.issued_at or p.prescribed_at, "prescription", title, drugs, visit.id, not issued
        )
    ]


def _registration(visit: Visit) -> TimelineEntry:
    payer = f"BHYT {visit.bhyt_code}" if visit.uses_insurance and visit.bhyt_code else "Dịch vụ"
    local = visit.registered_at.astimezone(HOSPITAL_TZ)
    return TimelineEntry(
        visit.registered_at,
        "registered",
        f"Đăng ký khám — lượt {visit.visit_number}",
        f"{payer}; lúc {local:%H:%M %d/%m/%Y}",
        visit.id,
    )


def visit_entries(
    session: Session, visit: Visit, prescription: pharmacy.PrescriptionView | None
) -> list[TimelineEntry]:
    entries = [_registration(visit)]
    entries += _calls(session, visit)
    entries += _examination(session, visit)
    entries += _vitals_and_diagnoses(session, visit)
    entries += _orders(session, visit)
    entries += _prescription(prescription, visit)
    return sorted(entries, key=lambda e: (e.at, KIND_ORDER[e.kind]))


def patient_timeline(session: Session, actor: Principal, patient_id: int) -> PatientTimeline:
    patient = find_patient(session, actor, patient_id)
    visits = list(
        session.execute(
            select(Visit)
            .where(Visit.facility_code == actor.facility_code, Visit.patient_id == patient.id)
            .order_by(Visit.registered_at, Visit.id)
        ).scalars()
    )
    prescriptions = pharmacy.prescriptions_for_visits(session, [v.id for v in visits])
    timeline = PatientTimeline(
        patient,
        [VisitTimeline(v, visit_entries(session, v, prescriptions.get(v.id))) for v in visits],
    )
    audit.record(
        session,
        actor,
        "timeline.read",
        patient_id=patient.id,
        detail={"visits": len(visits)},
    )
    return timeline
