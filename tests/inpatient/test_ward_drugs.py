"""Doses of catalogue drugs given on the ward are charged on the stay's visit like a
prescription's drug; held or refused doses, and drugs outside the catalogue, are not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from smarthis.billing.models import Charge
from smarthis.catalogs.drugs import find_drug
from smarthis.db import Database, utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.inpatient import care, service
from smarthis.inpatient.models import MedicationAdministration
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.inpatient.helpers import (
    DOCTOR,
    NURSE,
    Patients,
    conclude_admit,
    new_patient,
    new_visit,
    seed_wards,
)


@pytest.fixture
def stay_id(db: Database, ward: Patients) -> int:
    with db.session() as s:
        stay = service.admit(
            s, DOCTOR, service.AdmissionInput(ward_code="NOI", visit_id=ward.an_visit)
        )
        return stay.id


def _give(db: Database, stay_id: int, **given: Any) -> MedicationAdministration:
    with db.session() as s:
        row = care.record_administration(s, NURSE, stay_id, care.AdministrationInput(**given))
        s.expunge(row)
        return row


def _ward_charges(db: Database) -> list[Charge]:
    with db.session() as s:
        rows = s.scalars(
            select(Charge).where(Charge.source_kind == "ward_drug").order_by(Charge.id)
        ).all()
        return [s.expunge(c) or c for c in rows]  # type: ignore[func-returns-value]


def test_a_coded_dose_given_is_charged_at_the_catalogues_prices(
    db: Database, ward: Patients, stay_id: int
) -> None:
    full = _give(db, stay_id, drug_code="t-para500", quantity=2)
    partly = _give(db, stay_id, drug_code="T-EXEM25", quantity=1, dose="1 viên sau ăn")
    assert (full.drug, full.route, full.dose) == ("Panadol (Paracetamol 500 mg)", "uống", "2 viên")
    assert (full.drug_code, full.quantity, full.given_at is not None) == ("T-PARA500", 2, True)
    assert partly.dose == "1 viên sau ăn"
    para, exem = _ward_charges(db)
    assert (para.source_id, para.visit_id, para.item_code) == (full.id, ward.an_visit, "T-PARA500")
    catalogue = find_drug("T-PARA500")
    assert (para.quantity, para.unit, para.name) == (2, "viên", "Panadol (Paracetamol 500 mg)")
    assert (para.hospital_price_vnd, para.insurance_price_vnd) == (catalogue.price_vnd,) * 2
    assert (para.cost_group, para.ratio_insurance, para.in_benefit_list) == (4, 100, True)
    # A drug the fund pays at a ratio is grouped 6, as a prescription's would be.
    assert (exem.source_id, exem.cost_group, exem.ratio_insurance) == (partly.id, 6, 50)
    assert exem.hospital_price_vnd == find_drug("T-EXEM25").price_vnd
    with db.session() as s:
        audited = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "inpatient.medication")
        ).all()
    details = [json.loads(a.detail or "{}") for a in audited]
    assert [d["drug_code"] for d in details] == ["T-PARA500", "T-EXEM25"]
    assert details[0]["charge_id"] == para.id


def test_held_refused_and_free_text_doses_are_not_charged(db: Database, stay_id: int) -> None:
    held = _give(db, stay_id, drug_code="T-PARA500", status="held", reason="Hết sốt")
    _give(db, stay_id, drug_code="T-IBU400", quantity=1, status="refused", reason="Buồn nôn")
    own = _give(db, stay_id, drug="Thuốc bổ tự mang", dose="1 viên", route="Uống")
    assert (held.drug_code, held.quantity, held.given_at) == ("T-PARA500", None, None)
    assert (own.drug_code, own.quantity, own.drug) == (None, None, "Thuốc bổ tự mang")
    assert _ward_charges(db) == []


def test_bad_coded_doses_are_refused_clearly(db: Database, stay_id: int) -> None:
    with pytest.raises(DomainError) as no_quantity:
        _give(db, stay_id, drug_code="T-PARA500")
    assert no_quantity.value.code == "mar_quantity" and no_quantity.value.field == "quantity"
    with pytest.raises(NotFound) as unknown:
        _give(db, stay_id, drug_code="T-KHONGCO", quantity=1)
    assert unknown.value.field == "drug_code"
    with pytest.raises(DomainError) as free_counted:
        _give(db, stay_id, drug="Thuốc tự mang", dose="1", route="Uống", quantity=2)
    assert free_counted.value.code == "mar_quantity_without_code"
    with db.session() as s:
        assert s.scalars(select(MedicationAdministration)).all() == []
    assert _ward_charges(db) == []


def test_doses_are_refused_after_discharge(db: Database, stay_id: int) -> None:
    _give(db, stay_id, drug_code="T-PARA500", quantity=1)
    with db.session() as s:
        service.discharge(
            s, DOCTOR, stay_id, service.DischargeInput(kind="recovered_or_improved", summary="Ổn")
        )
    with pytest.raises(Conflict) as late:
        _give(db, stay_id, drug_code="T-PARA500", quantity=1)
    assert late.value.status_code == 409 and "ra viện" in late.value.message_vi
    assert len(_ward_charges(db)) == 1


def test_the_route_records_a_coded_dose_and_lists_the_catalogue(db: Database) -> None:
    creds = sign_in_every_role(db)
    seed_wards(db)
    with db.session() as s:
        an = new_patient(s, "Nguyễn Văn An", utcnow().date().replace(year=1970), "male")
        visit_id = new_visit(s, an).id
    conclude_admit(db, visit_id)
    client = client_for(make_app(db))
    nurse = creds.headers(Role.NURSE)
    sid = client.post(
        "/api/inpatient/stays", json={"ward": "NOI", "visit_id": visit_id}, headers=nurse
    ).json()["id"]
    catalogue = client.get("/api/inpatient/drugs", headers=nurse).json()
    para = next(d for d in catalogue if d["code"] == "T-PARA500")
    assert (para["unit"], para["route"], para["price_vnd"]) == ("viên", "uống", 1000)
    url = f"/api/inpatient/stays/{sid}/medications"
    given = client.post(url, json={"drug_code": "T-PARA500", "quantity": 2}, headers=nurse)
    assert given.status_code == 201, given.text
    bad = client.post(url, json={"drug_code": "T-PARA500", "quantity": 0}, headers=nurse)
    assert bad.status_code == 422
    record = client.get(f"/api/inpatient/stays/{sid}", headers=nurse).json()
    (dose,) = record["medications"]
    assert (dose["drug_code"], dose["quantity"], dose["dose"]) == ("T-PARA500", 2, "2 viên")
    assert [c.source_id for c in _ward_charges(db)] == [given.json()["id"]]
    assert (
        client.get("/api/inpatient/drugs", headers=creds.headers(Role.CASHIER)).status_code == 403
    )
