"""Queue display boards in Debian's Chromium: a call made at a service point appears on every
board of the area (and exactly one board speaks it), a board finds its way back after the
server restarts, and screenshots of a busy board and a door display."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, Response, expect
from sqlalchemy import func, select

from smarthis.db import Database
from smarthis.queueing import service as queue
from smarthis.queueing.models import Announcement
from smarthis.queueing.service import TicketRequest
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service
from smarthis.security.principal import system_principal
from tests.apphelpers import FACILITY, make_app
from tests.e2e.browser import chromium, screenshot_path
from tests.servers import serve_in_thread

AREA = "KKB"
VIEWPORT = {"width": 1920, "height": 1080}  # a full-HD TV
WAIT_MS = 20_000  # every browser wait is bounded: a board that misses an event fails fast
ROOMS = (
    # code, name, label, prefix, kind
    ("PK-101", "Phòng khám Nội tổng quát", "101", "A", "examination"),
    ("PK-102", "Phòng khám Ung bướu vú", "102", "B", "examination"),
    ("PK-103", "Phòng khám Tuyến giáp", "103", "C", "examination"),
    ("PK-104", "Phòng khám Tai Mũi Họng", "104", "D", "examination"),
    ("PK-105", "Phòng khám Phụ khoa", "105", "E", "examination"),
    ("TN-01", "Quầy thu ngân 1", "Quầy 1", "T", "cashier"),
)


@dataclass
class Hospital:
    doctor: dict[str, str]
    receptionist: dict[str, str]
    board_tokens: list[str] = field(default_factory=list)


def seed(db: Database, boards: int = 2) -> Hospital:
    """An examination area with six rooms, a doctor, a receptionist and display boards."""
    with db.session() as session:
        create_area(session, FACILITY, AREA, "Khu khám bệnh")
        for code, name, label, prefix, kind in ROOMS:
            create_service_point(
                session,
                FACILITY,
                code=code,
                name=name,
                kind=kind,
                area_code=AREA,
                prefix=prefix,
                room_label=label,
                floor="Tầng 1",
            )
        doctor = service.create_staff(
            session,
            facility_code=FACILITY,
            login="bs.nam",
            full_name="Lê Văn Nam",
            role="doctor",
            password="mat-khau-bac-si",
        )
        receptionist = service.create_staff(
            session,
            facility_code=FACILITY,
            login="letan.hoa",
            full_name="Trần Thị Hoa",
            role="receptionist",
            password="mat-khau-tiep-don",
            cccd="048188001234",
        )
        hospital = Hospital(
            doctor={"Authorization": f"Bearer {service.issue_api_token(session, doctor)}"},
            receptionist={
                "Authorization": f"Bearer {service.issue_api_token(session, receptionist)}"
            },
        )
        for i in range(1, boards + 1):
            _device, token = service.register_device(
                session,
                facility_code=FACILITY,
                code=f"board-kkb-{i}",
                name=f"Màn hình khu khám bệnh {i}",
                kind="display_board",
            )
            hospital.board_tokens.append(token)
    return hospital


def issue_and_call(base_url: str, hospital: Hospital, point: str) -> str:
    """Reception gives a number for the room; the doctor calls the next patient through the
    API (the one just given, unless others were waiting): returns the number called."""
    issue(base_url, hospital, point)
    with httpx.Client(base_url=base_url, timeout=10) as client:
        called = client.post(f"/api/queue/points/{point}/call-next", headers=hospital.doctor)
    assert called.status_code == 200, called.text
    return called.json()["display_number"]


def open_board(browser: Browser, base_url: str, token: str, path: str = f"/display/{AREA}") -> Page:
    page = browser.new_context(viewport=VIEWPORT, locale="vi-VN").new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{base_url}/device/activate?token={token}&next={path}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "ok")
    return page


def expect_serving(page: Page, point: str, number: str) -> None:
    card = page.locator(f'.room[data-code="{point}"]')
    expect(card.locator(".serving-number")).to_have_text(number)
    expect(page.locator("#recent-calls .call.latest .call-number")).to_have_text(number)


@contextmanager
def served(db: Database) -> Iterator[str]:
    # On PostgreSQL events reach this process's boards through LISTEN/NOTIFY, started by the
    # app's lifespan; wait for the listener so no call is made before it listens.
    app = make_app(db)
    running = serve_in_thread(app, lifespan=True)
    try:
        for worker in app.state.background_workers:
            ready = getattr(worker, "ready", None)
            if ready is not None:
                assert ready.wait(10), "the event listener did not connect"
        yield running.base_url
    finally:
        running.stop()


def issue(base_url: str, hospital: Hospital, point: str) -> str:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        issued = client.post(
            "/api/queue/tickets", json={"point_code": point}, headers=hospital.receptionist
        )
    assert issued.status_code == 201, issued.text
    return issued.json()["display_number"]


def open_console(browser: Browser, base_url: str, point: str) -> Page:
    """The doctor signs in and opens the caller console of the room."""
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{base_url}/login?next=/console/{point}")
    page.fill("input[name=login]", "bs.nam")
    page.fill("input[name=password]", "mat-khau-bac-si")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/console/{point}")
    return page


def test_a_call_at_the_console_appears_on_every_board_and_is_spoken_once(db: Database) -> None:
    hospital = seed(db, boards=2)
    with served(db) as base_url, chromium() as browser:
        boards = [open_board(browser, base_url, token) for token in hospital.board_tokens]
        for board in boards:
            # Without the kiosk flag --autoplay-policy=no-user-gesture-required, a TV's
            # browser keeps audio off until someone taps the screen once.
            board.click("#sound-on")
            expect(board.locator("#sound-on")).to_be_hidden()
            expect(board.locator('.room[data-code="PK-102"] .serving-number')).to_have_text("—")
        console = open_console(browser, base_url, "PK-102")
        call_next = console.get_by_role("button", name="Gọi số tiếp theo")
        number = issue(base_url, hospital, "PK-102")

        # Both boards claim the call's announcement; the database lets one of them speak.
        def is_claim(response: Response) -> bool:
            return "/api/display/announcements/" in response.url

        with (
            boards[0].expect_response(is_claim, timeout=WAIT_MS) as first,
            boards[1].expect_response(is_claim, timeout=WAIT_MS) as second,
        ):
            call_next.click()
        expect(console.locator("#current-number")).to_have_text(number)
        for board in boards:
            expect_serving(board, "PK-102", number)
            expect(board.locator("#recent-calls .call.latest .call-room")).to_have_text(
                "→ Phòng 102"
            )
        answers = sorted(r.value.json()["announce"] for r in (first, second))
        assert answers == [False, True]
        with db.session() as session:
            assert session.execute(select(func.count()).select_from(Announcement)).scalar() == 1

        # The next patient of the same room replaces the number; the call list grows.
        again = issue(base_url, hospital, "PK-102")
        call_next.click()
        for board in boards:
            expect_serving(board, "PK-102", again)
            expect(board.locator("#recent-calls .call")).to_have_count(2)


# --- the board after a server restart: a real uvicorn process, stopped and started again ---


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    """`python -m uvicorn smarthis.asgi:app` on a fixed port, as a hospital runs it."""

    def __init__(self, database_url: str, port: int, workdir: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.workdir = workdir
        self.env = {
            **os.environ,
            "SMARTHIS_DATABASE_URL": database_url,
            "SMARTHIS_FACILITY_CODE": FACILITY,
            "SMARTHIS_DATA_DIR": str(workdir),
            "SMARTHIS_BHXH_RECHECK_INTERVAL_S": "86400",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "smarthis.asgi:app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        # As `smarthis serve` does: a restart does not wait for the boards' endless streams.
        command += ["--timeout-graceful-shutdown", "3"]
        log = (self.workdir / "server.log").open("ab")
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
        )
        # About 5 s on a quiet machine; with both test suites and a benchmark running at once
        # a restart once needed more than 20 s. Ready is what is waited for, not a time.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")[-4000:]


def test_a_board_recovers_by_itself_after_the_server_restarts(db: Database, tmp_path: Path) -> None:
    hospital = seed(db, boards=1)
    server = AppProcess(db.url, free_port(), tmp_path)
    try:
        server.start()
        with chromium() as browser:
            board = open_board(browser, server.base_url, hospital.board_tokens[0])
            before = issue_and_call(server.base_url, hospital, "PK-101")
            expect_serving(board, "PK-101", before)

            server.stop()
            connection = board.locator("#connection")
            expect(connection).to_have_attribute("data-state", "lost")
            expect(connection).to_have_text("Mất kết nối — đang kết nối lại…")

            server.start()
            expect(connection).to_have_attribute("data-state", "ok")
            after = issue_and_call(server.base_url, hospital, "PK-103")
            expect_serving(board, "PK-103", after)
            # The room called before the restart still shows its patient.
            expect(board.locator('.room[data-code="PK-101"] .serving-number')).to_have_text(before)
    finally:
        server.stop()


# --- what a patient sees: a busy morning, one call just made ---

PATIENTS = (
    "Nguyễn Văn An",
    "Trần Thị Bích Ngọc",
    "Lê Hoàng Phúc",
    "Phạm Thị Thu Hà",
    "Hoàng Minh Đức",
    "Võ Thị Lan",
    "Đặng Quốc Bảo",
    "Bùi Thị Hồng Nhung",
    "Đỗ Văn Hùng",
    "Huỳnh Thị Mai",
    "Ngô Thanh Tùng",
    "Dương Thị Yến",
)


def busy_morning(db: Database) -> None:
    """Patients waiting in most rooms; four rooms serving; one room idle."""
    actor = system_principal(FACILITY, source="test")
    names = iter(PATIENTS * 4)
    waiting = {"PK-101": 5, "PK-102": 7, "PK-103": 3, "PK-104": 0, "PK-105": 4, "TN-01": 2}
    for code, count in waiting.items():
        for _ in range(count):
            queue.issue_ticket_once(
                db, actor, TicketRequest(point_code=code, full_name=next(names))
            )
    for code in ("PK-105", "PK-103", "TN-01", "PK-101", "PK-105"):
        with db.session() as session:
            queue.call_next(session, actor, code)


def test_screenshots_of_a_busy_board_and_a_door_display(db: Database) -> None:
    hospital = seed(db, boards=1)
    busy_morning(db)
    with served(db) as base_url, chromium() as browser:
        board = open_board(browser, base_url, hospital.board_tokens[0])
        board.click("#sound-on")  # as a TV started with the autoplay flag: no sound prompt
        number = issue_and_call(base_url, hospital, "PK-102")
        expect_serving(board, "PK-102", number)
        latest = board.locator("#recent-calls .call.latest")
        expect(latest).to_have_class(re.compile(r"\bflash\b"))  # blinking for a few seconds
        expect(board.locator('.room[data-code="PK-104"]')).to_have_class(re.compile(r"\bidle\b"))
        expect(board.locator("#recent-calls .call")).to_have_count(6)
        board.screenshot(path=screenshot_path("board"))

        # Before (or without) the script the server's page shows the same board.
        plain = browser.new_context(java_script_enabled=False, viewport=VIEWPORT).new_page()
        plain.goto(f"{base_url}/device/activate?token={hospital.board_tokens[0]}&next=/display/KKB")
        for part in ("#rooms", "#recent-calls"):
            assert plain.inner_text(part) == board.inner_text(part)

        door = open_board(browser, base_url, hospital.board_tokens[0], "/display/room/PK-102")
        expect(door.locator("#door .serving-number")).to_have_text(number)
        expect(door.locator("#door .next-numbers b")).to_have_count(3)
        door.screenshot(path=screenshot_path("door"))
