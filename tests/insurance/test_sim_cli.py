"""`smarthis sim bhxh` stays on the loopback interface unless told otherwise."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from smarthis.insurance.portal_simulator import is_loopback_host, run_simulator
from smarthis.insurance.sim_cli import sim_app


def test_cli_refuses_a_network_host() -> None:
    result = CliRunner().invoke(sim_app, ["bhxh", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output


def test_run_simulator_refuses_a_network_host() -> None:
    with pytest.raises(ValueError):
        run_simulator(host="192.168.1.10")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("his", False)],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
