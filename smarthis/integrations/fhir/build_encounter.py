"""Encounter (the visit), Condition (its ICD-10 diagnoses) and vital-signs Observations."""

from __future__ import annotations

from smarthis.clinical.examination_models import VisitDiagnosis, VitalSigns
from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.common import Resource, coding, concept, instant, ref
from smarthis.integrations.fhir.terminology import (
    BLOOD_PRESSURE,
    DIASTOLIC,
    SYSTOLIC,
    VITAL_SIGNS,
    VITALS_PANEL_PROFILE,
    VitalSign,
)
from smarthis.integrations.fhir.visit_data import VisitData
from smarthis.security.models import Staff

# visit.status -> Encounter.status; statuses other domains add (waiting for results...)
# are an open visit: in progress.
ENCOUNTER_STATUS = {
    "registered": "arrived",
    "concluded": "finished",
    "cancelled": "cancelled",
}
CONCLUSION_NAMES_VI = {
    "home": "Cho về (kê đơn điều trị ngoại trú)",
    "follow_up": "Hẹn tái khám",
    "admit": "Nhập viện điều trị nội trú",
    "referral": "Chuyển tuyến / chuyển viện",
}
# How the visit ended -> discharge-disposition ("oth" with our code for an admission: the
# standard list has no "admitted to this hospital").
DISPOSITION = {
    "home": ("home", "Home"),
    "follow_up": ("home", "Home"),
    "admit": ("oth", "Other"),
    "referral": ("other-hcf", "Other healthcare facility"),
}
# A vital-sign column -> the id part of its Observation (ids allow no underscore).
VITAL_ID_PARTS = {
    "pulse": "pulse",
    "temperature_c": "temperature",
    "respiratory_rate": "respiratory-rate",
    "spo2": "spo2",
    "height_cm": "height",
    "weight_kg": "weight",
    "bmi": "bmi",
}
BLOOD_PRESSURE_ID_PART = "bp"


def staff_ref(staff: dict[str, Staff], login: str | None) -> Resource | None:
    """A reference to the Practitioner, or the login as text for a system account."""
    if not login:
        return None
    person = staff.get(login)
    if person is None:
        return {"display": login}
    return ref("Practitioner", person.id, person.full_name)


def clean_icd10(code: str) -> str:
    """The printed code without the dagger/asterisk marks of dual classification."""
    return code.rstrip("†*").strip()


def condition_resource(data: VisitData, diagnosis: VisitDiagnosis) -> Resource:
    code = clean_icd10(diagnosis.icd_code)
    resource: Resource = {
        "resourceType": "Condition",
        "id": str(diagnosis.id),
        "clinicalStatus": concept(coding(systems.CONDITION_CLINICAL, "active", "Active")),
        "verificationStatus": concept(
            coding(systems.CONDITION_VERIFICATION, "confirmed", "Confirmed")
        ),
        "category": [
            concept(
                coding(systems.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"),
                text="Chẩn đoán chính" if diagnosis.is_main else "Chẩn đoán kèm theo",
            )
        ],
        "code": concept(
            coding(systems.ICD10, code, diagnosis.name_vi),
            text=f"{diagnosis.icd_code} - {diagnosis.name_vi}",
        ),
        "subject": ref("Patient", data.visit.patient_id),
        "encounter": ref("Encounter", data.visit.id),
        "recordedDate": instant(diagnosis.added_at),
    }
    recorder = staff_ref(data.staff, diagnosis.added_by)
    if recorder is not None:
        resource["recorder"] = recorder
    return resource


def encounter_resource(data: VisitData, facility_name: str) -> Resource:
    visit, exam = data.visit, data.examination
    status = ENCOUNTER_STATUS.get(visit.status, "in-progress")
    emergency = visit.arrival_mode == "emergency"
    resource: Resource = {
        "resourceType": "Encounter",
        "id": str(visit.id),
        "identifier": [
            {
                "use": "official",
                "system": systems.visit_number(visit.facility_code),
                "value": visit.visit_number,
            }
        ],
        "status": status,
        "class": coding(
            systems.V3_ACT_CODE, *(("EMER", "emergency") if emergency else ("AMB", "ambulatory"))
        ),
        "subject": ref("Patient", visit.patient_id),
        "period": {"start": instant(visit.registered_at)},
        "serviceProvider": ref("Organization", visit.facility_code, facility_name),
    }
    if exam is not None:
        doctors = []
        for login in dict.fromkeys([exam.started_by, exam.concluded_by]):
            found = staff_ref(data.staff, login)
            if found is not None:
                doctors.append(
                    {
                        "type": [concept(coding(systems.V3_PARTICIPATION, "ATND", "attender"))],
                        "individual": found,
                    }
                )
        if doctors:
            resource["participant"] = doctors
        if exam.reason:
            resource["reasonCode"] = [concept(text=exam.reason)]
        if exam.concluded_at is not None:
            resource["period"]["end"] = instant(exam.concluded_at)
        if exam.conclusion:
            code, display = DISPOSITION[exam.conclusion]
            resource["hospitalization"] = {
                "dischargeDisposition": concept(
                    coding(systems.DISCHARGE_DISPOSITION, code, display),
                    coding(
                        systems.CONCLUSION, exam.conclusion, CONCLUSION_NAMES_VI[exam.conclusion]
                    ),
                    text=CONCLUSION_NAMES_VI[exam.conclusion],
                )
            }
    if data.diagnoses:
        resource["diagnosis"] = [
            {
                "condition": ref("Condition", d.id),
                "use": concept(
                    coding(systems.DIAGNOSIS_ROLE, "DD", "Discharge diagnosis")
                    if d.is_main
                    else coding(systems.DIAGNOSIS_ROLE, "CM", "Comorbidity diagnosis")
                ),
                "rank": rank,
            }
            for rank, d in enumerate(
                sorted(data.diagnoses, key=lambda d: (not d.is_main, d.position)), start=1
            )
        ]
    return resource


def _quantity(value: float, sign: VitalSign) -> Resource:
    return {"value": value, "unit": sign.unit, "system": systems.UCUM, "code": sign.unit}


def _vital(data: VisitData, row: VitalSigns, id_part: str, sign: VitalSign) -> Resource:
    resource: Resource = {
        "resourceType": "Observation",
        "id": f"vs-{row.id}-{id_part}",
        "meta": {"profile": [VITALS_PANEL_PROFILE, sign.profile]},
        "status": "final",
        "category": [
            concept(
                coding(systems.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs"),
                text="Dấu hiệu sinh tồn",
            )
        ],
        "code": concept(coding(systems.LOINC, sign.loinc, sign.display), text=sign.name_vi),
        "subject": ref("Patient", data.visit.patient_id),
        "encounter": ref("Encounter", data.visit.id),
        "effectiveDateTime": instant(row.measured_at),
    }
    performer = staff_ref(data.staff, row.measured_by)
    if performer is not None:
        resource["performer"] = [performer]
    return resource


def vital_sign_resources(data: VisitData, row: VitalSigns) -> list[Resource]:
    found = []
    if row.systolic is not None and row.diastolic is not None:
        pressure = _vital(data, row, BLOOD_PRESSURE_ID_PART, BLOOD_PRESSURE)
        pressure["component"] = [
            {
                "code": concept(coding(systems.LOINC, code, display)),
                "valueQuantity": _quantity(value, BLOOD_PRESSURE),
            }
            for (code, display), value in ((SYSTOLIC, row.systolic), (DIASTOLIC, row.diastolic))
        ]
        found.append(pressure)
    for column, sign in VITAL_SIGNS.items():
        value = getattr(row, column)
        if value is None:
            continue
        observation = _vital(data, row, VITAL_ID_PARTS[column], sign)
        observation["valueQuantity"] = _quantity(value, sign)
        found.append(observation)
    return found
