"""The 5xx the schemathesis run found, each pinned where a user would notice it: the same
requests now get a 422 naming the field. (The HL7 ones are in tests/fuzz/corpus/hl7.)"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from smarthis.db import Database
from smarthis.security.permissions import Role
from tests.apphelpers import Credentials, client_for, make_app, sign_in_every_role
from tests.conftest import empty_all_tables

BEYOND_BIGINT = 2**70


@pytest.fixture(scope="module")
def signed_in(_shared_database: Database) -> Iterator[tuple[TestClient, Credentials]]:
    empty_all_tables(_shared_database)
    creds = sign_in_every_role(_shared_database)
    yield client_for(make_app(_shared_database)), creds
    empty_all_tables(_shared_database)


def assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]


@pytest.mark.parametrize("role", ["bác sĩ", "kiosk", "null"])
def test_listing_staff_by_an_unknown_role_names_the_role(
    signed_in: tuple[TestClient, Credentials], role: str
) -> None:
    client, creds = signed_in
    response = client.get("/api/staff", params={"role": role}, headers=creds.headers(Role.ADMIN))
    assert_refused(response, "role")
    assert response.json()["error"]["code"] == "staff_role"


def test_listing_staff_by_a_real_role_still_works(
    signed_in: tuple[TestClient, Credentials],
) -> None:
    client, creds = signed_in
    response = client.get(
        "/api/staff", params={"role": "doctor"}, headers=creds.headers(Role.ADMIN)
    )
    assert response.status_code == 200
    assert [staff["login"] for staff in response.json()] == ["t.doctor"]


@pytest.mark.parametrize(
    ("method", "path", "role", "field"),
    [
        ("GET", "/api/queue/tickets/{id}", Role.RECEPTIONIST, "ticket_id"),
        ("GET", "/api/queue/tickets/{id}/ticket.pdf", Role.RECEPTIONIST, "ticket_id"),
        ("POST", "/api/queue/tickets/{id}/recall", Role.DOCTOR, "ticket_id"),
        ("POST", "/api/queue/tickets/{id}/skip", Role.DOCTOR, "ticket_id"),
        ("POST", "/api/queue/tickets/{id}/complete", Role.DOCTOR, "ticket_id"),
        ("POST", "/api/display/announcements/{id}/claim", Role.DISPLAY_BOARD, "event_id"),
        ("GET", "/api/kiosk/tickets/{id}/ticket.pdf", Role.KIOSK, "ticket_id"),
    ],
)
def test_an_id_beyond_bigint_is_refused_not_a_server_error(
    signed_in: tuple[TestClient, Credentials], method: str, path: str, role: Role, field: str
) -> None:
    client, creds = signed_in
    for ticket_id in (BEYOND_BIGINT, 0):
        response = client.request(method, path.format(id=ticket_id), headers=creds.headers(role))
        assert_refused(response, field)
