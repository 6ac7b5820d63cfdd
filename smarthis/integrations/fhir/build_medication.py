"""MedicationRequest: one per drug of the visit's prescription."""

from __future__ import annotations

from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.build_encounter import staff_ref
from smarthis.integrations.fhir.common import Resource, coding, concept, instant, ref
from smarthis.integrations.fhir.visit_data import VisitData
from smarthis.pharmacy.models import PrescriptionItem


def drug_text(item: PrescriptionItem) -> str:
    brand = f" ({item.brand_name})" if item.brand_name else ""
    return f"{item.active_ingredient} {item.strength}{brand} - {item.dosage_form}"


def medication_request_resource(data: VisitData, item: PrescriptionItem) -> Resource:
    prescription = data.prescription
    assert prescription is not None
    issued = prescription.status == "issued"
    resource: Resource = {
        "resourceType": "MedicationRequest",
        "id": str(item.id),
        "groupIdentifier": {
            "system": systems.prescription(prescription.facility_code),
            "value": str(prescription.id),
        },
        "status": "active" if issued else "draft",
        "intent": "order",
        "medicationCodeableConcept": concept(
            coding(systems.LOCAL_DRUG, item.drug_code, drug_text(item)), text=drug_text(item)
        ),
        "subject": ref("Patient", data.visit.patient_id),
        "encounter": ref("Encounter", data.visit.id),
        "authoredOn": instant(prescription.issued_at or prescription.prescribed_at),
        "dosageInstruction": [
            {"sequence": 1, "text": item.instructions, "route": concept(text=item.route)}
        ],
        "dispenseRequest": {"quantity": {"value": item.quantity, "unit": item.unit}},
    }
    requester = staff_ref(data.staff, prescription.prescribed_by)
    if requester is not None:
        resource["requester"] = requester
    if item.days:
        resource["dispenseRequest"]["expectedSupplyDuration"] = {
            "value": item.days,
            "unit": "ngày",
            "system": systems.UCUM,
            "code": "d",
        }
    main = [d for d in data.diagnoses if d.is_main]
    if main:
        resource["reasonReference"] = [ref("Condition", main[0].id)]
    if prescription.advice:
        resource["note"] = [{"text": prescription.advice}]
    return resource
