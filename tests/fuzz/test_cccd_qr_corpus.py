"""Every CCCD QR text of the corpus through the card parser, the kiosk's one-input
classifier, and the two identify APIs (kiosk device, reception): each is accepted or refused
with the error code and field recorded in manifest.json, never with anything else."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.patients.identifiers.cccd_card import CccdCard
from smarthis.patients.identifiers.cccd_qr import parse_cccd_qr
from smarthis.patients.identifiers.identify import identify
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.conftest import BhxhSimulator, empty_all_tables
from tests.fuzz.corpus import corpus_files, manifest, read_bytes

EXPECTED = manifest("cccd_qr")
# The corpus's dates are judged against a fixed day, so the outcomes do not age.
TODAY = date(2026, 11, 26)
IDENTIFY_ROUTES = {Role.KIOSK: "/api/kiosk/identify", Role.RECEPTIONIST: "/api/patients/identify"}


def qr_text(name: str) -> str:
    return read_bytes("cccd_qr", name).decode("utf-8")


def outcome(call: Any, text: str) -> dict[str, str]:
    """accept, or the DomainError's code and field; any other exception fails the test."""
    try:
        call(text, today=TODAY)
    except DomainError as error:
        return {"expect": "reject", "error": error.code, "field": str(error.field)}
    return {"expect": "accept"}


def expected_outcome(entry: dict[str, Any], override: str | None = None) -> dict[str, str]:
    chosen = entry.get(override, entry) if override else entry
    if "error" not in chosen:
        return {"expect": "accept"}
    return {"expect": "reject", "error": chosen["error"], "field": chosen["field"]}


def test_every_corpus_file_has_a_recorded_outcome() -> None:
    assert corpus_files("cccd_qr", ".txt") == sorted(EXPECTED)
    assert len(EXPECTED) >= 25
    assert {entry["expect"] for entry in EXPECTED.values()} == {"accept", "reject"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_card_parser_accepts_or_names_the_field(name: str) -> None:
    assert outcome(parse_cccd_qr, qr_text(name)) == expected_outcome(EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_kiosk_classifier_agrees_with_the_card_parser(name: str) -> None:
    assert outcome(identify, qr_text(name)) == expected_outcome(EXPECTED[name], "identify")


@dataclass
class Reception:
    client: TestClient
    db: Database

    def post_as(self, role: Role, text: str) -> Any:
        # A fresh hospital for each text: no file finds the patient another one registered.
        empty_all_tables(self.db)
        creds = sign_in_every_role(self.db)
        return self.client.post(
            IDENTIFY_ROUTES[role], json={"qr_text": text}, headers=creds.headers(role)
        )


@pytest.fixture(scope="module")
def reception(_shared_database: Database, bhxh_simulator: BhxhSimulator) -> Iterator[Reception]:
    portal = bhxh_simulator.client()
    yield Reception(client_for(make_app(_shared_database, portal=portal)), _shared_database)
    portal.close()
    empty_all_tables(_shared_database)


@pytest.mark.parametrize("role", list(IDENTIFY_ROUTES), ids=lambda role: role.value)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_identify_apis_answer_200_or_the_specific_422(
    reception: Reception, name: str, role: Role
) -> None:
    entry = EXPECTED[name]
    expected = expected_outcome(entry, "api")
    response = reception.post_as(role, qr_text(name))
    if expected["expect"] == "accept":
        assert response.status_code == 200, response.text
        card = parse_cccd_qr(qr_text(name))
        assert isinstance(card, CccdCard)
        # Stored as the card says it, in composed form whatever the scanner typed.
        full_name = response.json()["patient"]["full_name"]
        assert full_name == unicodedata.normalize("NFC", card.full_name)
        return
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (expected["error"], expected["field"])
    assert error["message"]
