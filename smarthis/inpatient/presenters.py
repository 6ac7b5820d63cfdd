"""JSON shapes of the inpatient answers: what the bed board and the record screen show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from smarthis.inpatient.care import MAR_STATUSES_VI
from smarthis.inpatient.models import Bed, Stay, Ward
from smarthis.inpatient.record import StayRecord
from smarthis.inpatient.service import (
    ADMITTED_FROM_VI,
    BED_STATUS_VI,
    DISCHARGE_KINDS_VI,
    STAY_KINDS_VI,
)
from smarthis.inpatient.wards import PendingAdmission, WardBoard
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ

SEX_VI = {"male": "Nam", "female": "Nữ"}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def patient_out(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "mrn": patient.mrn,
        "full_name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "birth_year": patient.date_of_birth.year if patient.date_of_birth else patient.birth_year,
        "sex": patient.sex,
        "sex_vi": SEX_VI.get(patient.sex or "", ""),
        "address": patient.address,
        "bhyt_code": patient.bhyt_code,
    }


def days_in_hospital(stay: Stay, today: date) -> int:
    """Counted the way wards count: the day of admission is day 1."""
    admitted = stay.admitted_at.astimezone(HOSPITAL_TZ).date()
    return (today - admitted).days + 1


def stay_out(stay: Stay, ward: Ward | None = None, bed: Bed | None = None) -> dict[str, Any]:
    return {
        "id": stay.id,
        "stay_number": stay.stay_number,
        "patient_id": stay.patient_id,
        "visit_id": stay.visit_id,
        "status": stay.status,
        "kind": stay.kind,
        "kind_vi": STAY_KINDS_VI[stay.kind],
        "admitted_at": _iso(stay.admitted_at),
        "admitted_by": stay.admitted_by,
        "admitted_from": stay.admitted_from,
        "admitted_from_vi": ADMITTED_FROM_VI[stay.admitted_from],
        "ward": ward.code if ward else None,
        "ward_name": ward.name if ward else None,
        "bed": bed.code if bed else None,
        "room": bed.room if bed else None,
        "attending_doctor": stay.attending_doctor,
        "admission_icd_code": stay.admission_icd_code,
        "admission_diagnosis": stay.admission_diagnosis,
        "admission_reason": stay.admission_reason,
        "discharged_at": _iso(stay.discharged_at),
        "discharged_by": stay.discharged_by,
        "discharge_kind": stay.discharge_kind,
        "discharge_kind_vi": DISCHARGE_KINDS_VI.get(stay.discharge_kind or ""),
        "discharge_icd_code": stay.discharge_icd_code,
        "discharge_diagnosis": stay.discharge_diagnosis,
        "discharge_summary": stay.discharge_summary,
        "discharge_advice": stay.discharge_advice,
    }


def board_out(board: WardBoard, today: date) -> dict[str, Any]:
    beds = []
    for entry in board.beds:
        item: dict[str, Any] = {
            "code": entry.bed.code,
            "room": entry.bed.room,
            "status": entry.bed.status,
            "status_vi": BED_STATUS_VI[entry.bed.status],
            "stay": None,
        }
        if entry.stay is not None and entry.patient is not None:
            item["stay"] = {
                "id": entry.stay.id,
                "stay_number": entry.stay.stay_number,
                "kind": entry.stay.kind,
                "kind_vi": STAY_KINDS_VI[entry.stay.kind],
                "day": days_in_hospital(entry.stay, today),
                "diagnosis": f"{entry.stay.admission_icd_code} {entry.stay.admission_diagnosis}",
                "attending_doctor": entry.stay.attending_doctor,
                "patient": patient_out(entry.patient),
            }
        beds.append(item)
    counts: dict[str, int] = {status: 0 for status in BED_STATUS_VI}
    for entry in board.beds:
        counts[entry.bed.status] += 1
    return {
        "ward": {"code": board.ward.code, "name": board.ward.name},
        "counts": counts,
        "beds": beds,
        "waiting": [
            {"stay": stay_out(stay, board.ward), "patient": patient_out(patient)}
            for stay, patient in board.waiting
        ],
    }


def pending_out(pending: PendingAdmission) -> dict[str, Any]:
    return {
        "visit_id": pending.visit.id,
        "visit_number": pending.visit.visit_number,
        "concluded_at": _iso(pending.concluded_at),
        "diagnosis": pending.diagnosis,
        "patient": patient_out(pending.patient),
    }


def _by(names: dict[str, str], login: str) -> dict[str, str]:
    return {"login": login, "name": names.get(login, login)}


def record_out(
    record: StayRecord, today: date, wards: dict[int, Ward], beds: dict[int, Bed]
) -> dict[str, Any]:
    names = record.staff_names
    stay = record.stay
    return {
        "stay": {
            **stay_out(stay, record.ward, record.bed),
            "day": days_in_hospital(stay, today),
            "attending_doctor_name": names.get(stay.attending_doctor, stay.attending_doctor),
        },
        "patient": patient_out(record.patient),
        "identifiers": [{"kind": i.kind, "value": i.value} for i in record.identifiers],
        "progress_notes": [
            {
                "id": n.id,
                "written_at": _iso(n.written_at),
                "by": _by(names, n.written_by),
                "subjective": n.subjective,
                "objective": n.objective,
                "assessment": n.assessment,
                "plan": n.plan,
            }
            for n in record.progress_notes
        ],
        "nursing_notes": [
            {
                "id": n.id,
                "written_at": _iso(n.written_at),
                "by": _by(names, n.written_by),
                "note": n.note,
            }
            for n in record.nursing_notes
        ],
        "vitals": [
            {
                "id": v.id,
                "taken_at": _iso(v.taken_at),
                "by": _by(names, v.taken_by),
                "pulse": v.pulse,
                "temperature_c": v.temperature_c,
                "systolic": v.systolic,
                "diastolic": v.diastolic,
                "respiratory_rate": v.respiratory_rate,
                "spo2": v.spo2,
                "weight_kg": v.weight_kg,
            }
            for v in record.vitals
        ],
        "medications": [
            {
                "id": m.id,
                "drug": m.drug,
                "drug_code": m.drug_code,
                "quantity": m.quantity,
                "dose": m.dose,
                "route": m.route,
                "status": m.status,
                "status_vi": MAR_STATUSES_VI[m.status],
                "reason": m.reason,
                "scheduled_at": _iso(m.scheduled_at),
                "given_at": _iso(m.given_at),
                "recorded_at": _iso(m.recorded_at),
                "by": _by(names, m.recorded_by),
            }
            for m in record.medications
        ],
        "movements": [
            {
                "kind": m.kind,
                "moved_at": _iso(m.moved_at),
                "moved_by": m.moved_by,
                "from_ward": wards[m.from_ward_id].code if m.from_ward_id in wards else None,
                "from_bed": beds[m.from_bed_id].code if m.from_bed_id in beds else None,
                "to_ward": wards[m.to_ward_id].code if m.to_ward_id in wards else None,
                "to_bed": beds[m.to_bed_id].code if m.to_bed_id in beds else None,
                "reason": m.reason,
            }
            for m in record.movements
        ],
    }
