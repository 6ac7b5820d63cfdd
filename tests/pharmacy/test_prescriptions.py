"""The outpatient prescription: catalogue drugs only, whole quantities, controlled drugs
sent to the special form, a main diagnosis before issuing, no change after issuing, audit
of every read and change, the drug search, and the printed ĐƠN THUỐC in Vietnamese."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from smarthis.catalogs.drugs import drugs
from smarthis.db import Database
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PATIENT = {
    "full_name": "Trần Thị Bình",
    "date_of_birth": "1978-07-02",
    "sex": "female",
    "cccd": "048178001234",
}
PARACETAMOL = {
    "drug_code": "T-PARA500",
    "quantity": 20,
    "instructions": "Uống 1 viên/lần × 2 lần/ngày, sau ăn, khi sốt trên 38,5 °C",
    "days": 5,
}
AUGMENTIN = {
    "drug_code": "T-AMCL1G",
    "quantity": 14,
    "instructions": "Uống 1 viên/lần × 2 lần/ngày, sáng và tối, sau ăn",
    "days": 7,
}


@pytest.fixture
def setup(db: Database) -> tuple[TestClient, Credentials, int, int]:
    client, creds = client_for(make_app(db)), sign_in_every_role(db)
    reception = creds.headers(Role.RECEPTIONIST)
    response = client.post("/api/patients", json=PATIENT, headers=reception)
    assert response.status_code == 201, response.text
    patient_id = response.json()["patient"]["id"]
    response = client.post(
        "/api/visits", json={"patient_id": patient_id, "use_insurance": False}, headers=reception
    )
    assert response.status_code == 201, response.text
    visit_id = response.json()["id"]
    doctor = creds.headers(Role.DOCTOR)
    started = client.post(
        f"/api/visits/{visit_id}/examination/start",
        json={"reason": "Sốt, ho có đờm 4 ngày"},
        headers=doctor,
    )
    assert started.status_code == 200, started.text
    return client, creds, visit_id, patient_id


def _post(setup, body: dict[str, Any], role: Role = Role.DOCTOR):
    client, creds, visit_id, _ = setup
    return client.post(
        f"/api/visits/{visit_id}/prescription", json=body, headers=creds.headers(role)
    )


def _diagnose(setup, main: str = "J20.9") -> None:
    client, creds, visit_id, _ = setup
    response = client.put(
        f"/api/visits/{visit_id}/diagnoses",
        json={"main": main, "secondary": ["R50.9"]},
        headers=creds.headers(Role.DOCTOR),
    )
    assert response.status_code == 200, response.text


def _error(response) -> dict[str, Any]:
    return response.json()["error"]


def test_draft_snapshots_the_catalogue_and_totals(setup) -> None:
    response = _post(setup, {"items": [PARACETAMOL, AUGMENTIN], "advice": "Uống nhiều nước"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "draft" and body["issued_at"] is None
    first, second = body["items"]
    assert (first["active_ingredient"], first["strength"], first["brand_name"]) == (
        "Paracetamol",
        "500 mg",
        "Panadol",
    )
    assert (first["quantity"], first["unit"], first["unit_price_vnd"]) == (20, "viên", 1000)
    assert first["insurance_covered"] is True
    assert second["instructions"].startswith("Uống 1 viên/lần × 2 lần/ngày")
    assert body["total_vnd"] == 20 * 1000 + 14 * 12000
    assert body["prescribed_by"] == "t.doctor"


@pytest.mark.parametrize(
    ("item", "code", "field"),
    [
        ({**PARACETAMOL, "drug_code": "T-KHONGCO"}, "drug_unknown", "drug_code"),
        ({**PARACETAMOL, "quantity": 0}, "prescription_quantity", "items[0].quantity"),
        ({**PARACETAMOL, "quantity": -3}, "prescription_quantity", "items[0].quantity"),
        ({**PARACETAMOL, "instructions": "  "}, "prescription_instructions_missing", None),
        ({**PARACETAMOL, "days": 400}, "prescription_days", "items[0].days"),
    ],
)
def test_bad_items_are_refused_with_the_field(setup, item, code, field) -> None:
    response = _post(setup, {"items": [item]})
    assert response.status_code in (404, 422), response.text
    assert _error(response)["code"] == code
    if field:
        assert _error(response)["field"] == field


def test_fractional_quantity_is_refused_by_the_schema(setup) -> None:
    response = _post(setup, {"items": [{**PARACETAMOL, "quantity": 2.5}]})
    assert response.status_code == 422
    assert "quantity" in _error(response)["field"]


def test_the_same_drug_twice_and_an_empty_prescription_are_refused(setup) -> None:
    twice = _post(setup, {"items": [PARACETAMOL, {**PARACETAMOL, "quantity": 10}]})
    assert _error(twice)["code"] == "prescription_duplicate_drug"
    assert _error(_post(setup, {"items": []}))["code"] == "prescription_empty"


@pytest.mark.parametrize("code", ["T-MOR30-LA", "T-DIAZ5", "T-TRAM50"])
def test_controlled_drugs_need_the_special_form(setup, code: str) -> None:
    response = _post(setup, {"items": [PARACETAMOL, {**PARACETAMOL, "drug_code": code}]})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "prescription_controlled_drug"
    assert error["field"] == "items[1].drug_code"
    assert "đơn thuốc gây nghiện/hướng thần" in error["message"]
    assert "chưa có" in error["message"]


def test_drug_search_flags_controlled_drugs(setup) -> None:
    client, creds, _, _ = setup
    response = client.get("/api/catalog/drugs?q=morphin", headers=creds.headers(Role.NURSE))
    assert response.status_code == 200
    hits = response.json()
    assert {h["code"] for h in hits} == {"T-MOR10-ONG", "T-MOR30-LA"}
    assert all(h["needs_special_prescription"] and h["controlled"] == "gây nghiện" for h in hits)
    para = client.get("/api/catalog/drugs?q=panadol", headers=creds.headers(Role.DOCTOR)).json()
    assert para[0]["code"] == "T-PARA500" and para[0]["needs_special_prescription"] is False
    kiosk = client.get("/api/catalog/drugs?q=para", headers=creds.headers(Role.KIOSK))
    assert kiosk.status_code == 403


def test_issuing_needs_a_main_diagnosis_then_freezes(setup) -> None:
    refused = _post(setup, {"items": [PARACETAMOL], "issue": True})
    assert refused.status_code == 422
    assert _error(refused)["code"] == "prescription_main_diagnosis_missing"
    _diagnose(setup)
    issued = _post(setup, {"items": [PARACETAMOL, AUGMENTIN], "issue": True})
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["status"] == "issued" and body["issued_at"]
    assert body["diagnosis_text"].startswith("J20.9 - ")
    assert "R50.9" in body["diagnosis_text"]
    again = _post(setup, {"items": [PARACETAMOL]})
    assert again.status_code == 409 and _error(again)["code"] == "prescription_issued"


def test_only_doctors_write_and_reading_is_audited(db: Database, setup) -> None:
    client, creds, visit_id, patient_id = setup
    assert _post(setup, {"items": [PARACETAMOL]}, role=Role.NURSE).status_code == 403
    assert _post(setup, {"items": [PARACETAMOL]}, role=Role.PHARMACIST).status_code == 403
    missing = client.get(
        f"/api/visits/{visit_id}/prescription", headers=creds.headers(Role.PHARMACIST)
    )
    assert missing.status_code == 404 and _error(missing)["code"] == "prescription_not_found"
    assert _post(setup, {"items": [PARACETAMOL]}).status_code == 200
    read = client.get(
        f"/api/visits/{visit_id}/prescription", headers=creds.headers(Role.PHARMACIST)
    )
    assert read.status_code == 200 and read.json()["items"][0]["drug_code"] == "T-PARA500"
    with db.session() as session:
        actions = list(
            session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.patient_id == patient_id)
                .order_by(AuditEntry.id)
            ).scalars()
        )
    assert "prescription.save" in actions
    assert actions.count("prescription.read") == 1  # the 404 rolled its entry back


def test_prescription_needs_a_started_examination(db: Database, setup) -> None:
    client, creds, _, patient_id = setup
    reception = creds.headers(Role.RECEPTIONIST)
    other = client.post(
        "/api/visits", json={"patient_id": patient_id, "use_insurance": False}, headers=reception
    )
    assert other.status_code == 201, other.text
    response = client.post(
        f"/api/visits/{other.json()['id']}/prescription",
        json={"items": [PARACETAMOL]},
        headers=creds.headers(Role.DOCTOR),
    )
    assert response.status_code == 409
    assert _error(response)["code"] == "examination_not_started"


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _render(content: bytes, name: str) -> None:
    import pypdfium2

    SCREENSHOTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(content)[0]
    page.render(scale=2).to_pil().save(SCREENSHOTS / name)


def test_printed_prescription_is_an_a5_don_thuoc_in_vietnamese(setup) -> None:
    client, creds, visit_id, _ = setup
    client.patch(
        f"/api/visits/{visit_id}/examination",
        json={"advice": "Tái khám nếu sốt quá 3 ngày"},
        headers=creds.headers(Role.DOCTOR),
    )
    _diagnose(setup)
    issued = _post(
        setup, {"items": [PARACETAMOL, AUGMENTIN], "advice": "Uống nhiều nước", "issue": True}
    )
    assert issued.status_code == 200, issued.text
    response = client.get(
        f"/api/visits/{visit_id}/prescription.pdf", headers=creds.headers(Role.PHARMACIST)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (420, 595)  # A5 portrait, in points
    text = _pdf_text(response.content)
    for expected in (
        "ĐƠN THUỐC",
        "TRẦN THỊ BÌNH",
        "Nữ",
        "J20.9",
        "1. SL: 20 viên Paracetamol 500 mg (Panadol)",
        "2. SL: 14 viên Amoxicilin + acid clavulanic 875 mg + 125 mg (Augmentin)",
        "Uống 1 viên/lần × 2 lần/ngày, sau ăn",
        "Lời dặn:",
        "Uống nhiều nước",
        "Tái khám nếu sốt quá 3 ngày",
        "BÁC SĨ KHÁM BỆNH",
        "Nhân viên doctor",
        "Tuổi: 48 Giới tính: Nữ",
    ):
        assert expected in text, expected
    _render(response.content, "prescription_a5.png")


def test_a_long_prescription_flows_onto_a_second_page(setup) -> None:
    client, creds, visit_id, _ = setup
    ordinary = [d.code for d in drugs().values() if not d.needs_special_prescription][:18]
    items = [
        {"drug_code": code, "quantity": 10, "instructions": "Uống 1 viên/lần × 2 lần/ngày"}
        for code in ordinary
    ]
    assert _post(setup, {"items": items}).status_code == 200
    response = client.get(
        f"/api/visits/{visit_id}/prescription.pdf", headers=creds.headers(Role.DOCTOR)
    )
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    text = _pdf_text(response.content)
    assert "BẢN NHÁP" in text and "18." in text and "Trang 2" in text
    assert "BÁC SĨ KHÁM BỆNH" in reader.pages[-1].extract_text()
    _render(response.content, "prescription_a5_long_page1.png")


def test_age_is_in_months_under_72_months() -> None:
    from datetime import date

    from smarthis.patients.models import Patient
    from smarthis.pharmacy.prescription_pdf import age_text

    child = Patient(date_of_birth=date(2024, 6, 15), birth_year=2024)
    assert age_text(child, date(2026, 6, 14)) == "23 tháng tuổi"
    assert age_text(child, date(2030, 6, 15)) == "6 tuổi"
    assert age_text(Patient(birth_year=1958), date(2026, 1, 1)) == "68 tuổi"
