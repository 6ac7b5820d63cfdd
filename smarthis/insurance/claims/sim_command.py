"""`smarthis sim claims`: the XML 130 receiving portal simulator, on loopback by default."""

from __future__ import annotations

import typer

from smarthis.config import get_settings
from smarthis.insurance.portal_simulator import is_loopback_host


def claims_simulator_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only by default)."),
    port: int = typer.Option(8084, help="TCP port (settings.claims_portal_url points here)."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a non-loopback host (the admin endpoints go with it)."
    ),
    token_ttl_s: float = typer.Option(3600.0, help="Lifetime of issued tokens, in seconds."),
) -> None:
    """Giả lập cổng tiếp nhận hồ sơ XML 130 / simulate the BHXH XML 130 receiving portal."""
    import uvicorn

    from smarthis.insurance.claims.simulator import create_claims_simulator

    if not allow_remote and not is_loopback_host(host):
        typer.echo(
            f"Từ chối chạy trên {host}: chỉ nghe trên 127.0.0.1 trừ khi có --allow-remote. "
            f"(Refusing non-loopback host {host} without --allow-remote.)",
            err=True,
        )
        raise typer.Exit(code=2)
    settings = get_settings()
    app = create_claims_simulator(
        username=settings.claims_username,
        password=settings.claims_password,
        facility_code=settings.facility_code,
        token_ttl_s=token_ttl_s,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
