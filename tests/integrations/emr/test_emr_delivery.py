"""Delivery to the EMR portal simulator over HTTP: a concluded visit's document arrives
exactly once with a receipt; while the portal is unreachable or down it is retried and
then delivered once; a refused token is retried up to the limit; a document the portal
refuses fails at once with the reasons and can be resent by hand; two workers never post
one document twice; the status is visible at /api/interfaces/emr."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import select

from smarthis.clinical import examination as exam
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.emr.delivery import drain_emr_outbox
from smarthis.integrations.emr.outbound import CHANNEL
from smarthis.integrations.emr.settings import EmrSettings
from smarthis.integrations.emr.simulator import create_emr_simulator
from smarthis.integrations.outbox import OutboxMessage
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from smarthis.workers import PeriodicWorker
from tests.apphelpers import FACILITY, client_for, make_app, sign_in_every_role
from tests.integrations.fhir.visit_flow import DOCTOR, conclude, full_visit, open_visit
from tests.servers import RunningServer, serve_in_thread

TOKEN = "test-emr-token"
NOTHING_LISTENS = "http://127.0.0.1:9"  # loopback discard port: connection refused


@pytest.fixture
def portal() -> Iterator[RunningServer]:
    server = serve_in_thread(create_emr_simulator(TOKEN, FACILITY))
    yield server
    server.stop()


def sim(server: RunningServer, method: str, path: str, payload: object = None) -> dict:
    response = httpx.request(method, f"{server.base_url}{path}", json=payload, timeout=5)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(
        database_url=db.url,
        facility_code=FACILITY,
        outbox_retry_base_s=0.05,
        outbox_retry_max_s=0.2,
        outbox_batch_size=20,
        outbox_lease_s=30.0,
        outbox_max_attempts=3,
    )


def emr(url: str, token: str = TOKEN) -> EmrSettings:
    return EmrSettings(portal_url=url, portal_token=token, timeout_s=5.0)


def rows(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        return list(
            s.execute(
                select(OutboxMessage)
                .where(OutboxMessage.channel == CHANNEL)
                .order_by(OutboxMessage.id)
            ).scalars()
        )


def wait_until(check: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_a_concluded_visit_arrives_once_with_a_receipt(
    db: Database, settings: Settings, portal: RunningServer
) -> None:
    visit = full_visit(db)
    assert drain_emr_outbox(db, settings, emr(portal.base_url)) == 1
    assert drain_emr_outbox(db, settings, emr(portal.base_url)) == 0  # nothing due any more
    (row,) = rows(db)
    received = sim(portal, "GET", "/_sim/received")
    assert list(received) == [f"EMR-{FACILITY}-{visit.visit_id}"]
    assert received[row.message_control_id]["times"] == 1
    assert row.status == "acked" and row.attempts == 1 and row.last_error is None
    assert (
        json.loads(row.response or "{}")["receipt"] == received[row.message_control_id]["receipt"]
    )


def test_an_unreachable_then_down_portal_is_retried_and_delivered_once(
    db: Database, settings: Settings, portal: RunningServer
) -> None:
    full_visit(db)
    assert drain_emr_outbox(db, settings, emr(NOTHING_LISTENS)) == 0
    (row,) = rows(db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "không kết nối được cổng EMR" in (row.last_error or "")

    sim(portal, "POST", "/_sim/outage", {"down": True})  # reachable, answering 503
    assert wait_until(
        lambda: (
            drain_emr_outbox(db, settings, emr(portal.base_url)) == 0 and rows(db)[0].attempts >= 3
        )
    )
    (row,) = rows(db)
    assert row.status == "pending" and "HTTP 503" in (row.last_error or "")  # never gives up

    sim(portal, "POST", "/_sim/outage", {"down": False})
    assert wait_until(
        lambda: (
            drain_emr_outbox(db, settings, emr(portal.base_url)) >= 0
            and rows(db)[0].status == "acked"
        )
    )
    received = sim(portal, "GET", "/_sim/received")
    assert [v["times"] for v in received.values()] == [1]
    assert sim(portal, "GET", "/_sim/stats")["accepted"] == 1


def test_a_refused_token_is_retried_up_to_the_limit(
    db: Database, settings: Settings, portal: RunningServer
) -> None:
    full_visit(db)
    wrong = emr(portal.base_url, token="not-the-token")
    assert wait_until(
        lambda: drain_emr_outbox(db, settings, wrong) == 0 and rows(db)[0].status == "failed"
    )
    (row,) = rows(db)
    assert row.attempts == settings.outbox_max_attempts
    assert "token" in (row.last_error or "")
    assert sim(portal, "GET", "/_sim/received") == {}


def test_a_refused_document_fails_at_once_and_is_resent_by_hand(
    db: Database, settings: Settings, portal: RunningServer
) -> None:
    visit = full_visit(db)
    with db.session() as s:  # spoil the stored document: the portal must refuse it
        row = s.execute(select(OutboxMessage).where(OutboxMessage.channel == CHANNEL)).scalar_one()
        good_payload = row.payload
        row.payload = good_payload.replace('"format":"smarthis-emr-visit/1"', '"format":"x"')
    assert drain_emr_outbox(db, settings, emr(portal.base_url)) == 0
    (row,) = rows(db)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "format must be smarthis-emr-visit/1" in (row.last_error or "")

    client = client_for(make_app(db))
    creds = sign_in_every_role(db)
    listed = client.get("/api/interfaces/emr", headers=creds.headers(Role.LAB_TECHNICIAN))
    assert listed.status_code == 200, listed.text
    assert listed.json()["summary"] == {"failed": 1}
    (shown,) = listed.json()["deliveries"]
    assert shown["visit_id"] == visit.visit_id and shown["status_vi"] == "Lỗi — cần xử lý"
    assert (
        client.post(
            f"/api/interfaces/emr/{row.id}/resend", headers=creds.headers(Role.DOCTOR)
        ).status_code
        == 403
    )

    with db.session() as s:  # someone fixes what was wrong, then resends it
        s.get(OutboxMessage, row.id).payload = good_payload  # type: ignore[union-attr]
    resent = client.post(f"/api/interfaces/emr/{row.id}/resend", headers=creds.headers(Role.ADMIN))
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    assert drain_emr_outbox(db, settings, emr(portal.base_url)) == 1
    shown = client.get("/api/interfaces/emr", headers=creds.headers(Role.ADMIN)).json()
    assert shown["deliveries"][0]["status"] == "acked" and shown["deliveries"][0]["receipt"]
    again = client.post(f"/api/interfaces/emr/{row.id}/resend", headers=creds.headers(Role.ADMIN))
    assert again.status_code == 409 and again.json()["error"]["code"] == "emr_message_acked"
    with db.session() as s:
        audited = s.execute(
            select(AuditEntry).where(AuditEntry.action == "emr.export.resend")
        ).scalar_one()
    assert audited.patient_id == visit.patient_id
    client.close()


def test_two_workers_post_each_document_once(
    db: Database, settings: Settings, portal: RunningServer
) -> None:
    first = full_visit(db)
    for _ in range(3):  # three more visits of the same patient, each concluded
        visit_id = open_visit(db, first.patient_id)
        with db.session() as s:
            exam.set_diagnoses(s, DOCTOR, visit_id, "J06.9", [])
        conclude(db, visit_id)
    config = emr(portal.base_url)
    workers = [
        PeriodicWorker(f"emr-{n}", 0.02, lambda: drain_emr_outbox(db, settings, config))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        assert wait_until(lambda: all(r.status == "acked" for r in rows(db)))
    finally:
        for worker in workers:
            worker.stop()
    received = sim(portal, "GET", "/_sim/received")
    assert len(received) == 4 and len(rows(db)) == 4
    assert all(v["times"] == 1 for v in received.values())
    assert sorted(received) == sorted(r.message_control_id for r in rows(db))
