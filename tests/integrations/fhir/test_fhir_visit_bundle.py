"""A concluded visit exported as a FHIR R4B document: it parses back with fhir.resources,
every reference resolves inside the bundle, and the codes a receiving system needs are
there (identifier systems, ICD-10, LOINC + UCUM vital signs, lab values with their local
code and LOINC, the report's observations, the study UID, dosage text, the facility code)."""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.bundle import unresolved_references
from smarthis.integrations.fhir.export import visit_document
from smarthis.integrations.fhir.visit_data import Facility
from smarthis.security.principal import system_principal
from tests.apphelpers import FACILITY
from tests.integrations.fhir.visit_flow import (
    BHYT,
    CCCD,
    DOCTOR,
    FULL_NAME,
    NURSE,
    STUDY_UID,
    FullVisit,
    full_visit,
)

HOSPITAL = Facility(FACILITY, "Bệnh viện Ung bướu tỉnh (demo)")


@pytest.fixture
def visit(db: Database) -> FullVisit:
    return full_visit(db)


def export(db: Database, visit_id: int) -> dict[str, Any]:
    with db.session() as s:
        row = s.get(Visit, visit_id)
        assert row is not None
        return visit_document(s, row, HOSPITAL)


def by_type(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def codes(resource: dict[str, Any], key: str = "code") -> dict[str, str]:
    return {c["system"]: c["code"] for c in resource[key].get("coding", [])}


def test_the_document_parses_back_and_every_reference_resolves(db: Database, visit) -> None:
    bundle = export(db, visit.visit_id)
    parsed = Bundle.model_validate(bundle)  # raises on any invalid element
    assert parsed.type == "document"
    assert unresolved_references(bundle) == []
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    assert kinds == {
        "Composition": 1,
        "Patient": 1,
        "Encounter": 1,
        "Organization": 1,
        "Practitioner": 5,  # doctor, nurse, two lab technicians, one radiologist
        "Condition": 2,
        "Observation": 7 + 2,  # 7 vital signs (BP as one, BMI computed) + 2 lab values
        "ServiceRequest": 4,
        "DiagnosticReport": 3,  # glucose, ALT, the X-ray; the ultrasound has no result
        "ImagingStudy": 1,
        "MedicationRequest": 2,
    }
    # Exporting twice names every resource the same way (stable urn:uuid).
    again = export(db, visit.visit_id)
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in bundle["entry"]]


def test_a_reference_to_nothing_is_found(db: Database, visit) -> None:
    bundle = export(db, visit.visit_id)
    condition = by_type(bundle, "Condition")[0]
    condition["subject"]["reference"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert unresolved_references(bundle) == ["urn:uuid:00000000-0000-4000-8000-000000000000"]


def test_patient_identifiers_and_vietnamese_name(db: Database, visit) -> None:
    (patient,) = by_type(export(db, visit.visit_id), "Patient")
    found = {i["system"]: i["value"] for i in patient["identifier"]}
    assert found[systems.CCCD] == CCCD
    assert found[systems.BHYT_CARD] == BHYT
    assert found[systems.BHXH_NUMBER] == BHYT[-10:]
    assert systems.mrn(FACILITY) in found
    (name,) = patient["name"]
    assert name == {"use": "official", "text": FULL_NAME, "family": "Lê", "given": ["Văn", "Cường"]}
    assert patient["gender"] == "male" and patient["birthDate"] == "1958-11-20"


def test_encounter_organization_and_conditions(db: Database, visit) -> None:
    bundle = export(db, visit.visit_id)
    (encounter,) = by_type(bundle, "Encounter")
    assert encounter["status"] == "finished"
    assert encounter["class"]["code"] == "AMB"
    assert encounter["identifier"][0]["value"] == visit.visit_number
    assert encounter["period"]["start"].endswith("+07:00") and "end" in encounter["period"]
    disposition = codes(encounter["hospitalization"], "dischargeDisposition")
    assert disposition[systems.DISCHARGE_DISPOSITION] == "home"
    (organization,) = by_type(bundle, "Organization")
    assert organization["identifier"][0] == {
        "use": "official",
        "system": systems.FACILITY,
        "value": FACILITY,
    }
    conditions = {codes(c)[systems.ICD10]: c for c in by_type(bundle, "Condition")}
    assert set(conditions) == {"J18.9", "I10"}
    main = next(d for d in encounter["diagnosis"] if d["rank"] == 1)
    assert main["condition"]["reference"] == next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is conditions["J18.9"]
    )


def test_vital_signs_carry_loinc_and_ucum(db: Database, visit) -> None:
    vitals = [
        o
        for o in by_type(export(db, visit.visit_id), "Observation")
        if o["category"][0]["coding"][0]["code"] == "vital-signs"
    ]
    loinc = {codes(o)[systems.LOINC]: o for o in vitals}
    assert set(loinc) == {"85354-9", "8867-4", "8310-5", "59408-5", "8302-2", "29463-7", "39156-5"}
    assert loinc["8310-5"]["valueQuantity"] == {
        "value": 37.9,
        "unit": "Cel",
        "system": systems.UCUM,
        "code": "Cel",
    }
    assert loinc["8867-4"]["valueQuantity"]["code"] == "/min"
    pressure = {
        c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"]
        for c in loinc["85354-9"]["component"]
    }
    assert pressure == {"8480-6": 135, "8462-4": 85}
    assert (
        "http://hl7.org/fhir/StructureDefinition/vitalsigns" in loinc["8867-4"]["meta"]["profile"]
    )
    assert loinc["39156-5"]["valueQuantity"]["value"] == 22.0  # 60 kg / 1.65 m squared


def test_lab_values_and_their_report(db: Database, visit) -> None:
    bundle = export(db, visit.visit_id)
    labs = {
        codes(o)[systems.LOCAL_ANALYTE]: o
        for o in by_type(bundle, "Observation")
        if o["category"][0]["coding"][0]["code"] == "laboratory"
    }
    glucose, alt = labs["GLU"], labs["ALT"]
    assert codes(glucose)[systems.LOINC] == "14749-6"
    assert glucose["status"] == "final" and alt["status"] == "preliminary"
    assert glucose["valueQuantity"] == {
        "value": 7.8,
        "unit": "mmol/L",
        "system": systems.UCUM,
        "code": "mmol/L",
    }
    assert glucose["interpretation"][0]["coding"][0]["code"] == "H"
    reports = {codes(r)[systems.LOCAL_SERVICE]: r for r in by_type(bundle, "DiagnosticReport")}
    url_of = {id(e["resource"]): e["fullUrl"] for e in bundle["entry"]}
    assert reports["XN-GLU"]["status"] == "final"
    assert [r["reference"] for r in reports["XN-GLU"]["result"]] == [url_of[id(glucose)]]
    assert reports["XN-ALT"]["status"] == "preliminary"


def test_imaging_report_and_study(db: Database, visit) -> None:
    bundle = export(db, visit.visit_id)
    (study,) = by_type(bundle, "ImagingStudy")
    assert {"system": systems.DICOM_UID, "value": f"urn:oid:{STUDY_UID}"} in study["identifier"]
    assert study["modality"][0]["code"] == "DX"
    xray = next(
        r
        for r in by_type(bundle, "DiagnosticReport")
        if codes(r)[systems.LOCAL_SERVICE] == "XQ-NGUC"
    )
    assert xray["status"] == "final"
    assert xray["conclusion"] == "Hình ảnh viêm phổi thuỳ dưới phải"
    text = base64.b64decode(xray["presentedForm"][0]["data"]).decode()
    assert "Mô tả: Đám mờ đáy phổi phải" in text
    study_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is study)
    assert xray["imagingStudy"] == [{"reference": study_url}]
    # The second radiologist has no staff row: named, not pointed to.
    assert {"display": "cdha.ngoai"} in xray["resultsInterpreter"]


def test_prescription_and_composition(db: Database, visit) -> None:
    bundle = export(db, visit.visit_id)
    medications = by_type(bundle, "MedicationRequest")
    assert {m["status"] for m in medications} == {"active"}
    amox = next(
        m
        for m in medications
        if codes(m, "medicationCodeableConcept")[systems.LOCAL_DRUG] == "T-AMCL1G"
    )
    assert amox["dosageInstruction"][0]["text"] == "Uống 1 viên/lần × 2 lần/ngày, sau ăn"
    assert amox["dispenseRequest"]["quantity"]["value"] == 14
    assert amox["dispenseRequest"]["expectedSupplyDuration"]["code"] == "d"
    (composition,) = by_type(bundle, "Composition")
    assert composition["status"] == "final"
    titles = [s["title"] for s in composition["section"]]
    assert titles == [
        "Lý do khám",
        "Bệnh sử",
        "Khám lâm sàng",
        "Dấu hiệu sinh tồn",
        "Chẩn đoán",
        "Cận lâm sàng",
        "Đơn thuốc",
        "Hướng xử trí",
    ]
    plan = composition["section"][-1]["text"]["div"]
    assert "Cho về" in plan and "Tái khám sau 7 ngày nếu còn ho" in plan
    assert "attester" not in composition  # nothing is signed yet: no signature is claimed


def test_an_open_visit_is_a_preliminary_document(db: Database) -> None:
    visit = full_visit(db, concluded=False)
    bundle = export(db, visit.visit_id)
    Bundle.model_validate(bundle)
    assert unresolved_references(bundle) == []
    (composition,) = by_type(bundle, "Composition")
    (encounter,) = by_type(bundle, "Encounter")
    assert composition["status"] == "preliminary"
    assert encounter["status"] == "in-progress" and "end" not in encounter["period"]


def test_a_practitioner_carries_the_practising_certificate_on_file(db: Database, visit) -> None:
    staff_service = pytest.importorskip("smarthis.staff.service")
    with db.session() as s:
        staff_service.save_profile(
            s,
            system_principal(FACILITY),
            DOCTOR.name,
            title="BS",
            department_code=None,
            specialty=None,
            certificate_number="000123/BYT-CCHN",
        )
    practitioners = {
        p["identifier"][0]["value"]: p for p in by_type(export(db, visit.visit_id), "Practitioner")
    }
    doctor = practitioners[DOCTOR.name]
    assert doctor["name"][0]["text"] == "Trần Thị Lan"
    assert doctor["qualification"][0]["identifier"][0] == {
        "system": systems.PRACTISING_CERTIFICATE,
        "value": "000123/BYT-CCHN",
    }
    # The nurse has no certificate on file: none is made up.
    assert "qualification" not in practitioners[NURSE.name]
