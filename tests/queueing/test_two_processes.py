"""Two app processes on one PostgreSQL: a call made through one reaches a board connected
to the other, through LISTEN/NOTIFY."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest

from smarthis.db import Database, is_sqlite
from smarthis.security import service as security
from tests.processes import start_server


def _read_calls(url: str, token: str, found: list[dict], ready: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(20.0)) as response:
        ready.set()
        for line in response.iter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                if event.get("kind") == "called":
                    found.append(event)
                    return


def test_call_through_one_process_reaches_a_board_on_the_other(
    floor: Database, tmp_path: Path
) -> None:
    if is_sqlite(floor.url):
        pytest.skip("several app processes need PostgreSQL (runs in make test's PostgreSQL pass)")
    with floor.session() as session:
        doctor = security.create_staff(
            session,
            facility_code="48001",
            login="bs.nam",
            full_name="Nguyễn Văn Nam",
            role="doctor",
            password="mat-khau-bac-si",
        )
        doctor_token = security.issue_api_token(session, doctor)
        _board, board_token = security.register_device(
            session,
            facility_code="48001",
            code="board-cdha",
            name="Màn hình CĐHA",
            kind="display_board",
        )
    first = start_server(floor.url, tmp_path)
    second = start_server(floor.url, tmp_path)
    try:
        found: list[dict] = []
        ready = threading.Event()
        reader = threading.Thread(
            target=_read_calls,
            args=(f"{second.base_url}/api/display/CDHA/events", board_token, found, ready),
            daemon=True,
        )
        reader.start()
        assert ready.wait(10)
        headers = {"Authorization": f"Bearer {doctor_token}"}
        issued = httpx.post(
            f"{first.base_url}/api/queue/tickets",
            json={"point_code": "SA-01"},
            headers={"Authorization": f"Bearer {_reception_token(floor)}"},
            timeout=10,
        )
        assert issued.status_code == 201, issued.text
        called = httpx.post(
            f"{first.base_url}/api/queue/points/SA-01/call-next", headers=headers, timeout=10
        )
        assert called.status_code == 200, called.text
        reader.join(timeout=20)
        assert [e["display_number"] for e in found] == [issued.json()["display_number"]]
        assert found[0]["room"]["serving"]["display_number"] == issued.json()["display_number"]
    finally:
        first.stop()
        second.stop()


def _reception_token(db: Database) -> str:
    with db.session() as session:
        staff = security.create_staff(
            session,
            facility_code="48001",
            login="letan.hoa",
            full_name="Trần Thị Hoa",
            role="receptionist",
            password="mat-khau-tiep-don",
            cccd="048188001234",
        )
        return security.issue_api_token(session, staff)
