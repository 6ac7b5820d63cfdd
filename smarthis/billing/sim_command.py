"""`smarthis sim bank`: the simulated bank that pays VietQR codes, on loopback."""

from __future__ import annotations

from urllib.parse import urlsplit

import typer

from smarthis.config import get_settings
from smarthis.insurance.portal_simulator import is_loopback_host


def bank_simulator_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only)."),
    port: int = typer.Option(None, help="TCP port (default: the port of settings.bank_sim_url)."),
    webhook_url: str = typer.Option(
        None, help="SmartHIS's notification URL (default settings.bank_webhook_url)."
    ),
) -> None:
    """Giả lập ngân hàng: thanh toán mã VietQR, báo có cho SmartHIS / simulate the bank."""
    from smarthis.billing.bank_simulator import run_bank_simulator

    if not is_loopback_host(host):
        typer.echo(
            f"Từ chối chạy trên {host}: bộ giả lập chỉ nghe trên 127.0.0.1. "
            f"(Refusing non-loopback host {host}.)",
            err=True,
        )
        raise typer.Exit(code=2)
    settings = get_settings()
    run_bank_simulator(
        host,
        port or urlsplit(settings.bank_sim_url).port or 8083,
        webhook_url or settings.bank_webhook_url,
        settings.bank_webhook_secret,
    )
