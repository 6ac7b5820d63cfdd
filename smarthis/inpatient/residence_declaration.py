"""The residence declaration (khai báo lưu trú) the hospital owes the police for
inpatients: for one day, every admission and discharge with the person's identity, where
they lie and when they came or left. Exported as CSV (UTF-8 with BOM, so Excel opens the
diacritics correctly)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smarthis.inpatient.models import Bed, Stay, Ward
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security import audit
from smarthis.security.principal import Principal

HEADER = (
    "STT",
    "Sự kiện",
    "Họ và tên",
    "Ngày sinh",
    "Loại giấy tờ",
    "Số giấy tờ",
    "Quốc tịch",
    "Địa chỉ",
    "Khoa",
    "Buồng",
    "Giường",
    "Thời gian vào viện",
    "Thời gian ra viện",
    "Số vào viện",
)
# The document the police match a person by, most specific first.
ID_KINDS = (("cccd", "CCCD"), ("passport", "Hộ chiếu"), ("birth_certificate", "Giấy khai sinh"))


@dataclass
class ResidenceRow:
    event: str  # "Đến", "Đi", or "Đến và đi" (a day-care stay)
    full_name: str
    date_of_birth: str
    id_kind: str
    id_number: str
    nationality: str
    address: str
    ward: str
    room: str
    bed: str
    admitted_at: str
    discharged_at: str
    stay_number: str


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=HOSPITAL_TZ)
    return start, start + timedelta(days=1)


def _local(at: datetime | None) -> str:
    return at.astimezone(HOSPITAL_TZ).strftime("%d/%m/%Y %H:%M") if at else ""


def _identity(identifiers: list[PatientIdentifier]) -> tuple[str, str]:
    for kind, name in ID_KINDS:
        for ident in identifiers:
            if ident.kind == kind:
                # Passports are stored as "NAT:number": the police want the number.
                return name, ident.value.split(":", 1)[-1]
    return "", ""


def _birth(patient: Patient) -> str:
    if patient.date_of_birth:
        return patient.date_of_birth.strftime("%d/%m/%Y")
    return str(patient.birth_year or "")


def residence_rows(session: Session, actor: Principal, day: date) -> list[ResidenceRow]:
    start, end = _day_bounds(day)
    stays = list(
        session.execute(
            select(Stay)
            .where(
                Stay.facility_code == actor.facility_code,
                or_(
                    (Stay.admitted_at >= start) & (Stay.admitted_at < end),
                    (Stay.discharged_at >= start) & (Stay.discharged_at < end),
                ),
            )
            .order_by(Stay.admitted_at, Stay.id)
        ).scalars()
    )
    rows = []
    for stay in stays:
        patient = session.get(Patient, stay.patient_id)
        ward = session.get(Ward, stay.ward_id)
        bed = session.get(Bed, stay.bed_id) if stay.bed_id else None
        assert patient is not None and ward is not None
        identifiers = list(
            session.execute(
                select(PatientIdentifier).where(PatientIdentifier.patient_id == patient.id)
            ).scalars()
        )
        came = start <= stay.admitted_at < end
        left = stay.discharged_at is not None and start <= stay.discharged_at < end
        id_kind, id_number = _identity(identifiers)
        rows.append(
            ResidenceRow(
                event="Đến và đi" if came and left else ("Đến" if came else "Đi"),
                full_name=patient.full_name,
                date_of_birth=_birth(patient),
                id_kind=id_kind,
                id_number=id_number,
                nationality=patient.nationality,
                address=patient.address or "",
                ward=ward.name,
                room=bed.room if bed else "",
                bed=bed.code if bed else "",
                admitted_at=_local(stay.admitted_at),
                discharged_at=_local(stay.discharged_at),
                stay_number=stay.stay_number,
            )
        )
        audit.record(
            session,
            actor,
            "inpatient.residence_export",
            patient_id=patient.id,
            detail={"date": day.isoformat(), "stay": stay.stay_number},
        )
    return rows


def residence_csv(rows: list[ResidenceRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            (
                number,
                row.event,
                row.full_name,
                row.date_of_birth,
                row.id_kind,
                row.id_number,
                row.nationality,
                row.address,
                row.ward,
                row.room,
                row.bed,
                row.admitted_at,
                row.discharged_at,
                row.stay_number,
            )
        )
    return out.getvalue().encode("utf-8-sig")
