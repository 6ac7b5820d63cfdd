"""Erlang C against published numbers and closed forms, and the SimPy queue against
Erlang C: if the simulator gets the textbook queue right, its hospital day is built on
sound parts."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.planning.erlang import UnstableQueue, erlang_c
from smarthis.planning.mmc import simulate_mmc

runner = CliRunner()


@pytest.mark.parametrize(
    ("agents", "p_wait", "asa_s"),
    # The classic call-centre table: A = 10 Erlangs (e.g. 200 calls an hour of 3 minutes),
    # probability of waiting and average speed of answer for 11..13 agents.
    [(11, 0.6821, 122.8), (12, 0.4494, 40.4), (13, 0.2853, 17.1)],
)
def test_erlang_c_matches_the_published_table(agents: int, p_wait: float, asa_s: float) -> None:
    result = erlang_c(arrival_rate_per_min=200 / 60, service_mean_min=3, servers=agents)
    assert result.offered_load == pytest.approx(10)
    assert result.p_wait == pytest.approx(p_wait, abs=5e-5)
    assert result.wq_min * 60 == pytest.approx(asa_s, abs=0.05)


def test_erlang_c_reduces_to_the_single_and_two_server_formulas() -> None:
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda).
    one = erlang_c(arrival_rate_per_min=0.5, service_mean_min=1, servers=1)
    assert (one.p_wait, one.wq_min) == (pytest.approx(0.5), pytest.approx(1.0))
    # M/M/2 with lambda = 2, mu = 1.5: P(wait) = 2 rho^2 / (1 + rho) = 8/15, and
    # Wq = P(wait) / (2 mu - lambda) = 8/15.
    two = erlang_c(arrival_rate_per_min=2, service_mean_min=1 / 1.5, servers=2)
    assert two.p_wait == pytest.approx(8 / 15)
    assert two.wq_min == pytest.approx(8 / 15)


def test_erlang_c_refuses_an_unstable_queue() -> None:
    with pytest.raises(UnstableQueue, match="utilisation 1 >= 1"):
        erlang_c(arrival_rate_per_min=1, service_mean_min=3, servers=3)


def test_simulated_m_m_1_is_within_five_percent_of_erlang_c() -> None:
    analytic = erlang_c(0.5, 1.0, 1)
    # ~76,000 counted arrivals; the first 5% of the run is warm-up.
    simulated = simulate_mmc(0.5, 1.0, 1, minutes=160_000, warmup_min=8_000, seed=1)
    assert simulated.customers > 70_000
    assert simulated.p_wait == pytest.approx(analytic.p_wait, rel=0.05)
    assert simulated.wq_min == pytest.approx(analytic.wq_min, rel=0.05)
    assert abs(simulated.wq_min - analytic.wq_min) < 2 * simulated.wq_ci95_min


def test_simulate_erlang_prints_analytic_and_simulated_values_within_five_percent() -> None:
    args = ["--arrival-rate", "1.2", "--service-min", "1.5", "--servers", "3"]
    result = runner.invoke(app, ["simulate", "erlang", *args, "--minutes", "70000"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rho"] == pytest.approx(0.6)
    assert report["p_wait"] == pytest.approx(erlang_c(1.2, 1.5, 3).p_wait, abs=1e-6)
    assert report["sim_p_wait"] == pytest.approx(report["p_wait"], rel=0.05)
    assert report["sim_wq_min"] == pytest.approx(report["wq_min"], rel=0.05)
    assert report["warmup_min"] == pytest.approx(3500)
    again = runner.invoke(app, ["simulate", "erlang", *args, "--minutes", "70000"])
    assert json.loads(again.stdout) == report  # same seed, same run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arrival-rate", "2", "--service-min", "3", "--servers", "5"], "rho >= 1"),
        (["--arrival-rate", "1", "--service-min", "1", "--servers", "1"], "rho >= 1"),
        (["--arrival-rate", "0", "--service-min", "1", "--servers", "1"], "must be positive"),
        (["--arrival-rate", "1", "--service-min", "1", "--servers", "0"], "at least one"),
        (
            ["--arrival-rate", "1", "--service-min", "0.5", "--servers", "1", "--minutes", "5"],
            "too short",
        ),
    ],
    ids=["overloaded", "exactly-full", "no-arrivals", "no-servers", "run-too-short"],
)
def test_simulate_erlang_bad_input_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", "erlang", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
