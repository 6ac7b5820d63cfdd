"""Delivery through the outbox: a LIS outage loses nothing and repeats nothing, two
workers (two app processes) never send one message twice, answers settle each row, and the
LIS simulator closes the loop by sending results back to the listener."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import update

from smarthis.config import Settings
from smarthis.db import Database, utcnow
from smarthis.integrations import outbox
from smarthis.integrations.hl7.delivery import deliver_lis_orders, drain_lis_outbox
from smarthis.integrations.hl7.listener import LisListener
from smarthis.integrations.hl7.simulator import LisSimulator
from smarthis.integrations.outbox import OutboxMessage
from smarthis.workers import PeriodicWorker, add_background_workers
from tests.integrations.hl7.lab_hospital import LabHospital
from tests.integrations.hl7.oru import free_port

ORDERS_DURING_OUTAGE = 50


def wait_until(check: Callable[[], bool], timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_an_outage_loses_nothing_and_each_order_arrives_once(
    lab: LabHospital, db: Database, hl7_settings: Callable[..., Settings]
) -> None:
    port = free_port()
    settings = hl7_settings(lis_port=port)
    visits = [lab.visit(f"Bệnh nhân Số {n}") for n in range(ORDERS_DURING_OUTAGE)]
    # Two workers, as two app processes would run them, both passing every 50 ms.
    workers = [
        PeriodicWorker(f"lis-outbox-{n}", 0.05, lambda: drain_lis_outbox(db, settings))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    simulator = None
    try:
        for visit in visits:  # the LIS is down while the lab orders are placed
            lab.order(visit, ["XN-GLU"])
        assert wait_until(lambda: all(m.attempts >= 2 for m in lab.outbox()), 30)
        assert {m.status for m in lab.outbox()} <= {"pending", "sent"}
        assert all(
            "không kết nối được LIS" in (m.last_error or "")
            for m in lab.outbox()
            if m.status == "pending"
        )

        simulator = LisSimulator(port=port).start()  # the LIS comes back on its port
        assert wait_until(lambda: all(m.status == "acked" for m in lab.outbox()), 60)
    finally:
        for worker in workers:
            worker.stop()
        if simulator is not None:
            simulator.stop()

    received = simulator.received_control_ids
    rows = lab.outbox()
    assert len(rows) == ORDERS_DURING_OUTAGE
    assert len(received) == ORDERS_DURING_OUTAGE
    assert sorted(received) == sorted(m.message_control_id for m in rows)
    assert all(m.acked_at is not None and m.last_error is None for m in rows)


def test_application_errors_retry_and_a_rejection_fails(
    lab: LabHospital, db: Database, hl7_settings: Callable[..., Settings]
) -> None:
    simulator = LisSimulator(port=0).start()
    settings = hl7_settings(lis_port=simulator.port, outbox_max_attempts=2)
    answers = iter(["AE", "AE", "AE", "AR"])
    real_answer = simulator.answer

    def refusing(text: str) -> str:
        ack = real_answer(text)
        return ack.replace("MSA|AA|", f"MSA|{next(answers)}|")

    simulator.answer = refusing  # type: ignore[method-assign]
    try:
        lab.order(lab.visit(), ["XN-GLU"])
        lab.order(lab.visit(), ["XN-URE"])
        assert deliver_lis_orders(db, settings) == 0
        first, second = lab.outbox()
        assert (first.status, second.status) == ("pending", "pending")
        assert first.last_error == "AE" and first.response and "MSA|AE|" in first.response
        _make_due(db)
        deliver_lis_orders(db, settings)
        first, second = lab.outbox()
        # The first hit its second AE (max 2 attempts); the second was rejected outright.
        assert (first.status, second.status) == ("failed", "failed")
        assert second.last_error and second.last_error.startswith("AR")
    finally:
        simulator.stop()


def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(
    lab: LabHospital, db: Database
) -> None:
    lab.order(lab.visit(), ["XN-GLU"])
    (first,) = outbox.claim_due(db, "lis", 10, lease_s=60)
    assert outbox.claim_due(db, "lis", 10, lease_s=60) == []
    with db.session() as s:  # the claiming process died: its lease runs out
        s.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    (again,) = outbox.claim_due(db, "lis", 10, lease_s=60)
    assert (again.id, again.attempts) == (first.id, 2)
    # The first claimant's late answer no longer settles the row: it is the second's.
    policy = outbox.RetryPolicy(0.05, 0.2, 5, 60)
    outbox.settle(db, first, outbox.Outcome("acked", "AA", "MSA|AA"), policy)
    assert lab.outbox()[0].status == "sent"
    outbox.settle(db, again, outbox.Outcome("acked", "AA", "MSA|AA"), policy)
    assert lab.outbox()[0].status == "acked"


def test_the_simulator_sends_results_back_for_every_analyte_of_the_panel(
    lab: LabHospital, db: Database, hl7_settings: Callable[..., Settings]
) -> None:
    listener = LisListener(hl7_settings(), db).start()
    simulator = LisSimulator(
        port=0, results_to=("127.0.0.1", listener.port), result_delay_s=0.1, seed=7
    ).start()
    try:
        placed = lab.order(lab.visit("Võ Thị Hồng", sex="female"), ["XN-CBC", "XN-GGT"])
        drain_lis_orders = deliver_lis_orders(db, hl7_settings(lis_port=simulator.port))
        assert drain_lis_orders == 1
        cbc, ggt = placed.items
        assert wait_until(lambda: simulator.results_acks == ["AA"], 30)
    finally:
        simulator.stop()
        listener.stop()
    cbc_results = lab.results(cbc.id)
    assert set(cbc_results) == {"WBC", "NEUT", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "PLT"}
    assert all(r.value_numeric is not None and r.flag != "none" for r in cbc_results.values())
    assert set(lab.results(ggt.id)) == {"GGT"}
    assert lab.item(cbc.id).status == lab.item(ggt.id).status == "resulted"


def test_the_delivery_worker_runs_in_every_app_process(db: Database) -> None:
    app = FastAPI()
    app.state.settings = Settings(database_url=db.url)
    app.state.db = db
    app.state.portal = None
    app.state.background_workers = []
    add_background_workers(app)
    assert "lis-outbox" in [w.name for w in app.state.background_workers]


def _make_due(db: Database) -> None:
    with db.session() as s:
        s.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))


def test_a_restart_sends_what_the_previous_process_left(
    lab: LabHospital, db: Database, hl7_settings: Callable[..., Settings]
) -> None:
    lab.order(lab.visit(), ["XN-GLU"])
    # The process that placed the order (and claimed its message) is gone mid-send.
    (claimed,) = outbox.claim_due(db, "lis", 10, lease_s=0.2)
    simulator = LisSimulator(port=0).start()
    restarted = Database(db.url)  # a new process: its own engine, nothing in memory
    try:
        settings = hl7_settings(lis_port=simulator.port)
        assert wait_until(lambda: drain_lis_outbox(restarted, settings) == 1, 30)
    finally:
        restarted.dispose()
        simulator.stop()
    assert simulator.received_control_ids == [claimed.message_control_id]
    assert lab.outbox()[0].status == "acked"
