"""The read-only /fhir API over a concluded visit: metadata, reads of every resource of the
visit's record, searches by patient identifier, the visit's $everything, OperationOutcome
errors (404, 400, 401, 403), and an audit entry for every read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from sqlalchemy import select

from smarthis.db import Database
from smarthis.integrations.fhir import systems
from smarthis.integrations.fhir.bundle import unresolved_references
from smarthis.integrations.fhir.capability import READABLE_TYPES
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import FACILITY, Credentials, client_for, make_app, sign_in_every_role
from tests.integrations.fhir.visit_flow import BHYT, CCCD, FullVisit, full_visit

FHIR = {"Accept": "application/fhir+json"}


@dataclass
class Api:
    client: TestClient
    creds: Credentials
    visit: FullVisit
    db: Database

    def get(self, path: str, role: Role = Role.DOCTOR, **params: str) -> httpx.Response:
        return self.client.get(path, params=params, headers={**FHIR, **self.creds.headers(role)})

    def ok(self, path: str, **params: str) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/fhir+json")
        return response.json()


@pytest.fixture
def api(db: Database) -> Iterator[Api]:
    visit = full_visit(db)
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))
    yield Api(client, creds, visit, db)
    client.close()


def outcome(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    OperationOutcome.model_validate(body)
    return body["issue"][0]


def test_metadata_lists_exactly_what_is_served(api: Api) -> None:
    statement = api.ok("/fhir/metadata")
    CapabilityStatement.model_validate(statement)
    (rest,) = statement["rest"]
    served = {r["type"]: r for r in rest["resource"]}
    assert tuple(served) == READABLE_TYPES
    assert {p["name"] for p in served["Patient"]["searchParam"]} == {"identifier"}
    assert {p["name"] for p in served["Encounter"]["searchParam"]} == {
        "patient",
        "patient.identifier",
    }
    assert served["Encounter"]["operation"][0]["name"] == "everything"
    assert "searchParam" not in served["Observation"]


def test_everything_is_a_valid_searchset_and_each_entry_reads_back(api: Api) -> None:
    bundle = api.ok(f"/fhir/Encounter/{api.visit.visit_id}/$everything")
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"])
    assert unresolved_references(bundle) == []
    assert bundle["entry"][0]["fullUrl"] == (
        f"http://127.0.0.1/fhir/Composition/visit-{api.visit.visit_id}"
    )
    for entry in bundle["entry"]:
        resource = entry["resource"]
        read = api.ok(f"/fhir/{resource['resourceType']}/{resource['id']}")
        assert read == resource


def test_patient_search_by_identifier(api: Api) -> None:
    by_cccd = api.ok("/fhir/Patient", identifier=f"{systems.CCCD}|{CCCD}")
    assert by_cccd["type"] == "searchset" and by_cccd["total"] == 1
    patient = by_cccd["entry"][0]["resource"]
    assert patient["id"] == str(api.visit.patient_id)
    mrn = next(i["value"] for i in patient["identifier"] if i["system"] == systems.mrn(FACILITY))
    for token in (f"{systems.BHYT_CARD}|{BHYT}", f"{systems.mrn(FACILITY)}|{mrn}", CCCD):
        assert api.ok("/fhir/Patient", identifier=token)["total"] == 1, token
    assert api.ok("/fhir/Patient", identifier=f"{systems.CCCD}|048058009999")["total"] == 0
    assert api.ok("/fhir/Patient", identifier=f"{systems.BHYT_CARD}|{CCCD}")["total"] == 0
    assert api.ok("/fhir/Patient", identifier=f"http://example.org/other|{CCCD}")["total"] == 0


def test_encounter_search_by_patient_and_by_patient_identifier(api: Api) -> None:
    visit_id = str(api.visit.visit_id)
    for params in (
        {"patient": str(api.visit.patient_id)},
        {"patient": f"Patient/{api.visit.patient_id}"},
        {"patient.identifier": f"{systems.CCCD}|{CCCD}"},
    ):
        found = api.ok("/fhir/Encounter", **params)
        assert [e["resource"]["id"] for e in found["entry"]] == [visit_id], params
        Bundle.model_validate(found)
    assert api.ok("/fhir/Encounter", patient="999999")["total"] == 0


def test_unknown_ids_and_types_are_404(api: Api) -> None:
    for path in (
        "/fhir/Patient/999999",
        "/fhir/Patient/abc",
        "/fhir/Observation/lab-999999",
        "/fhir/Observation/vs-1-nothing",
        "/fhir/Organization/99999",
        f"/fhir/Encounter/{api.visit.visit_id + 1000}/$everything",
        "/fhir/Medication/1",
    ):
        issue = outcome(api.get(path), 404)
        assert issue["code"] in ("not-found", "not-supported"), path
        assert issue["details"]["text"], path


def test_bad_searches_are_400(api: Api) -> None:
    for path, params in (
        ("/fhir/Patient", {"name": "Cường"}),
        ("/fhir/Patient", {}),
        ("/fhir/Patient", {"identifier": f"{systems.CCCD}|"}),
        ("/fhir/Encounter", {"patient": "Patient/x"}),
        ("/fhir/Encounter", {"subject": "1"}),
        ("/fhir/Observation", {"patient": "1"}),
    ):
        issue = outcome(api.get(path, **params), 400)
        assert issue["code"] in ("invalid", "not-supported"), (path, params)


def test_who_may_read(api: Api) -> None:
    path = f"/fhir/Patient/{api.visit.patient_id}"
    assert api.get(path, Role.ADMIN).status_code == 200
    for role in (Role.RECEPTIONIST, Role.NURSE, Role.CASHIER, Role.KIOSK):
        assert outcome(api.get(path, role), 403)["code"] == "forbidden", role
    anonymous = api.client.get(path, headers=FHIR)
    assert outcome(anonymous, 401)["code"] == "login"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    # A browser without a session is sent to the sign-in page, as on every page.
    browser = api.client.get(path, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"].startswith("/login")


def test_every_read_is_audited(api: Api) -> None:
    def entries() -> list[AuditEntry]:
        with api.db.session() as s:
            return list(
                s.execute(select(AuditEntry).where(AuditEntry.action.like("fhir.%"))).scalars()
            )

    assert entries() == []
    api.ok(f"/fhir/Patient/{api.visit.patient_id}")
    api.ok(f"/fhir/Encounter/{api.visit.visit_id}")
    api.ok("/fhir/Patient", identifier=CCCD)
    api.ok(f"/fhir/Encounter/{api.visit.visit_id}/$everything")
    found = [(e.action, e.patient_id, e.actor) for e in entries()]
    doctor = "t.doctor"
    patient = api.visit.patient_id
    assert found == [
        ("fhir.read", patient, doctor),
        ("fhir.read", patient, doctor),
        ("fhir.search", patient, doctor),
        ("fhir.everything", patient, doctor),
    ]


def test_another_hospitals_patient_is_not_found(api: Api) -> None:
    from smarthis.patients.models import Patient

    with api.db.session() as s:
        other = Patient(
            facility_code="79001",
            mrn="2026999999",
            full_name="Nguyễn Thị Khác",
            name_folded="nguyen thi khac",
            sex="female",
        )
        s.add(other)
        s.flush()
        other_id = other.id
    assert outcome(api.get(f"/fhir/Patient/{other_id}"), 404)["code"] == "not-found"
    assert api.ok("/fhir/Patient", identifier="2026999999")["total"] == 0
    assert api.ok("/fhir/Encounter", patient=str(other_id))["total"] == 0
