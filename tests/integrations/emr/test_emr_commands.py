"""The commands an operator runs: `smarthis sim emr` as a separate process receiving what
`smarthis emr send` posts, `smarthis emr export VISIT` printing the FHIR document, and the
simulator refusing a non-loopback address."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle

from smarthis.db import Database
from smarthis.integrations.emr.monitor import deliveries
from smarthis.integrations.fhir.bundle import unresolved_references
from smarthis.security.principal import system_principal
from tests.apphelpers import FACILITY
from tests.integrations.fhir.visit_flow import full_visit

TOKEN = "operator-emr-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smarthis(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smarthis.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


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


def test_sim_emr_receives_what_emr_send_posts(db: Database) -> None:
    visit = full_visit(db)
    port = free_port()
    env = {
        "SMARTHIS_DATABASE_URL": db.url,
        "SMARTHIS_FACILITY_CODE": FACILITY,
        "SMARTHIS_EMR_PORTAL_URL": f"http://127.0.0.1:{port}",
        "SMARTHIS_EMR_PORTAL_TOKEN": TOKEN,
    }
    exported = _smarthis("emr", "export", str(visit.visit_id), env=env)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    Bundle.model_validate(document)
    assert unresolved_references(document) == []
    assert _smarthis("emr", "export", "999999", env=env).returncode == 2

    process = subprocess.Popen(
        [sys.executable, "-m", "smarthis.cli", "sim", "emr", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    try:
        _wait_for_port(port, process)
        sent = _smarthis("emr", "send", env=env)
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout.strip().endswith(": 1")
        received = httpx.get(f"http://127.0.0.1:{port}/_sim/received", timeout=5).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    with db.session() as s:
        (delivery,) = deliveries(s, system_principal(FACILITY))
    assert delivery.status == "acked" and delivery.visit_id == visit.visit_id
    assert received == {delivery.message_id: {"receipt": delivery.receipt, "times": 1}}


def test_sim_emr_refuses_a_non_loopback_address() -> None:
    done = _smarthis("sim", "emr", "--host", "0.0.0.0", env={})
    assert done.returncode == 2
    assert "127.0.0.1" in done.stderr


def test_serve_with_simulators_starts_the_portal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from smarthis.integrations.emr.sim_command import start_emr_simulator_thread

    port = free_port()
    monkeypatch.setenv("SMARTHIS_EMR_PORTAL_URL", f"http://127.0.0.1:{port}")
    assert start_emr_simulator_thread(FACILITY) == f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            stats = httpx.get(f"http://127.0.0.1:{port}/_sim/stats", timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "the portal simulator did not start"
            time.sleep(0.05)
    assert stats.status_code == 200
    monkeypatch.setenv("SMARTHIS_EMR_PORTAL_URL", "http://10.0.0.1:8087")
    with pytest.raises(ValueError, match="loopback"):
        start_emr_simulator_thread(FACILITY)
