"""Schemathesis against the running app (uvicorn on 127.0.0.1, its own /openapi.json), signed
in as each role in turn and as nobody: no operation answers 5xx, every 4xx says which error
(`error.code` and a message), and what succeeds has the documented content type and shape.

Bounded for `make test` (a few examples per operation, derandomized); run it bigger by hand:
    SMARTHIS_SCHEMATHESIS_EXAMPLES=50 .venv/bin/pytest tests/badinput/test_schemathesis_roles.py
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import response_schema_conformance
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation

from smarthis.db import Database
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, make_app, sign_in_every_role
from tests.badinput.seed import SeededIds, seed_hospital
from tests.conftest import BhxhSimulator, empty_all_tables
from tests.servers import RunningServer, serve_in_thread

EXAMPLES = int(os.environ.get("SMARTHIS_SCHEMATHESIS_EXAMPLES", "4"))
REQUEST_TIMEOUT_S = 30  # a hang is a failure too, not a stuck test run
# Server-sent event streams stay open until the client leaves: a request would wait for the
# timeout instead of an answer. Their opening checks (permission, unknown room or visit) are
# covered by tests/queueing/test_event_stream.py and the results stream tests.
STREAMS = {
    "GET /api/display/room/{code}/events": "door display stream (SSE)",
    "GET /api/display/{area}/events": "area board stream (SSE)",
    "GET /api/visits/{visit_id}/events": "visit results stream (SSE)",
    "GET /api/me/critical-results": "doctor's critical results stream (SSE)",
}
# 5xx found in code still being written elsewhere would be left out here (operation label or
# label prefix) with the reason; none are left out now.
IN_PROGRESS_ELSEWHERE: dict[str, str] = {}
# FHIR answers in its own format (OperationOutcome, application/fhir+json) and is being
# built by another team: for these only "no 5xx" is checked.
OWN_ERROR_FORMAT_PREFIXES = ("/fhir/",)
# FastAPI documents these as JSON; the route answers a file.
FILE_TYPES = {"pdf": "application/pdf", ".png": "image/png", ".csv": "text/csv"}
PATH_PARAMETER = re.compile(r"{([^}]+)}")
ROLES: list[Role | None] = [None, *Role]


@dataclass
class RunningHis:
    base_url: str
    creds: Credentials
    seeded: SeededIds
    operations: list[APIOperation]
    session: requests.Session = field(default_factory=requests.Session)

    def headers(self, role: Role | None) -> dict[str, str]:
        return self.creds.headers(role) if role is not None else {}


@pytest.fixture(scope="module")
def his(
    _shared_database: Database,
    bhxh_simulator: BhxhSimulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningHis]:
    empty_all_tables(_shared_database)
    creds = sign_in_every_role(_shared_database)
    seeded = seed_hospital(_shared_database)
    portal = bhxh_simulator.client()
    data_dir = tmp_path_factory.mktemp("schemathesis-data")
    server: RunningServer = serve_in_thread(
        make_app(_shared_database, portal=portal, data_dir=data_dir)
    )
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    running = RunningHis(
        server.base_url,
        creds,
        seeded,
        [op for op in operations if not left_out(op.label)],
    )
    yield running
    running.session.close()
    server.stop()
    portal.close()
    empty_all_tables(_shared_database)


def left_out(label: str) -> bool:
    return label in STREAMS or label.startswith(tuple(IN_PROGRESS_ELSEWHERE))


def cases_for(op: APIOperation, seeded: SeededIds) -> st.SearchStrategy[Case]:
    """Valid and invalid input from the schema, plus valid input aimed at the seeded rows."""
    strategies = [
        op.as_strategy(GenerationMode.POSITIVE),
        op.as_strategy(GenerationMode.NEGATIVE),
    ]
    known = {
        name: value
        for name, value in seeded.path_values().items()
        if name in PATH_PARAMETER.findall(op.path)
    }
    if known:
        strategies.append(op.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
    return st.one_of(strategies)


def documented_types(op: APIOperation, status: int) -> set[str]:
    for suffix, media_type in FILE_TYPES.items():
        if op.path.endswith(suffix):
            return {media_type}
    responses = op.definition.raw.get("responses", {})
    documented = responses.get(str(status)) or responses.get("default") or {}
    return set(documented.get("content", {}))


def header(response: Response, name: str) -> str:
    values = response.headers.get(name.lower()) or [""]
    return values[0]


def problems_with(op: APIOperation, case: Case, response: Response) -> list[str]:
    """What the house rules say is wrong with this answer (empty when it is fine)."""
    status = response.status_code
    content_type = header(response, "content-type").split(";")[0].strip()
    if status >= 500:
        return [f"{status}: {response.text[:200]}"]
    if op.path.startswith(OWN_ERROR_FORMAT_PREFIXES) or 300 <= status < 400:
        return []  # a redirect (pages send the signed-out to /login) is not followed
    if status >= 400:
        if content_type != "application/json":
            return [f"{status} answered as {content_type!r}, not a JSON error"]
        error = (response.json() or {}).get("error") if response.content else None
        if not (isinstance(error, dict) and error.get("code") and error.get("message")):
            return [f"{status} without error.code/error.message: {response.text[:200]}"]
        return []
    if status in (204, 304) or not response.content:
        return []
    expected = documented_types(op, status)
    if expected and content_type not in expected:
        return [f"{status} answered as {content_type!r}, documented {sorted(expected)}"]
    if content_type == "application/json":
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except Exception as exc:  # schemathesis raises a group of check failures
            return [f"{status} does not match its schema: {str(exc)[:300]}"]
    return []


def describe(case: Case) -> str:
    body = case.body if case.body is not None and type(case.body).__name__ != "NotSet" else None
    parts = [f"path={case.path_parameters}", f"query={case.query}"]
    if body is not None:
        parts.append(f"body={json.dumps(body, ensure_ascii=False, default=str)[:200]}")
    return " ".join(parts)


def exercise(his: RunningHis, op: APIOperation, role: Role | None) -> list[str]:
    """Up to EXAMPLES generated requests; the first problem of each kind is reported."""
    found: dict[str, str] = {}
    headers = his.headers(role)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,  # the same requests on every run: CI stays deterministic
        database=None,  # no example database written into the working tree
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # report, do not spend time shrinking
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases_for(op, his.seeded))
    def run(case: Case) -> None:
        response = case.call(
            base_url=his.base_url,
            session=his.session,
            headers=headers,
            timeout=REQUEST_TIMEOUT_S,
            allow_redirects=False,
        )
        for problem in problems_with(op, case, response):
            kind = problem.split(":")[0]
            found.setdefault(kind, f"{op.label}: {problem}\n    {describe(case)}")

    run()
    return list(found.values())


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_no_operation_answers_5xx_and_every_error_is_explained(
    his: RunningHis, role: Role | None
) -> None:
    problems = [problem for op in his.operations for problem in exercise(his, op, role)]
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_schema_covers_the_api_and_only_the_listed_operations_are_left_out(
    his: RunningHis,
) -> None:
    labels = {op.label for op in his.operations}
    # A few operations from each domain, so an empty or truncated schema cannot pass quietly.
    for label in (
        "POST /api/patients/identify",
        "POST /api/kiosk/identify",
        "POST /api/visits",
        "POST /api/queue/tickets",
        "POST /api/orders",
        "POST /api/billing/invoices/{invoice_id}/payments",
        "POST /api/bank/notifications",
        "POST /api/insurance/card-check",
    ):
        assert label in labels
    assert not any(left_out(label) for label in labels)
    assert len(labels) > 80


def test_a_server_error_would_be_reported(his: RunningHis) -> None:
    """The checker itself: a 500 and an unexplained 4xx are problems, a proper 4xx is not."""
    op = next(op for op in his.operations if op.label == "GET /api/patients/{patient_id}")
    case = op.Case(path_parameters={"patient_id": 1})

    def answer(status: int, body: Any) -> Response:
        return Response(
            status_code=status,
            headers={"content-type": ["application/json"]},
            content=json.dumps(body).encode(),
            request=requests.Request("GET", his.base_url).prepare(),
            elapsed=0.0,
            verify=False,
        )

    assert problems_with(op, case, answer(500, {"detail": "boom"}))
    assert problems_with(op, case, answer(404, {"detail": "Not Found"}))
    assert not problems_with(op, case, answer(404, {"error": {"code": "x", "message": "y"}}))


def test_the_seeded_rows_are_reachable(his: RunningHis) -> None:
    """The seeded ids are real: otherwise the aimed examples only ever meet 404s."""
    for path in (
        f"/api/patients/{his.seeded.patient_id}",
        f"/api/visits/{his.seeded.visit_id}",
        f"/api/queue/tickets/{his.seeded.ticket_id}",
        f"/api/billing/invoices/{his.seeded.invoice_id}",
    ):
        response = his.session.get(
            his.base_url + path, headers=his.headers(Role.ADMIN), timeout=REQUEST_TIMEOUT_S
        )
        assert response.status_code == 200, (path, response.text)
