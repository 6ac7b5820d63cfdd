"""`smarthis simulate day` as a planner uses it: the report's shape, the morning peak, and
the answers a planner relies on (more rooms, shorter waits; more visits, longer waits)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.planning.day_config import load_config
from smarthis.planning.day_report import step_order

runner = CliRunner()


def simulate(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["simulate", "day", "--json", "--days", "2", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo_day() -> dict[str, Any]:
    return simulate()


def test_report_has_waits_per_step_and_hour_and_use_per_room(demo_day: dict[str, Any]) -> None:
    config = load_config(None)
    assert demo_day["visits"] == 600 and demo_day["days_simulated"] == 2
    assert list(demo_day["steps"]) == step_order(config)
    for step in demo_day["steps"].values():
        wait = step["wait_min"]
        assert 0 <= wait["p50"] <= wait["p95"] and wait["mean"] >= 0
        assert all(hour.endswith(":00") for hour in step["by_hour"])
        per_hour = sum(h["patients_per_day"] for h in step["by_hour"].values())
        assert per_hour == pytest.approx(wait["patients_per_day"], abs=0.6)
    assert demo_day["steps"]["kiosk"]["wait_min"]["patients_per_day"] == 600
    assert demo_day["steps"]["exam:VU"]["name"] == "Khám Ung bướu vú - phụ khoa"
    rooms = demo_day["rooms"]
    assert rooms["kiosk"]["servers"] == 4 and rooms["exam:VU"]["servers"] == 2
    assert all(0 < room["utilisation"] <= 1 for room in rooms.values())
    stay = demo_day["time_in_hospital_min"]
    assert stay["patients_per_day"] == 600 and stay["p95"] > stay["p50"] > 0


def test_forty_percent_arrive_in_the_first_two_hours(demo_day: dict[str, Any]) -> None:
    kiosk = demo_day["steps"]["kiosk"]["by_hour"]
    assert demo_day["opening"] == "06:00"
    first_two = kiosk["06:00"]["patients_per_day"] + kiosk["07:00"]["patients_per_day"]
    assert first_two / 600 == pytest.approx(0.40, abs=0.04)


def test_more_rooms_shorten_the_waits_at_those_rooms() -> None:
    few = simulate("--servers", "kiosk=2", "--servers", "exam:NTQ=1")
    more = simulate("--servers", "kiosk=5", "--servers", "exam:NTQ=2")
    for step in ("kiosk", "exam:NTQ", "conclusion:NTQ"):
        assert more["steps"][step]["wait_min"]["mean"] < few["steps"][step]["wait_min"]["mean"]
        assert more["steps"][step]["wait_min"]["p95"] <= few["steps"][step]["wait_min"]["p95"]
    assert more["rooms"]["kiosk"]["utilisation"] < few["rooms"]["kiosk"]["utilisation"]
    stay_few, stay_more = few["time_in_hospital_min"], more["time_in_hospital_min"]
    assert stay_more["mean"] < stay_few["mean"]


def test_each_added_examination_room_shortens_the_wait() -> None:
    means = [
        simulate("--servers", f"exam:VU={rooms}")["steps"]["exam:VU"]["wait_min"]["mean"]
        for rooms in (1, 2, 3)
    ]
    assert means[0] > means[1] > means[2]


def test_doubling_the_visits_doubles_the_patients_and_lengthens_the_waits(
    demo_day: dict[str, Any],
) -> None:
    busy = simulate("--visits", "1200")
    assert busy["steps"]["kiosk"]["wait_min"]["patients_per_day"] == 1200
    assert busy["time_in_hospital_min"]["mean"] > demo_day["time_in_hospital_min"]["mean"]
    assert busy["rooms"]["exam:VU"]["utilisation"] > demo_day["rooms"]["exam:VU"]["utilisation"]


def test_same_seed_same_day_and_a_summary_for_people(tmp_path: Path) -> None:
    out = tmp_path / "day.json"
    args = ["simulate", "day", "--days", "1", "--visits", "200", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "200 visits a day" in result.stdout
    assert "longest waits:" in result.stdout
    assert json.loads(out.read_text()) == simulate("--days", "1", "--visits", "200")


def test_a_config_file_changes_the_hospital(tmp_path: Path) -> None:
    config = tmp_path / "hospital.toml"
    config.write_text(
        'visits = 300\n[stations.kiosk]\nname = "Kiosk"\nservers = 1\n'
        'service = { dist = "fixed", mean_min = 1.0 }\n'
    )
    report = simulate("--config", str(config))
    assert report["visits"] == 300
    assert report["rooms"]["kiosk"] == {
        "name": "Kiosk",
        "servers": 1,
        "utilisation": report["rooms"]["kiosk"]["utilisation"],
    }
    assert report["rooms"]["reception"]["servers"] == 3  # the demo's, untouched


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--servers", "helipad=2"], "unknown room kind 'helipad'"),
        (["--servers", "kiosk=0"], "expected ROOM=COUNT"),
        (["--config", "/nonexistent/hospital.json"], "does not exist"),
        (["--visits", "0"], "--visits"),
    ],
)
def test_bad_day_input_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", "day", *args])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"visits": "many"}', "visits:"),
        ('{"routing": {"tests": [{"station": "pet_ct", "probability": 0.1}]}}', "pet_ct"),
        ('{"arrivals_by_hour": {"7": 0}}', "no arrivals"),
        ("{not json", "not valid json"),
    ],
)
def test_bad_config_file_exits_2_naming_the_field(
    tmp_path: Path, content: str, message: str
) -> None:
    config = tmp_path / "hospital.json"
    config.write_text(content)
    result = runner.invoke(app, ["simulate", "day", "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith("simulate_config: ")
    assert message in result.stderr
