"""A PostgreSQL server of the fault run's own, to restart in the middle of the load.

The scenario restarts the server under the app; the machine's cluster serves other people's
tests and benches, so restarting it would break their runs. This one is a throwaway
instance (initdb into a temporary directory, trust authentication, 127.0.0.1 on a free
port), started and restarted with pg_ctl, and removed at the end. PostgreSQL refuses to run
as root: as root, its commands run as the `postgres` system user."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.faults_kiosk import Fault, Registration, wait_for_answers
from bench.servers import free_port

PG_LIB = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
COMMAND_TIMEOUT_S = 120


class NoPostgres(RuntimeError):
    """The PostgreSQL server programs (initdb, pg_ctl) are not installed here."""


def server_bin_dir() -> Path:
    """The newest installed server's programs (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(
        (d for d in PG_LIB.glob("*/bin") if (d / "initdb").exists()),
        key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0,
    )
    if not found:
        raise NoPostgres(f"no PostgreSQL server programs under {PG_LIB}")
    return found[-1]


class PrivateCluster:
    def __init__(self, bin_dir: Path, directory: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.directory = directory
        self.data = directory / "data"
        self.port = port

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, program: str, *args: str) -> None:
        argv = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", SYSTEM_USER, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory}"
        log = str(self.directory / "postgres.log")
        self._run("pg_ctl", action, "-D", str(self.data), "-w", "-l", log, "-o", options, *extra)

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        """A fast restart: open connections are cut, as when the service is restarted."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    bin_dir = server_bin_dir()
    directory = Path(tempfile.mkdtemp(prefix="smarthis-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, SYSTEM_USER, SYSTEM_USER)
    cluster = PrivateCluster(bin_dir, directory, free_port())
    try:
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def postgres_restart(cluster: PrivateCluster, after: int, timeout: float) -> Fault:
    """Once `after` kiosks have their answer, restart the server under the app."""

    def fault(registrations: list[Registration]) -> dict[str, object]:
        wait_for_answers(registrations, after, timeout)
        answered_before = sum(r.visit_number is not None for r in registrations)
        started = time.monotonic()
        cluster.restart()
        return {
            "answered_before_restart": answered_before,
            "postgres_restart_s": round(time.monotonic() - started, 2),
        }

    return fault
