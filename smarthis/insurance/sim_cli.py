"""`smarthis sim ...`: simulators of the outside systems we cannot reach from here."""

from __future__ import annotations

from pathlib import Path

import typer

from smarthis.billing.sim_command import bank_simulator_command
from smarthis.insurance.claims.sim_command import claims_simulator_command
from smarthis.insurance.portal_simulator import is_loopback_host, run_simulator
from smarthis.integrations.hl7.sim_command import lis_simulator_command

sim_app = typer.Typer(help="Chạy bộ giả lập hệ thống bên ngoài / run external-system simulators.")


@sim_app.callback()
def _simulators() -> None:
    """Keeps `sim` a command group even while it has a single simulator."""


@sim_app.command("bhxh")
def bhxh(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback only by default)."),
    port: int = typer.Option(8081, help="TCP port."),
    cards: Path | None = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="Card data file (JSON); default settings.bhxh_sim_cards_file or the demo cards.",
    ),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a non-loopback host (the admin endpoints go with it)."
    ),
    token_ttl_s: float = typer.Option(3600.0, help="Lifetime of issued tokens, in seconds."),
) -> None:
    """Giả lập cổng tra cứu thẻ BHYT của BHXH / simulate the BHXH card-check portal."""
    if not allow_remote and not is_loopback_host(host):
        typer.echo(
            f"Từ chối chạy trên {host}: chỉ nghe trên 127.0.0.1 trừ khi có --allow-remote. "
            f"(Refusing non-loopback host {host} without --allow-remote.)",
            err=True,
        )
        raise typer.Exit(code=2)
    run_simulator(host, port, cards, allow_remote=allow_remote, token_ttl_s=token_ttl_s)


# The laboratory system (HL7 over MLLP): its command lives with the LIS link.
sim_app.command("lis")(lis_simulator_command)
# The hospital's bank (VietQR payments, credit notifications): its command lives with billing.
sim_app.command("bank")(bank_simulator_command)
# The XML 130 claims receiving portal: its command lives with the claims.
sim_app.command("claims")(claims_simulator_command)
