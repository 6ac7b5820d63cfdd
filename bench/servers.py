"""The processes a benchmark drives: the app under uvicorn and the BHXH portal simulator,
each a real server on 127.0.0.1, started in its own session and stopped by its own id."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0
STARTED_LINE = "Application startup complete."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The processes serving requests: uvicorn's spawned workers, or the process itself
        when it runs a single worker."""
        children = _children(self.pid)
        workers = [pid for pid in children if "spawn_main" in _cmdline(pid)]
        return workers or [self.pid]

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to the server's own process group (it was started in a new session),
        then SIGKILL if it has not ended within `timeout`."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(self.process.pid)
            self.process.wait(timeout=10)

    def kill(self) -> None:
        kill_group(self.process.pid)


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
        except OSError:
            continue
        found.extend(int(p) for p in text.split())
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _spawn(name: str, argv: list[str], env: dict[str, str], log_dir: Path, port: int) -> Server:
    log_path = log_dir / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, by its id
        )
    return Server(name, port, process, log_path)


def wait_until_answering(server: Server, path: str, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(
        f"{server.name} did not answer {path} in {timeout:.0f} s:\n{server.log_tail()}"
    )


def start_bhxh_simulator(cards_file: Path, log_dir: Path, port: int | None = None) -> Server:
    """`smarthis sim bhxh` on 127.0.0.1 with the card file the demo wrote."""
    port = port or free_port()
    argv = [sys.executable, "-m", "smarthis.cli", "sim", "bhxh", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--cards", str(cards_file)]
    server = _spawn("bhxh-sim", argv, dict(os.environ), log_dir, port)
    wait_until_answering(server, "/_sim/stats")
    return server


def start_app(
    database_url: str,
    log_dir: Path,
    *,
    workers: int,
    env: dict[str, str],
    port: int | None = None,
) -> Server:
    """`uvicorn smarthis.asgi:app --workers N` with settings from `env`; returns once
    /health answers (and, with several workers, once every worker has started)."""
    port = port or free_port()
    environment = {
        **os.environ,
        "SMARTHIS_DATABASE_URL": database_url,
        "SMARTHIS_FACILITY_CODE": "48001",
        **env,
    }
    argv = [sys.executable, "-m", "uvicorn", "smarthis.asgi:app", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--workers", str(workers), "--log-level", "info"]
    argv += ["--no-access-log", "--timeout-graceful-shutdown", "3"]
    server = _spawn("app", argv, environment, log_dir, port)
    wait_until_answering(server, "/health")
    # /health answers once one worker is up; count every worker's start-up line.
    deadline = time.monotonic() + START_TIMEOUT_S
    while server.log_tail(10_000).count(STARTED_LINE) < workers:
        if time.monotonic() > deadline or not server.alive():
            server.kill()
            raise RuntimeError(f"not every app worker started:\n{server.log_tail()}")
        time.sleep(0.1)
    return server
