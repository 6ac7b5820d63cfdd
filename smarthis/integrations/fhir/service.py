"""The /fhir API's rules: find what a read or a search names, within the caller's facility,
build it as the export does, and audit every read.

A clinical resource is served from its visit's resources, so a read and the visit's
bundle always agree."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import VisitDiagnosis, VitalSigns
from smarthis.clinical.models import Visit
from smarthis.db import MAX_ID
from smarthis.integrations.dicom.models import ImagingStudy
from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.build_encounter import encounter_resource
from smarthis.integrations.fhir.build_people import (
    organization_resource,
    patient_resource,
    practitioner_resource,
)
from smarthis.integrations.fhir.common import Resource, validated
from smarthis.integrations.fhir.document import visit_resources
from smarthis.integrations.fhir.outcome import FhirError, bad_search, not_found
from smarthis.integrations.fhir.visit_data import (
    Facility,
    load_patient,
    load_visit,
    practising_certificates,
)
from smarthis.orders.models import LabResult, Order, OrderItem
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.pharmacy.models import Prescription, PrescriptionItem
from smarthis.security import audit
from smarthis.security.models import Staff
from smarthis.security.principal import Principal

SEARCH_LIMIT = 100
# Identifier systems a Patient search understands -> the patient index's identifier kind.
_KIND_OF_SYSTEM = {
    systems.CCCD: "cccd",
    systems.BHXH_NUMBER: "bhxh",
    systems.PASSPORT: "passport",
    systems.BIRTH_CERTIFICATE: "birth_certificate",
}


def _row_id(text: str) -> int | None:
    if not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _visit(session: Session, actor: Principal, visit_id: int | None) -> Visit | None:
    visit = session.get(Visit, visit_id) if visit_id is not None else None
    if visit is None or visit.facility_code != actor.facility_code:
        return None
    return visit


def _visit_of_item(session: Session, item_id: int | None) -> int | None:
    if item_id is None:
        return None
    return session.execute(
        select(Order.visit_id)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(OrderItem.id == item_id)
    ).scalar_one_or_none()


def _scalar(session: Session, query) -> int | None:  # type: ignore[no-untyped-def]
    return session.execute(query).scalar_one_or_none()


def _visit_id_of(session: Session, resource_type: str, resource_id: str) -> int | None:
    """Which visit holds the resource this id names (None: no such resource)."""
    if resource_type == "Encounter":
        return _row_id(resource_id)
    if resource_type == "Composition":
        found = re.fullmatch(r"visit-(\d+)", resource_id)
        return _row_id(found.group(1)) if found else None
    if resource_type == "Condition":
        row = _row_id(resource_id)
        return row and _scalar(
            session, select(VisitDiagnosis.visit_id).where(VisitDiagnosis.id == row)
        )
    if resource_type == "Observation":
        vital = re.fullmatch(r"vs-(\d+)-[a-z0-9-]+", resource_id)
        if vital:
            row = _row_id(vital.group(1))
            return row and _scalar(session, select(VitalSigns.visit_id).where(VitalSigns.id == row))
        lab = re.fullmatch(r"lab-(\d+)", resource_id)
        row = _row_id(lab.group(1)) if lab else None
        return row and _visit_of_item(
            session, _scalar(session, select(LabResult.order_item_id).where(LabResult.id == row))
        )
    if resource_type == "DiagnosticReport":
        found = re.fullmatch(r"item-(\d+)", resource_id)
        return _visit_of_item(session, _row_id(found.group(1)) if found else None)
    if resource_type == "ServiceRequest":
        return _visit_of_item(session, _row_id(resource_id))
    if resource_type == "ImagingStudy":
        row = _row_id(resource_id)
        return row and _visit_of_item(
            session,
            _scalar(session, select(ImagingStudy.order_item_id).where(ImagingStudy.id == row)),
        )
    if resource_type == "MedicationRequest":
        row = _row_id(resource_id)
        return row and _scalar(
            session,
            select(Prescription.visit_id)
            .join(PrescriptionItem, PrescriptionItem.prescription_id == Prescription.id)
            .where(PrescriptionItem.id == row),
        )
    return None


def _record(
    session: Session, actor: Principal, action: str, patient_id: int | None, detail: dict
) -> None:
    audit.record(session, actor, action, patient_id=patient_id, detail=detail)


def read(
    session: Session, actor: Principal, facility: Facility, resource_type: str, resource_id: str
) -> Resource:
    if resource_type == "Organization":
        if resource_id != actor.facility_code:
            raise not_found(resource_type, resource_id)
        _record(session, actor, "fhir.read", None, {"resource": f"Organization/{resource_id}"})
        return validated(organization_resource(facility))
    if resource_type == "Practitioner":
        row = _row_id(resource_id)
        staff = session.get(Staff, row) if row else None
        if staff is None or staff.facility_code != actor.facility_code:
            raise not_found(resource_type, resource_id)
        _record(session, actor, "fhir.read", None, {"resource": f"Practitioner/{resource_id}"})
        certificate = practising_certificates(session, [staff.login]).get(staff.login)
        return validated(practitioner_resource(staff, certificate))
    if resource_type == "Patient":
        row = _row_id(resource_id)
        patient = session.get(Patient, row) if row else None
        if patient is None or patient.facility_code != actor.facility_code:
            raise not_found(resource_type, resource_id)
        _record(session, actor, "fhir.read", patient.id, {"resource": f"Patient/{patient.id}"})
        return validated(patient_resource(load_patient(session, patient)))
    visit = _visit(session, actor, _visit_id_of(session, resource_type, resource_id))
    if visit is None:
        raise not_found(resource_type, resource_id)
    for resource in visit_resources(load_visit(session, visit), facility):
        if resource["resourceType"] == resource_type and resource["id"] == resource_id:
            _record(
                session,
                actor,
                "fhir.read",
                visit.patient_id,
                {"resource": f"{resource_type}/{resource_id}", "visit": visit.visit_number},
            )
            return validated(resource)
    raise not_found(resource_type, resource_id)  # e.g. a superseded lab value's old id


def visit_everything(
    session: Session, actor: Principal, facility: Facility, visit_id: str
) -> list[Resource]:
    visit = _visit(session, actor, _row_id(visit_id))
    if visit is None:
        raise not_found("Encounter", visit_id)
    resources = visit_resources(load_visit(session, visit), facility)
    _record(
        session,
        actor,
        "fhir.everything",
        visit.patient_id,
        {"resource": f"Encounter/{visit.id}", "visit": visit.visit_number},
    )
    return resources


# --- searches ----------------------------------------------------------------------------


def _split_token(token: str) -> tuple[str | None, str]:
    """FHIR token: "system|value", "|value" (no system) or "value" (any system)."""
    if "|" not in token:
        return None, token.strip()
    system, value = token.split("|", 1)
    return system.strip(), value.strip()


def patients_by_identifier(session: Session, actor: Principal, token: str) -> list[Patient]:
    system, value = _split_token(token)
    if not value:
        raise bad_search(
            "identifier cần giá trị (system|value)", "identifier needs a value (system|value)"
        )
    facility = actor.facility_code
    in_facility = Patient.facility_code == facility
    by_identifier = select(PatientIdentifier.patient_id).where(
        PatientIdentifier.facility_code == facility, PatientIdentifier.value == value
    )
    if system is None:
        query = select(Patient).where(
            in_facility,
            or_(Patient.mrn == value, Patient.bhyt_code == value, Patient.id.in_(by_identifier)),
        )
    elif system == systems.mrn(facility):
        query = select(Patient).where(in_facility, Patient.mrn == value)
    elif system == systems.BHYT_CARD:
        query = select(Patient).where(in_facility, Patient.bhyt_code == value.upper())
    elif system in _KIND_OF_SYSTEM:
        query = select(Patient).where(
            in_facility,
            Patient.id.in_(by_identifier.where(PatientIdentifier.kind == _KIND_OF_SYSTEM[system])),
        )
    else:
        return []  # a system we do not issue or record: nothing matches
    return list(session.execute(query.order_by(Patient.id).limit(SEARCH_LIMIT)).scalars())


def search_patients(session: Session, actor: Principal, params: dict[str, str]) -> list[Resource]:
    _only(params, {"identifier"}, "Patient")
    if "identifier" not in params:
        raise bad_search(
            "Tìm Patient cần tham số identifier", "Patient search needs the identifier parameter"
        )
    found = patients_by_identifier(session, actor, params["identifier"])
    _audit_search(session, actor, "Patient", [p.id for p in found], params)
    return [validated(patient_resource(load_patient(session, p))) for p in found]


def _patient_ids_for(session: Session, actor: Principal, params: dict[str, str]) -> list[int]:
    if "patient" in params:
        raw = params["patient"].removeprefix("Patient/")
        row = _row_id(raw)
        if row is None:
            raise bad_search(
                "patient phải là mã bệnh nhân (id hoặc Patient/id)",
                "patient must be a patient id (id or Patient/id)",
            )
        return [row]
    return [p.id for p in patients_by_identifier(session, actor, params["patient.identifier"])]


def search_encounters(
    session: Session, actor: Principal, facility: Facility, params: dict[str, str]
) -> list[Resource]:
    _only(params, {"patient", "patient.identifier"}, "Encounter")
    if len(params) != 1:
        raise bad_search(
            "Tìm Encounter cần đúng một tham số: patient hoặc patient.identifier",
            "Encounter search needs exactly one of patient, patient.identifier",
        )
    patient_ids = _patient_ids_for(session, actor, params)
    visits = list(
        session.execute(
            select(Visit)
            .where(Visit.facility_code == actor.facility_code, Visit.patient_id.in_(patient_ids))
            .order_by(Visit.registered_at.desc(), Visit.id.desc())
            .limit(SEARCH_LIMIT)
        ).scalars()
    )
    _audit_search(session, actor, "Encounter", sorted({v.patient_id for v in visits}), params)
    return [validated(encounter_resource(load_visit(session, v), facility.name)) for v in visits]


def _only(params: dict[str, str], allowed: set[str], resource_type: str) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise bad_search(
            f"Tham số tìm kiếm không hỗ trợ cho {resource_type}: {', '.join(unknown)}",
            f"Unsupported search parameter for {resource_type}: {', '.join(unknown)}",
        )


def _audit_search(
    session: Session,
    actor: Principal,
    resource_type: str,
    patient_ids: Sequence[int],
    params: dict[str, str],
) -> None:
    detail = {"search": resource_type, "params": sorted(params)}
    if not patient_ids:
        _record(session, actor, "fhir.search", None, {**detail, "matches": 0})
    for patient_id in patient_ids:  # one entry per patient whose data was read
        _record(session, actor, "fhir.search", patient_id, detail)


SEARCHES: dict[str, Callable[..., list[Resource]]] = {
    "Patient": lambda session, actor, _facility, params: search_patients(session, actor, params),
    "Encounter": search_encounters,
}


def search(
    session: Session,
    actor: Principal,
    facility: Facility,
    resource_type: str,
    params: dict[str, str],
) -> list[Resource]:
    handler = SEARCHES.get(resource_type)
    if handler is None:
        raise FhirError(
            400,
            "not-supported",
            f"Không hỗ trợ tìm kiếm {resource_type}",
            f"Search is not supported for {resource_type}",
        )
    return handler(session, actor, facility, params)
