"""`smarthis sim lis`: the simulated laboratory information system, on loopback."""

from __future__ import annotations

import typer

from smarthis.config import get_settings
from smarthis.insurance.portal_simulator import is_loopback_host


def lis_simulator_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only)."),
    port: int = typer.Option(None, help="TCP port for orders (default settings.lis_port)."),
    results_host: str = typer.Option(None, help="SmartHIS listener host (default settings)."),
    results_port: int = typer.Option(None, help="SmartHIS listener port (default settings)."),
    delay: float = typer.Option(5.0, min=0.0, help="Seconds before results are sent back."),
) -> None:
    """Giả lập hệ thống xét nghiệm (LIS, HL7 MLLP) / simulate the laboratory system."""
    from smarthis.integrations.hl7.simulator import run_lis_simulator

    if not is_loopback_host(host):
        typer.echo(
            f"Từ chối chạy trên {host}: bộ giả lập chỉ nghe trên 127.0.0.1. "
            f"(Refusing non-loopback host {host}.)",
            err=True,
        )
        raise typer.Exit(code=2)
    settings = get_settings()
    run_lis_simulator(
        host,
        port or settings.lis_port,
        (results_host or settings.lis_listen_host, results_port or settings.lis_listen_port),
        delay,
    )
