"""Random JSON thrown at the inpatient routes never yields a 500: a specific 4xx with
`error.code` and a Vietnamese `error.message`, or success."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarthis.db import Database
from smarthis.inpatient import service
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.inpatient.helpers import DOCTOR, Patients, seed_hospital

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = [
    "ward",
    "bed",
    "visit_id",
    "patient_id",
    "kind",
    "icd_code",
    "status",
    "pulse",
    "temperature_c",
    "systolic",
    "diastolic",
    "spo2",
    "weight_kg",
    "note",
    "drug",
    "dose",
    "route",
    "reason",
    "summary",
    "scheduled_at",
    "subjective",
    "admitted_from",
]
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=5) | values
PATHS = [
    "/api/inpatient/stays",
    "/api/inpatient/stays/{sid}/bed",
    "/api/inpatient/stays/{sid}/vitals",
    "/api/inpatient/stays/{sid}/nursing-notes",
    "/api/inpatient/stays/{sid}/progress-notes",
    "/api/inpatient/stays/{sid}/medications",
    "/api/inpatient/stays/{sid}/discharge",
    "/api/inpatient/beds/NOI-102-3/status",
]


@pytest.fixture
def target(db: Database) -> Iterator[tuple[Any, dict[str, str], int]]:
    creds = sign_in_every_role(db)
    ward: Patients = seed_hospital(db)
    with db.session() as s:
        stay = service.admit(
            s, DOCTOR, service.AdmissionInput(ward_code="NOI", visit_id=ward.an_visit)
        )
    yield client_for(make_app(db)), creds.headers(Role.DOCTOR), stay.id


@pytest.mark.parametrize("path", PATHS)
def test_random_json_gets_a_4xx_not_a_500(target, path: str) -> None:
    client, headers, stay_id = target

    @FUZZ
    @given(body=bodies)
    def throw(body: Any) -> None:
        response = client.post(path.format(sid=stay_id), json=body, headers=headers)
        assert response.status_code < 500, (body, response.text)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"]

    throw()
