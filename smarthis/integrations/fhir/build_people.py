"""Patient, Practitioner and Organization resources."""

from __future__ import annotations

from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.common import (
    Resource,
    coding,
    concept,
    fhir_date,
    human_name,
    ref,
)
from smarthis.integrations.fhir.visit_data import Facility, PatientData
from smarthis.patients.models import PatientIdentifier
from smarthis.security.models import Staff

GENDERS = {"male": "male", "female": "female"}

# Our identifier kinds -> (system, v2-0203 type code, display)
_IDENTIFIER_KINDS: dict[str, tuple[str, str, str]] = {
    "cccd": (systems.CCCD, "NI", "National unique individual identifier"),
    "bhxh": (systems.BHXH_NUMBER, "SB", "Social Beneficiary Identifier"),
    "passport": (systems.PASSPORT, "PPN", "Passport number"),
    "birth_certificate": (systems.BIRTH_CERTIFICATE, "BCT", "Birth Certificate"),
}


def _identifier(system: str, value: str, type_code: str, type_display: str) -> Resource:
    return {
        "use": "official",
        "type": concept(coding(systems.V2_IDENTIFIER_TYPE, type_code, type_display)),
        "system": system,
        "value": value,
    }


def patient_identifiers(
    facility_code: str, mrn: str, rows: list[PatientIdentifier], bhyt_code: str | None
) -> list[Resource]:
    found = [
        {
            **_identifier(systems.mrn(facility_code), mrn, "MR", "Medical record number"),
            "use": "usual",
            "assigner": ref("Organization", facility_code),
        }
    ]
    for row in rows:
        if row.kind == "temporary":
            found.append(
                {
                    "use": "temp",
                    "system": systems.temporary_identity(facility_code),
                    "value": row.value,
                }
            )
        elif row.kind in _IDENTIFIER_KINDS:
            system, code, display = _IDENTIFIER_KINDS[row.kind]
            found.append(_identifier(system, row.value, code, display))
    if bhyt_code:
        found.append(_identifier(systems.BHYT_CARD, bhyt_code, "MB", "Member Number"))
    return found


def patient_resource(data: PatientData) -> Resource:
    patient = data.patient
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "identifier": patient_identifiers(
            patient.facility_code, patient.mrn, data.identifiers, patient.bhyt_code
        ),
        "active": patient.merged_into_id is None,
        "name": [human_name(patient.full_name)],
        "gender": GENDERS.get(patient.sex or "", "unknown"),
        "managingOrganization": ref("Organization", patient.facility_code),
    }
    if patient.is_temporary:
        resource["name"][0]["use"] = "temp"
    if patient.date_of_birth is not None:
        resource["birthDate"] = fhir_date(patient.date_of_birth)
    elif patient.birth_year is not None:
        resource["birthDate"] = f"{patient.birth_year:04d}"  # FHIR allows a year alone
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone, "use": "mobile"}]
    if patient.address:
        address: Resource = {"use": "home", "text": patient.address, "country": "VN"}
        if patient.province_code:
            address["state"] = patient.province_code  # the province's administrative code
        resource["address"] = [address]
    if patient.guardian_name:
        resource["contact"] = [
            {
                "relationship": [
                    concept(
                        coding("http://terminology.hl7.org/CodeSystem/v2-0131", "N", "Next-of-Kin"),
                        text="Người giám hộ",
                    )
                ],
                "name": human_name(patient.guardian_name),
            }
        ]
    return resource


def practitioner_resource(staff: Staff, certificate: str | None = None) -> Resource:
    resource: Resource = {
        "resourceType": "Practitioner",
        "id": str(staff.id),
        "identifier": [
            {
                "use": "usual",
                "system": systems.staff_login(staff.facility_code),
                "value": staff.login,
            }
        ],
        "active": staff.active,
        "name": [human_name(staff.full_name)],
    }
    if certificate:  # only a certificate on file: none is invented
        resource["identifier"].append(
            {"use": "official", "system": systems.PRACTISING_CERTIFICATE, "value": certificate}
        )
        resource["qualification"] = [
            {
                "identifier": [{"system": systems.PRACTISING_CERTIFICATE, "value": certificate}],
                "code": concept(text="Chứng chỉ hành nghề khám bệnh, chữa bệnh"),
            }
        ]
    return resource


def organization_resource(facility: Facility) -> Resource:
    return {
        "resourceType": "Organization",
        "id": facility.code,
        "identifier": [{"use": "official", "system": systems.FACILITY, "value": facility.code}],
        "active": True,
        "type": [
            concept(
                coding(systems.ORGANIZATION_TYPE, "prov", "Healthcare Provider"),
                text="Cơ sở khám bệnh, chữa bệnh",
            )
        ],
        "name": facility.name,
        "address": [{"country": "VN"}],
    }
