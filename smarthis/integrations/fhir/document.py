"""A visit's record as FHIR resources: the Composition (the outpatient record's sections,
in Vietnamese) and every resource it points to."""

from __future__ import annotations

import html

from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.build_encounter import (
    CONCLUSION_NAMES_VI,
    condition_resource,
    encounter_resource,
    staff_ref,
    vital_sign_resources,
)
from smarthis.integrations.fhir.build_medication import medication_request_resource
from smarthis.integrations.fhir.build_people import (
    organization_resource,
    patient_resource,
    practitioner_resource,
)
from smarthis.integrations.fhir.build_results import (
    diagnostic_report_resource,
    imaging_study_resource,
    lab_observation_resource,
    service_request_resource,
)
from smarthis.integrations.fhir.common import (
    Resource,
    coding,
    concept,
    instant,
    ref,
)
from smarthis.integrations.fhir.visit_data import Facility, VisitData

OUTPATIENT_NOTE = ("34108-1", "Outpatient Note")
DOCUMENT_TITLE = "Hồ sơ khám bệnh ngoại trú"


def composition_id(visit_id: int) -> str:
    return f"visit-{visit_id}"


def document_identifier_system(facility_code: str) -> str:
    return f"{systems.BASE}/sid/emr-document/{facility_code}"


def _narrative(lines: list[str]) -> Resource:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>',
    }


def _section(
    title: str, loinc: tuple[str, str], lines: list[str], entries: list[Resource] | None = None
) -> Resource:
    section: Resource = {
        "title": title,
        "code": concept(coding(systems.LOINC, *loinc)),
        "text": _narrative(lines),
    }
    if entries:
        section["entry"] = [ref(r["resourceType"], r["id"]) for r in entries]
    return section


def _display(resource: Resource) -> str:
    return str(resource.get("code", {}).get("text", ""))


def composition_resource(
    data: VisitData, facility: Facility, parts: dict[str, list[Resource]]
) -> Resource:
    visit, exam = data.visit, data.examination
    sections: list[Resource] = []
    if exam is not None and exam.reason:
        sections.append(
            _section("Lý do khám", ("29299-5", "Reason for visit Narrative"), [exam.reason])
        )
    if exam is not None and exam.history:
        sections.append(
            _section("Bệnh sử", ("10164-2", "History of Present illness Narrative"), [exam.history])
        )
    if exam is not None and exam.examination_notes:
        sections.append(
            _section(
                "Khám lâm sàng",
                ("29545-1", "Physical findings Narrative"),
                [exam.examination_notes],
            )
        )
    if parts["vitals"]:
        lines = [
            f"{_display(o)}: {o['valueQuantity']['value']} {o['valueQuantity']['unit']}"
            for o in parts["vitals"]
            if "valueQuantity" in o
        ]
        sections.append(
            _section("Dấu hiệu sinh tồn", ("8716-3", "Vital signs"), lines, parts["vitals"])
        )
    if parts["conditions"]:
        sections.append(
            _section(
                "Chẩn đoán",
                ("29548-5", "Diagnosis Narrative"),
                [_display(c) for c in parts["conditions"]],
                parts["conditions"],
            )
        )
    if parts["orders"]:
        lines = [_display(s) for s in parts["orders"]]
        lines += [r["conclusion"] for r in parts["reports"] if r.get("conclusion")]
        sections.append(
            _section(
                "Cận lâm sàng",
                ("30954-2", "Relevant diagnostic tests/laboratory data Narrative"),
                lines,
                parts["orders"] + parts["reports"],
            )
        )
    if parts["medications"]:
        lines = [
            f"{m['medicationCodeableConcept']['text']}: {m['dosageInstruction'][0]['text']}"
            for m in parts["medications"]
        ]
        sections.append(
            _section(
                "Đơn thuốc",
                ("10160-0", "History of Medication use Narrative"),
                lines,
                parts["medications"],
            )
        )
    if exam is not None and exam.conclusion:
        lines = [CONCLUSION_NAMES_VI[exam.conclusion]]
        if exam.follow_up_date:
            lines.append(f"Ngày hẹn tái khám: {exam.follow_up_date:%d/%m/%Y}")
        if exam.referral_to:
            lines.append(f"Nơi chuyển đến: {exam.referral_to}")
        if exam.referral_reason:
            lines.append(f"Lý do chuyển: {exam.referral_reason}")
        if exam.advice:
            lines.append(f"Lời dặn: {exam.advice}")
        sections.append(_section("Hướng xử trí", ("18776-5", "Plan of care note"), lines))
    author = staff_ref(data.staff, exam.concluded_by if exam else None)
    if author is None or "reference" not in author:
        author = ref("Organization", facility.code, facility.name)
    concluded = exam is not None and exam.concluded_at is not None
    resource: Resource = {
        "resourceType": "Composition",
        "id": composition_id(visit.id),
        "identifier": {
            "system": document_identifier_system(visit.facility_code),
            "value": visit.visit_number,
        },
        "status": "final" if concluded else "preliminary",
        "type": concept(coding(systems.LOINC, *OUTPATIENT_NOTE), text=DOCUMENT_TITLE),
        "subject": ref("Patient", visit.patient_id),
        "encounter": ref("Encounter", visit.id),
        "date": instant(exam.concluded_at if concluded and exam else visit.registered_at),
        "author": [author],
        "title": f"{DOCUMENT_TITLE} - {visit.visit_number}",
        "custodian": ref("Organization", facility.code, facility.name),
    }
    if sections:
        resource["section"] = sections
    return resource


def visit_resources(
    data: VisitData, facility: Facility, *, with_composition: bool = True
) -> list[Resource]:
    """Every resource of the visit, the Composition first when asked. Not validated one by
    one: the bundle that carries them is (or the read that serves one of them)."""
    parts: dict[str, list[Resource]] = {
        "conditions": [condition_resource(data, d) for d in data.diagnoses],
        "vitals": [o for row in data.vitals for o in vital_sign_resources(data, row)],
        "orders": [service_request_resource(data, entry) for entry in data.items],
        "lab": [
            lab_observation_resource(data, entry, result)
            for entry in data.items
            for result in entry.lab_results
        ],
        "reports": [r for entry in data.items if (r := diagnostic_report_resource(data, entry))],
        "studies": [
            imaging_study_resource(data, entry, study)
            for entry in data.items
            for study in entry.studies
        ],
        "medications": [
            medication_request_resource(data, item) for item in data.prescription_items
        ],
    }
    resources = [
        patient_resource(data.patient),
        encounter_resource(data, facility.name),
        organization_resource(facility),
        *(
            practitioner_resource(s, data.certificates.get(s.login))
            for s in sorted(data.staff.values(), key=lambda s: s.id)
        ),
        *(r for key in parts for r in parts[key]),
    ]
    if with_composition:
        resources.insert(0, composition_resource(data, facility, parts))
    return resources
