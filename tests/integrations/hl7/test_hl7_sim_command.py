"""`smarthis sim lis` as an operator starts it: a separate process that takes our order
over MLLP and sends the results back to the listener."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.hl7.delivery import deliver_lis_orders
from smarthis.integrations.hl7.listener import LisListener
from tests.integrations.hl7.lab_hospital import LabHospital
from tests.integrations.hl7.oru import free_port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the simulator exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the simulator did not listen")


def test_sim_lis_acknowledges_the_order_and_sends_results(
    lab: LabHospital,
    db: Database,
    listener: LisListener,
    hl7_settings: Callable[..., Settings],
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "smarthis.cli", "sim", "lis", "--port", str(port)]
    command += ["--results-port", str(listener.port), "--delay", "0.2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process)
        item = lab.order(lab.visit(), ["XN-URE"]).items[0]
        assert deliver_lis_orders(db, hl7_settings(lis_port=port)) == 1
        deadline = time.monotonic() + 30
        while not lab.results(item.id) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert lab.outbox()[0].status == "acked"
    assert set(lab.results(item.id)) == {"UREA"}


def test_sim_lis_refuses_a_non_loopback_address() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smarthis.cli", "sim", "lis", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "127.0.0.1" in done.stderr
