"""The URIs our FHIR resources name their identifiers and codes with.

The `https://smarthis.vn/fhir/...` systems stand in until the Ministry of Health publishes
official naming systems for the CCCD, the BHYT card, the BHXH number and the facility code
(MA_CSKCB); changing one is a change here only. Numbers that are unique only inside one
hospital (MRN, visit number, staff login) get a system per facility."""

from __future__ import annotations

BASE = "https://smarthis.vn/fhir"

# --- identifier systems ------------------------------------------------------------------
CCCD = f"{BASE}/sid/cccd"  # chip citizen ID (căn cước công dân), also the VNeID number
BHYT_CARD = f"{BASE}/sid/bhyt"  # health-insurance card code (mã thẻ BHYT), 15 characters
BHXH_NUMBER = f"{BASE}/sid/bhxh"  # 10-digit social-security number
PASSPORT = f"{BASE}/sid/passport"  # value "NAT:number" as the patient index stores it
BIRTH_CERTIFICATE = f"{BASE}/sid/birth-certificate"
PRACTISING_CERTIFICATE = f"{BASE}/sid/cchn"  # chứng chỉ hành nghề (practising certificate)
FACILITY = f"{BASE}/sid/ma-cskcb"  # the facility code of the Ministry (MA_CSKCB)
LOCAL_DRUG = f"{BASE}/CodeSystem/drug"  # the hospital's drug catalogue codes
LOCAL_SERVICE = f"{BASE}/CodeSystem/service"  # the hospital's service codes (SA-BUNG...)
NATIONAL_SERVICE = f"{BASE}/CodeSystem/dvkt"  # the Ministry's technical-service codes
LOCAL_ANALYTE = f"{BASE}/CodeSystem/lab-analyte"  # the lab catalogue's analyte codes
CONCLUSION = f"{BASE}/CodeSystem/visit-conclusion"  # home | follow_up | admit | referral


def mrn(facility_code: str) -> str:
    return f"{BASE}/sid/mrn/{facility_code}"


def visit_number(facility_code: str) -> str:
    return f"{BASE}/sid/visit/{facility_code}"


def staff_login(facility_code: str) -> str:
    return f"{BASE}/sid/staff/{facility_code}"


def temporary_identity(facility_code: str) -> str:
    return f"{BASE}/sid/temporary/{facility_code}"


def order_item(facility_code: str) -> str:
    return f"{BASE}/sid/order-item/{facility_code}"


def accession(facility_code: str) -> str:
    return f"{BASE}/sid/accession/{facility_code}"


def prescription(facility_code: str) -> str:
    return f"{BASE}/sid/prescription/{facility_code}"


# --- standard systems --------------------------------------------------------------------
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
DICOM_UID = "urn:dicom:uid"
DICOM_MODALITY = "http://dicom.nema.org/resources/ontology/DCM"
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
V2_DIAGNOSTIC_SECTION = "http://terminology.hl7.org/CodeSystem/v2-0074"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
DISCHARGE_DISPOSITION = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"

# Times in resources carry the hospital's offset (+07:00), as people read them.
