"""The CapabilityStatement at /fhir/metadata: exactly what this server answers."""

from __future__ import annotations

from datetime import datetime

from smarthis.integrations.fhir.common import Resource, instant, validated

FHIR_VERSION = "4.3.0"  # R4B: the fhir.resources models we build with
# Types served by read; the searches below; Encounter's $everything.
READABLE_TYPES = (
    "Patient",
    "Encounter",
    "Condition",
    "Observation",
    "DiagnosticReport",
    "ServiceRequest",
    "ImagingStudy",
    "MedicationRequest",
    "Composition",
    "Practitioner",
    "Organization",
)
SEARCH_PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "Patient": [
        (
            "identifier",
            "token",
            "system|value (CCCD, BHYT card, BHXH number, MRN...); a value alone matches any",
        )
    ],
    "Encounter": [
        ("patient", "reference", "the patient's id, or Patient/id"),
        ("patient.identifier", "token", "chained: the patient's identifier, system|value"),
    ],
}


def capability_statement(base_url: str, software_version: str, published: datetime) -> Resource:
    resources = []
    for resource_type in READABLE_TYPES:
        entry: Resource = {
            "type": resource_type,
            "interaction": [{"code": "read"}],
            "versioning": "no-version",
            "readHistory": False,
            "updateCreate": False,
        }
        if resource_type in SEARCH_PARAMS:
            entry["interaction"].append({"code": "search-type"})
            entry["searchParam"] = [
                {"name": name, "type": kind, "documentation": doc}
                for name, kind, doc in SEARCH_PARAMS[resource_type]
            ]
        if resource_type == "Encounter":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Encounter-everything",
                    "documentation": "the visit's record: a searchset with its Composition",
                }
            ]
        resources.append(entry)
    return validated(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": instant(published),
            "publisher": "SmartHIS",
            "kind": "instance",
            "software": {"name": "SmartHIS", "version": software_version},
            "implementation": {
                "description": "SmartHIS — API FHIR chỉ đọc (read-only FHIR API)",
                "url": base_url,
            },
            "fhirVersion": FHIR_VERSION,
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": (
                            "Bearer token của nhân viên có quyền fhir.read "
                            "(a staff API token with the fhir.read permission)"
                        )
                    },
                    "resource": resources,
                }
            ],
        }
    )
