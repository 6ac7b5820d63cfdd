"""`smarthis simulate day` (plan rooms and staff for a volume of visits) and
`smarthis simulate erlang` (the simulator checked against the Erlang C formula)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

simulate_app = typer.Typer(
    help="Patient-flow simulation (SimPy): waits per step and room use for a day's volume",
    no_args_is_help=True,
)

# Arrivals counted by default in `simulate erlang`: enough for the simulated mean wait to
# land within a few percent of Erlang C at moderate loads (its 95% interval is printed).
DEFAULT_CUSTOMERS = 200_000
WARMUP_SHARE = 0.05


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _parse_servers(values: list[str]) -> dict[str, int]:
    changes: dict[str, int] = {}
    for value in values:
        key, sep, count = value.partition("=")
        if not sep or not count.strip().isdigit() or int(count) < 1:
            _fail(f"--servers {value!r}: expected ROOM=COUNT with COUNT >= 1, e.g. kiosk=4")
        changes[key.strip()] = int(count)
    return changes


@simulate_app.command("day")
def simulate_day_command(
    config_file: Path = typer.Option(
        None, "--config", help="JSON or TOML; its top-level keys replace the demo hospital's"
    ),
    visits: int = typer.Option(None, "--visits", min=1, max=50_000, help="visits in the day"),
    servers: list[str] = typer.Option(
        [], "--servers", help="ROOM=COUNT, repeatable: kiosk=6, reception=4, exam:VU=3"
    ),
    days: int = typer.Option(5, "--days", min=1, max=200, help="days simulated and pooled"),
    seed: int = typer.Option(1, "--seed", help="same seed, same patients: runs compare"),
    as_json: bool = typer.Option(False, "--json", help="print the JSON report, not a summary"),
    out: Path = typer.Option(None, "--out", help="also write the JSON report to this file"),
) -> None:
    """Simulate an outpatient day: wait per step (mean, p50, p95, by hour), room use.

    Defaults are the demo hospital (kiosks, reception counters, examination rooms by
    specialty, lab sampling, X-ray, ultrasound, CT, endoscopy, ECG, cashier, pharmacy) with
    a morning peak (40% of arrivals in the first two hours). Change room counts with
    --servers and the volume with --visits to see what a volume needs."""
    from smarthis.planning.day_config import PlanningConfigError, load_config
    from smarthis.planning.day_report import human_summary, summarise
    from smarthis.planning.day_sim import simulate_day

    try:
        config = load_config(config_file)
        if visits is not None:
            config = config.model_copy(update={"visits": visits})
        if servers:
            config = config.with_servers(_parse_servers(servers))
    except PlanningConfigError as exc:
        _fail(f"simulate_config: {exc}")
        return
    # Day d uses seed + d: several different days, the same ones for every room plan.
    runs = [simulate_day(config, seed + day) for day in range(days)]
    report = summarise(config, runs, seed)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if out is not None:
        out.write_text(text + "\n", encoding="utf-8")
    typer.echo(text if as_json else human_summary(report))


@simulate_app.command("erlang")
def simulate_erlang_command(
    arrival_rate: float = typer.Option(..., "--arrival-rate", help="arrivals per minute (λ)"),
    service_min: float = typer.Option(..., "--service-min", help="mean service minutes (1/μ)"),
    servers: int = typer.Option(..., "--servers", help="servers sharing one line (c)"),
    minutes: float = typer.Option(
        None,
        "--minutes",
        help=f"simulated minutes (default: long enough for {DEFAULT_CUSTOMERS:,} arrivals)",
    ),
    seed: int = typer.Option(1, "--seed"),
) -> None:
    """M/M/c: probability of waiting and mean wait, by Erlang C and by simulation (JSON).

    The simulation starts empty, so the first 5% of the run is a warm-up whose arrivals
    are not counted. The default run (200,000 arrivals) puts the simulated mean wait
    within about 5% of Erlang C at moderate loads (rho up to ~0.7); nearer 1 the mean
    converges slowly: give more --minutes and read sim_wq_ci95_min (the half-width of its
    95% interval). A load of 1 or more (rho >= 1) has no steady state: exit 2."""
    from smarthis.planning.erlang import UnstableQueue, erlang_c
    from smarthis.planning.mmc import simulate_mmc

    try:
        analytic = erlang_c(arrival_rate, service_min, servers)
    except UnstableQueue as exc:
        _fail(f"simulate_unstable: {exc} — hàng đợi không ổn định (rho >= 1)")
        return
    except ValueError as exc:
        _fail(f"simulate_input: {exc}")
        return
    run_minutes = minutes if minutes is not None else DEFAULT_CUSTOMERS / arrival_rate
    if run_minutes <= 0:
        _fail("simulate_input: --minutes must be positive")
    try:
        simulated = simulate_mmc(
            arrival_rate, service_min, servers, run_minutes, run_minutes * WARMUP_SHARE, seed
        )
    except ValueError as exc:
        _fail(f"simulate_input: {exc}; give more --minutes")
        return
    report = {
        "arrival_rate_per_min": arrival_rate,
        "service_mean_min": service_min,
        "servers": servers,
        "rho": round(analytic.utilisation, 6),
        "p_wait": round(analytic.p_wait, 6),
        "wq_min": round(analytic.wq_min, 6),
        "sim_p_wait": round(simulated.p_wait, 6),
        "sim_wq_min": round(simulated.wq_min, 6),
        "sim_wq_ci95_min": round(simulated.wq_ci95_min, 6),
        "sim_customers": simulated.customers,
        "sim_minutes": run_minutes,
        "warmup_min": run_minutes * WARMUP_SHARE,
        "seed": seed,
    }
    typer.echo(json.dumps(report))
