"""Orders and what came back: ServiceRequest (an ordered service), lab Observations,
DiagnosticReport (a lab test's values, or an imaging/functional report) and ImagingStudy
(the study Orthanc holds for an imaging order)."""

from __future__ import annotations

import base64

from smarthis.catalogs.lab import lab_analytes
from smarthis.catalogs.service_catalog import hospital_services
from smarthis.integrations.dicom.models import ImagingStudy
from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.build_encounter import staff_ref
from smarthis.integrations.fhir.common import Resource, coding, concept, instant, ref
from smarthis.integrations.fhir.terminology import (
    INTERPRETATION,
    LAB_LOINC,
    MODALITY_NAMES,
    UCUM_UNITS,
)
from smarthis.integrations.fhir.visit_data import ItemResults, VisitData
from smarthis.orders.models import LabResult, OrderItem, Report

# OrderItem.kind -> v2-0074 diagnostic service section
SECTIONS = {
    "lab": ("LAB", "Laboratory"),
    "xray": ("RAD", "Radiology"),
    "ct": ("CT", "CAT Scan"),
    "mri": ("NMR", "Nuclear Magnetic Resonance"),
    "ultrasound": ("RUS", "Radiology Ultrasound"),
    "ecg": ("EC", "Electrocardiac (e.g., EKG, EEC, Holter)"),
}
OTHER_SECTION = ("OTH", "Other")
ITEM_STATUS = {
    "ordered": "active",
    "in_progress": "active",
    "resulted": "completed",
    "verified": "completed",
}


def service_concept(item: OrderItem) -> Resource:
    codings = [coding(systems.LOCAL_SERVICE, item.service_code, item.service_name)]
    service = hospital_services().get(item.service_code)
    if service is not None and service.national_code:
        codings.append(coding(systems.NATIONAL_SERVICE, service.national_code))
    return concept(*codings, text=item.service_name)


def _subject(data: VisitData) -> Resource:
    return {
        "subject": ref("Patient", data.visit.patient_id),
        "encounter": ref("Encounter", data.visit.id),
    }


def service_request_resource(data: VisitData, entry: ItemResults) -> Resource:
    item = entry.item
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": str(item.id),
        "identifier": [{"system": systems.order_item(item.facility_code), "value": str(item.id)}],
        "status": ITEM_STATUS.get(item.status, "unknown"),
        "intent": "order",
        "category": [concept(coding(systems.V2_DIAGNOSTIC_SECTION, *_section(item)))],
        "code": service_concept(item),
        **_subject(data),
        "authoredOn": instant(entry.order.ordered_at),
    }
    requester = staff_ref(data.staff, entry.order.ordered_by)
    if requester is not None:
        resource["requester"] = requester
    return resource


def _section(item: OrderItem) -> tuple[str, str]:
    return SECTIONS.get(item.kind, OTHER_SECTION)


def _result_status(verified: bool, version: int) -> str:
    if not verified:
        return "preliminary"
    return "corrected" if version > 1 else "final"


def _performers(data: VisitData, *logins: str | None) -> list[Resource]:
    found = [staff_ref(data.staff, login) for login in dict.fromkeys(logins) if login]
    return [f for f in found if f is not None]


def lab_observation_resource(data: VisitData, entry: ItemResults, result: LabResult) -> Resource:
    analyte = lab_analytes().get(result.analyte_code)
    name_vi = analyte.name_vi if analyte else result.analyte_code
    codings = [coding(systems.LOCAL_ANALYTE, result.analyte_code, name_vi)]
    if result.analyte_code in LAB_LOINC:
        codings.append(coding(systems.LOINC, *LAB_LOINC[result.analyte_code]))
    resource: Resource = {
        "resourceType": "Observation",
        "id": f"lab-{result.id}",
        "basedOn": [ref("ServiceRequest", entry.item.id)],
        "status": _result_status(result.verified_by is not None, result.version),
        "category": [
            concept(
                coding(systems.OBSERVATION_CATEGORY, "laboratory", "Laboratory"),
                text="Xét nghiệm",
            )
        ],
        "code": concept(*codings, text=name_vi),
        **_subject(data),
        "effectiveDateTime": instant(result.entered_at),
        "issued": instant(result.verified_at or result.entered_at),
        "performer": _performers(data, result.entered_by, result.verified_by),
    }
    if result.value_numeric is not None:
        quantity: Resource = {"value": result.value_numeric}
        if result.unit:
            quantity["unit"] = result.unit
            if result.unit in UCUM_UNITS:
                quantity |= {"system": systems.UCUM, "code": UCUM_UNITS[result.unit]}
        resource["valueQuantity"] = quantity
    else:
        resource["valueString"] = result.value_text
    if result.flag in INTERPRETATION:
        resource["interpretation"] = [
            concept(coding(systems.V3_INTERPRETATION, *INTERPRETATION[result.flag]))
        ]
    if result.range_text:
        resource["referenceRange"] = [{"text": result.range_text}]
    if result.correction_reason:
        resource["note"] = [{"text": f"Hiệu chỉnh: {result.correction_reason}"}]
    if not resource["performer"]:
        del resource["performer"]
    return resource


def _report_text(report: Report) -> str:
    return (
        f"Kỹ thuật: {report.technique}\nMô tả: {report.findings}\nKết luận: {report.conclusion}\n"
    )


def _lab_report_status(results: list[LabResult]) -> str:
    verified = [r for r in results if r.verified_by is not None]
    if len(verified) == len(results):
        return "corrected" if any(r.version > 1 for r in results) else "final"
    return "partial" if verified else "preliminary"


def diagnostic_report_resource(data: VisitData, entry: ItemResults) -> Resource | None:
    """One per ordered service that has results; None while nothing has come back."""
    item, report, results = entry.item, entry.report, entry.lab_results
    if report is None and not results:
        return None
    resource: Resource = {
        "resourceType": "DiagnosticReport",
        "id": f"item-{item.id}",
        "identifier": [{"system": systems.order_item(item.facility_code), "value": str(item.id)}],
        "basedOn": [ref("ServiceRequest", item.id)],
        "category": [concept(coding(systems.V2_DIAGNOSTIC_SECTION, *_section(item)))],
        "code": service_concept(item),
        **_subject(data),
    }
    if results:
        latest = max(results, key=lambda r: r.verified_at or r.entered_at)
        resource |= {
            "status": _lab_report_status(results),
            "effectiveDateTime": instant(min(r.entered_at for r in results)),
            "issued": instant(latest.verified_at or latest.entered_at),
            "performer": _performers(data, *(r.entered_by for r in results)),
            "resultsInterpreter": _performers(data, *(r.verified_by for r in results)),
            "result": [ref("Observation", f"lab-{r.id}") for r in results],
        }
    else:
        assert report is not None
        resource |= {
            "status": _result_status(report.verified_by is not None, report.version),
            "effectiveDateTime": instant(report.entered_at),
            "issued": instant(report.verified_at or report.entered_at),
            "performer": _performers(data, report.entered_by),
            "resultsInterpreter": _performers(data, report.verified_by),
            "conclusion": report.conclusion,
            "presentedForm": [
                {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "vi",
                    "data": base64.b64encode(_report_text(report).encode()).decode(),
                    "title": item.service_name,
                }
            ],
        }
        if entry.studies:
            resource["imagingStudy"] = [ref("ImagingStudy", s.id) for s in entry.studies]
    for key in ("performer", "resultsInterpreter"):
        if not resource[key]:
            del resource[key]
    return resource


def imaging_study_resource(data: VisitData, entry: ItemResults, study: ImagingStudy) -> Resource:
    resource: Resource = {
        "resourceType": "ImagingStudy",
        "id": str(study.id),
        "identifier": [
            {"system": systems.DICOM_UID, "value": f"urn:oid:{study.study_instance_uid}"},
            {
                "type": concept(coding(systems.V2_IDENTIFIER_TYPE, "ACSN", "Accession ID")),
                "system": systems.accession(study.facility_code),
                "value": study.accession_number,
            },
        ],
        "status": "available",
        **_subject(data),
        "basedOn": [ref("ServiceRequest", entry.item.id)],
        "numberOfSeries": study.series_count,
        "numberOfInstances": study.instances_count,
        "description": entry.item.service_name,
        "procedureCode": [service_concept(entry.item)],
    }
    if entry.procedure is not None:
        modality = entry.procedure.modality
        resource["modality"] = [
            coding(systems.DICOM_MODALITY, modality, MODALITY_NAMES.get(modality))
        ]
        resource["started"] = instant(entry.procedure.images_at or study.received_at)
    return resource
