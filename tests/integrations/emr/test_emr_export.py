"""Concluding a visit puts its EMR document in the outbox, in the same transaction: one
message per visit, a document the portal's checks accept, audited; nothing for a visit that
is still open; and the portal's checks refuse a broken document with its reasons."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from smarthis.db import Database
from smarthis.integrations.emr.outbound import CHANNEL
from smarthis.integrations.emr.payload import FORMAT, problems_of
from smarthis.integrations.fhir import systems
from smarthis.integrations.outbox import OutboxMessage
from smarthis.security.models import AuditEntry
from tests.apphelpers import FACILITY
from tests.integrations.fhir.visit_flow import (
    conclude,
    examine_and_treat,
    full_visit,
    hospital_with_patient,
    open_visit,
)


def emr_messages(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        rows = s.execute(
            select(OutboxMessage).where(OutboxMessage.channel == CHANNEL).order_by(OutboxMessage.id)
        ).scalars()
        return list(rows)


def test_conclusion_queues_one_valid_document(db: Database) -> None:
    visit = full_visit(db)
    (message,) = emr_messages(db)
    assert message.status == "pending" and message.attempts == 0
    assert message.message_control_id == f"EMR-{FACILITY}-{visit.visit_id}"
    assert message.reference == f"visit:{visit.visit_id}"
    payload = json.loads(message.payload)
    assert problems_of(payload, FACILITY) == []
    assert payload["format"] == FORMAT
    assert payload["visit"]["number"] == visit.visit_number
    assert payload["document"]["type"] == "document"
    assert "signatures" not in payload  # no signed paper for this visit: none is claimed
    with db.session() as s:
        queued = s.execute(
            select(AuditEntry).where(AuditEntry.action == "emr.export.queue")
        ).scalar_one()
    assert queued.patient_id == visit.patient_id and queued.actor == "bs.fhir"


def test_an_open_visit_queues_nothing(db: Database) -> None:
    patient_id = hospital_with_patient(db)
    visit_id = open_visit(db, patient_id)
    examine_and_treat(db, visit_id)
    assert emr_messages(db) == []
    conclude(db, visit_id)
    assert len(emr_messages(db)) == 1


def test_the_export_can_be_switched_off(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTHIS_EMR_ENABLED", "false")
    full_visit(db)
    assert emr_messages(db) == []


def _payload(db: Database) -> dict[str, Any]:
    full_visit(db)
    (message,) = emr_messages(db)
    return json.loads(message.payload)


def test_the_portal_checks_refuse_a_broken_document(db: Database) -> None:
    good = _payload(db)

    def broken(change) -> list[str]:  # type: ignore[no-untyped-def]
        payload = json.loads(json.dumps(good))
        change(payload)
        return problems_of(payload, FACILITY)

    assert problems_of(good, "79001") == ["facility.code differs from the sending account"]
    assert broken(lambda p: p.pop("messageId")) == ["messageId missing"]

    def dangling(p: dict[str, Any]) -> None:
        p["document"]["entry"][1]["resource"]["managingOrganization"] = {
            "reference": "urn:uuid:00000000-0000-4000-8000-000000000000"
        }

    (problem,) = broken(dangling)
    assert problem.startswith("unresolved references: urn:uuid:00000000")

    def no_icd10(p: dict[str, Any]) -> None:
        for entry in p["document"]["entry"]:
            resource = entry["resource"]
            if resource["resourceType"] == "Condition":
                for c in resource["code"]["coding"]:
                    c["system"] = "http://example.org/local"

    assert broken(no_icd10) == ["no ICD-10 diagnosis"]
    assert broken(lambda p: p["document"].__setitem__("type", "collection")) == [
        "document.type must be document"
    ]
    (problem,) = broken(lambda p: p["document"].__setitem__("timestamp", "hôm qua"))
    assert "not a FHIR R4B Bundle" in problem
    assert problems_of("not an object", FACILITY) == ["payload must be a JSON object"]
    assert systems.ICD10 in json.dumps(good)


def test_signed_papers_of_the_visit_are_listed_as_the_registry_holds_them(db: Database) -> None:
    models = pytest.importorskip("smarthis.documents.models")
    patient_id = hospital_with_patient(db)
    visit_id = open_visit(db, patient_id)
    examine_and_treat(db, visit_id)
    with db.session() as s:
        paper = models.Document(
            facility_code=FACILITY,
            patient_id=patient_id,
            visit_id=visit_id,
            kind="prescription",
            title="Đơn thuốc",
            series_key="7a4b3c2d-0000-4000-8000-000000000001",
            version=1,
            sha256="ab" * 32,
            original_sha256="cd" * 32,
            size_bytes=3,
            pdf=b"%PD",
            created_by="bs.fhir",
        )
        s.add(paper)
        s.flush()
        s.add(
            models.DocumentSignature(
                facility_code=FACILITY,
                document_id=paper.id,
                position=1,
                field_name="Signature1",
                staff_login="bs.fhir",
                signer_name="Trần Thị Lan",
                capacity="doctor",
                certificate_serial="1A2B",
                signed_length=3,
            )
        )
    conclude(db, visit_id)
    (message,) = emr_messages(db)
    payload = json.loads(message.payload)
    assert problems_of(payload, FACILITY) == []
    (listed,) = payload["signatures"]
    assert listed["kind"] == "prescription" and listed["sha256"] == "ab" * 32
    (signature,) = listed["signatures"]
    assert signature["signer"] == "Trần Thị Lan" and signature["certificateSerial"] == "1A2B"
