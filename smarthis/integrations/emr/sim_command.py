"""`smarthis sim emr`: the national EMR portal simulator, on loopback."""

from __future__ import annotations

import typer

from smarthis.config import get_settings
from smarthis.insurance.portal_simulator import is_loopback_host
from smarthis.integrations.emr.settings import EmrSettings


def emr_simulator_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only)."),
    port: int = typer.Option(8087, help="TCP port (SMARTHIS_EMR_PORTAL_URL points here)."),
) -> None:
    """Giả lập cổng hồ sơ bệnh án điện tử / simulate the national EMR portal."""
    import uvicorn

    from smarthis.integrations.emr.simulator import create_emr_simulator

    if not is_loopback_host(host):
        typer.echo(
            f"Từ chối chạy trên {host}: bộ giả lập chỉ nghe trên 127.0.0.1. "
            f"(Refusing non-loopback host {host}.)",
            err=True,
        )
        raise typer.Exit(code=2)
    app = create_emr_simulator(EmrSettings().portal_token, get_settings().facility_code)
    uvicorn.run(app, host=host, port=port, log_level="info")


def start_emr_simulator_thread(facility_code: str) -> str:
    """For `smarthis serve --with-simulators`: the portal the EMR worker posts to, in a
    thread of this process, at SMARTHIS_EMR_PORTAL_URL (loopback only)."""
    import threading
    from urllib.parse import urlsplit

    import uvicorn

    from smarthis.integrations.emr.simulator import create_emr_simulator

    emr_settings = EmrSettings()
    url = urlsplit(emr_settings.portal_url)
    host = url.hostname or "127.0.0.1"
    if not is_loopback_host(host):
        raise ValueError(f"the demo's EMR portal simulator serves loopback only, not {host!r}")
    app = create_emr_simulator(emr_settings.portal_token, facility_code)
    config = uvicorn.Config(app, host=host, port=url.port or 8087, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, name="emr-portal-simulator", daemon=True).start()
    return emr_settings.portal_url
