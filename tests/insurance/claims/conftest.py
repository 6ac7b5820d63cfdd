"""Fixtures of the claims tests: the XML 130 portal simulator on 127.0.0.1, its client, and
a visit row for the submission status to belong to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.insurance.claims.portal import ClaimsPortalClient
from smarthis.insurance.claims.simulator import create_claims_simulator
from smarthis.patients.models import Patient
from tests.insurance.claims.example import FACILITY
from tests.servers import serve_in_thread

USERNAME = "48001_BV"
PASSWORD = "claims-test-password"


@dataclass
class ClaimsSimulator:
    base_url: str

    def client(self, password: str = PASSWORD, timeout_s: float = 5.0) -> ClaimsPortalClient:
        return ClaimsPortalClient(
            self.base_url,
            USERNAME,
            password,
            province_code="48",
            facility_code=FACILITY,
            timeout_s=timeout_s,
        )

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        response = httpx.request(method, f"{self.base_url}{path}", json=payload, timeout=5)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def claims_simulator() -> Iterator[ClaimsSimulator]:
    app = create_claims_simulator(username=USERNAME, password=PASSWORD, facility_code=FACILITY)
    server = serve_in_thread(app)
    yield ClaimsSimulator(server.base_url)
    server.stop()


@pytest.fixture
def claims_portal(claims_simulator: ClaimsSimulator) -> Iterator[ClaimsPortalClient]:
    claims_simulator.admin("POST", "/_sim/outage", {"down": False})
    client = claims_simulator.client()
    yield client
    client.close()


@pytest.fixture
def visit_id(db: Database) -> int:
    with db.session() as session:
        patient = Patient(
            facility_code=FACILITY,
            mrn="2026000123",
            full_name="Nguyễn Văn An",
            name_folded="nguyen van an",
        )
        session.add(patient)
        session.flush()
        visit = Visit(
            facility_code=FACILITY,
            visit_number="KB000123",
            patient_id=patient.id,
            registered_by="reception",
            arrival_mode="self_referred",
        )
        session.add(visit)
        session.flush()
        return visit.id
