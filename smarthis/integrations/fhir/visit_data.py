"""Everything the record of one visit holds, read in a few queries: the rows the builders
turn into FHIR resources. Reading here is not audited; the caller audits why it reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import Examination, VisitDiagnosis, VitalSigns
from smarthis.clinical.models import Visit
from smarthis.integrations.dicom.models import ImagingProcedure, ImagingStudy
from smarthis.orders.models import LabResult, Order, OrderItem, Report
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.pharmacy.models import Prescription, PrescriptionItem
from smarthis.security.models import Staff


@dataclass(frozen=True)
class Facility:
    code: str  # MA_CSKCB
    name: str


@dataclass
class PatientData:
    patient: Patient
    identifiers: list[PatientIdentifier]


@dataclass
class ItemResults:
    """An ordered service with what came back for it (current versions only)."""

    item: OrderItem
    order: Order
    lab_results: list[LabResult] = field(default_factory=list)
    report: Report | None = None
    procedure: ImagingProcedure | None = None
    studies: list[ImagingStudy] = field(default_factory=list)


@dataclass
class VisitData:
    visit: Visit
    patient: PatientData
    examination: Examination | None
    vitals: list[VitalSigns]
    diagnoses: list[VisitDiagnosis]
    items: list[ItemResults]
    prescription: Prescription | None
    prescription_items: list[PrescriptionItem]
    staff: dict[str, Staff]  # login -> staff member, for everyone the record names
    # login -> practising certificate number (chứng chỉ hành nghề), where one is on file
    certificates: dict[str, str] = field(default_factory=dict)


def load_patient(session: Session, patient: Patient) -> PatientData:
    identifiers = list(
        session.execute(
            select(PatientIdentifier)
            .where(PatientIdentifier.patient_id == patient.id)
            .order_by(PatientIdentifier.id)
        ).scalars()
    )
    return PatientData(patient, identifiers)


def staff_by_login(session: Session, facility_code: str, logins: Iterable[str | None]) -> dict:
    wanted = {login for login in logins if login}
    if not wanted:
        return {}
    rows = session.execute(
        select(Staff).where(Staff.facility_code == facility_code, Staff.login.in_(wanted))
    ).scalars()
    return {row.login: row for row in rows}


def practising_certificates(session: Session, logins: Iterable[str]) -> dict[str, str]:
    """Certificates from the staff profiles; none when that module is not installed."""
    try:
        from smarthis.staff.service import practising_certificate
    except ImportError:
        return {}
    found = {}
    for login in logins:
        number = practising_certificate(session, login)
        if number:
            found[login] = number
    return found


def _items(session: Session, visit: Visit) -> list[ItemResults]:
    pairs = session.execute(
        select(OrderItem, Order)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.visit_id == visit.id, OrderItem.status != "cancelled")
        .order_by(Order.id, OrderItem.id)
    ).all()
    items = {item.id: ItemResults(item, order) for item, order in pairs}
    if not items:
        return []
    ids = list(items)
    for result in session.execute(
        select(LabResult)
        .where(LabResult.order_item_id.in_(ids), LabResult.superseded_by_id.is_(None))
        .order_by(LabResult.id)
    ).scalars():
        items[result.order_item_id].lab_results.append(result)
    for report in session.execute(
        select(Report).where(Report.order_item_id.in_(ids), Report.superseded_by_id.is_(None))
    ).scalars():
        items[report.order_item_id].report = report
    for procedure in session.execute(
        select(ImagingProcedure).where(ImagingProcedure.order_item_id.in_(ids))
    ).scalars():
        items[procedure.order_item_id].procedure = procedure
    for study in session.execute(
        select(ImagingStudy).where(ImagingStudy.order_item_id.in_(ids)).order_by(ImagingStudy.id)
    ).scalars():
        assert study.order_item_id is not None
        items[study.order_item_id].studies.append(study)
    return list(items.values())


def load_visit(session: Session, visit: Visit) -> VisitData:
    patient = session.get(Patient, visit.patient_id)
    assert patient is not None  # a foreign key
    examination = session.execute(
        select(Examination).where(Examination.visit_id == visit.id)
    ).scalar_one_or_none()
    vitals = list(
        session.execute(
            select(VitalSigns)
            .where(VitalSigns.visit_id == visit.id)
            .order_by(VitalSigns.measured_at, VitalSigns.id)
        ).scalars()
    )
    diagnoses = list(
        session.execute(
            select(VisitDiagnosis)
            .where(VisitDiagnosis.visit_id == visit.id)
            .order_by(VisitDiagnosis.position)
        ).scalars()
    )
    prescription = session.execute(
        select(Prescription).where(Prescription.visit_id == visit.id)
    ).scalar_one_or_none()
    prescription_items = (
        list(
            session.execute(
                select(PrescriptionItem)
                .where(PrescriptionItem.prescription_id == prescription.id)
                .order_by(PrescriptionItem.position)
            ).scalars()
        )
        if prescription is not None
        else []
    )
    items = _items(session, visit)
    logins: list[str | None] = [d.added_by for d in diagnoses]
    if examination is not None:
        logins += [examination.started_by, examination.concluded_by]
    logins += [v.measured_by for v in vitals]
    for entry in items:
        logins.append(entry.order.ordered_by)
        for result in entry.lab_results:
            logins += [result.entered_by, result.verified_by]
        if entry.report is not None:
            logins += [entry.report.entered_by, entry.report.verified_by]
    if prescription is not None:
        logins.append(prescription.prescribed_by)
    staff = staff_by_login(session, visit.facility_code, logins)
    return VisitData(
        visit=visit,
        patient=load_patient(session, patient),
        examination=examination,
        vitals=vitals,
        diagnoses=diagnoses,
        items=items,
        prescription=prescription,
        prescription_items=prescription_items,
        staff=staff,
        certificates=practising_certificates(session, staff),
    )
