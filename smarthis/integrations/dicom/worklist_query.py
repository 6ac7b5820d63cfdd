"""The scheduled imaging procedures a modality may ask for: read from the database on every
query (one indexed range scan), so the worklist is always current and needs no PACS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.integrations.dicom.models import ImagingProcedure
from smarthis.integrations.dicom.stations import (
    MODALITY_ALIASES,
    MODALITY_BY_KIND,
    points_for_station,
    station_ae_title,
)
from smarthis.orders.models import OrderItem
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.queueing.models import ServicePoint

# An order item still to be performed; once resulted (or cancelled) it leaves the worklist.
OPEN_ITEM_STATUSES = ("ordered", "in_progress")
MAX_MATCHES = 1000


@dataclass(frozen=True)
class WorklistFilter:
    """Matching keys a modality sends; None matches everything. Days are hospital days."""

    modality: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    station_ae_title: str | None = None
    accession_number: str | None = None
    patient_mrn: str | None = None


@dataclass(frozen=True)
class ScheduledProcedure:
    procedure_id: int
    order_item_id: int
    visit_id: int
    accession_number: str
    modality: str
    point_code: str
    station_ae_title: str
    scheduled_at: datetime  # in hospital time
    service_code: str
    service_name: str
    patient_id: int
    patient_mrn: str
    patient_name: str
    birth_date: date | None
    sex: str | None


def _utc_bounds(day_from: date | None, day_to: date | None) -> tuple[datetime | None, ...]:
    start = datetime.combine(day_from, time.min, HOSPITAL_TZ) if day_from else None
    end = datetime.combine(day_to + timedelta(days=1), time.min, HOSPITAL_TZ) if day_to else None
    return start, end


def _imaging_point_codes(session: Session, facility_code: str) -> list[str]:
    return list(
        session.execute(
            select(ServicePoint.code).where(
                ServicePoint.facility_code == facility_code,
                ServicePoint.kind.in_(list(MODALITY_BY_KIND)),
            )
        ).scalars()
    )


def find_scheduled(
    session: Session,
    facility_code: str,
    wanted: WorklistFilter,
    station_titles: Mapping[str, str],
    limit: int = MAX_MATCHES,
) -> list[ScheduledProcedure]:
    """The open procedures matching `wanted`, earliest first."""
    query = (
        select(ImagingProcedure, OrderItem, Patient)
        .join(OrderItem, OrderItem.id == ImagingProcedure.order_item_id)
        .join(Patient, Patient.id == ImagingProcedure.patient_id)
        .where(
            ImagingProcedure.facility_code == facility_code,
            OrderItem.status.in_(OPEN_ITEM_STATUSES),
        )
    )
    if wanted.modality:
        modality = MODALITY_ALIASES.get(wanted.modality, wanted.modality)
        query = query.where(ImagingProcedure.modality == modality)
    start, end = _utc_bounds(wanted.day_from, wanted.day_to)
    if start is not None:
        query = query.where(ImagingProcedure.scheduled_at >= start)
    if end is not None:
        query = query.where(ImagingProcedure.scheduled_at < end)
    if wanted.station_ae_title:
        points = points_for_station(
            wanted.station_ae_title, _imaging_point_codes(session, facility_code), station_titles
        )
        if not points:
            return []
        query = query.where(ImagingProcedure.point_code.in_(points))
    if wanted.accession_number:
        query = query.where(ImagingProcedure.accession_number == wanted.accession_number)
    if wanted.patient_mrn:
        query = query.where(Patient.mrn == wanted.patient_mrn)
    query = query.order_by(ImagingProcedure.scheduled_at, ImagingProcedure.id).limit(limit)
    return [
        ScheduledProcedure(
            procedure_id=procedure.id,
            order_item_id=item.id,
            visit_id=procedure.visit_id,
            accession_number=procedure.accession_number,
            modality=procedure.modality,
            point_code=procedure.point_code,
            station_ae_title=station_ae_title(procedure.point_code, station_titles),
            scheduled_at=procedure.scheduled_at.astimezone(HOSPITAL_TZ),
            service_code=item.service_code,
            service_name=item.service_name,
            patient_id=patient.id,
            patient_mrn=patient.mrn,
            patient_name=patient.full_name,
            birth_date=patient.date_of_birth,
            sex=patient.sex,
        )
        for procedure, item, patient in session.execute(query)
    ]
