"""Small versions of `make faults` lis and bank: real server processes, real sockets. An
outside system (the LIS) or SmartHIS itself (for the bank) is unreachable while work goes
on; once it is back everything catches up, and nothing is delivered or paid twice."""

from __future__ import annotations

from pathlib import Path

from bench.faults_bank import run_bank
from bench.faults_lis import run_lis
from smarthis.db import Database

ORDERS = 4
PAYMENTS = 4


def test_lab_orders_placed_while_the_lis_is_down_reach_it_once_it_is_back(
    db: Database, tmp_path: Path
) -> None:
    report = run_lis(db.url, ORDERS, tmp_path)
    assert report.errors == []
    assert (report.acknowledged, report.found, report.lost) == (ORDERS, ORDERS, 0)
    assert (report.duplicate_messages, report.duplicate_tickets, report.outbox_unsent) == (0, 0, 0)
    # The outage was real: every message failed at least once, none was given up on.
    assert report.notes["every_message_tried_while_down"] is True
    assert report.notes["failed_while_down"] == 0
    # And the loop closed: the LIS's results came back for every ordered test.
    assert report.notes["items_with_results"] == report.notes["order_items"] == 2 * ORDERS
    assert report.ok


def test_vietqr_payments_made_while_smarthis_is_down_are_recorded_once(
    db: Database, tmp_path: Path
) -> None:
    report = run_bank(db.url, PAYMENTS, tmp_path)
    assert report.errors == []
    assert (report.acknowledged, report.found, report.lost) == (PAYMENTS, PAYMENTS, 0)
    assert (report.duplicate_payments, report.duplicate_tickets) == (0, 0)
    # Every notification first met a dead app; the bank's retries delivered them all.
    assert report.notes["first_deliveries_failed"] == PAYMENTS
    assert report.notes["unacknowledged_at_bank"] == 0
    # A further replay of each is recognised and pays nothing more.
    assert report.notes["replays_answered_duplicate"] == PAYMENTS
    assert report.ok
