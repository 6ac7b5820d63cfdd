"""A real Orthanc for a test: its own process, temporary JSON config and storage, free
ports on 127.0.0.1, HTTP authentication. Never the system service."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
PLUGINS_DIR = Path("/usr/share/orthanc/plugins")
USERNAME = "smarthis"
PASSWORD = "pacs-test-password"
ORTHANC_AET = "ORTHANC_TEST"
STORESCU_AET = "STORESCU"
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def orthanc_installed() -> bool:
    return Path(ORTHANC).exists()


@dataclass
class OrthancProcess:
    workdir: Path
    http_port: int = field(default_factory=free_port)
    dicom_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def _config(self) -> dict[str, object]:
        storage = self.workdir / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        return {
            "Name": "SmartHIS test PACS",
            "StorageDirectory": str(storage),
            "IndexDirectory": str(storage),
            "HttpPort": self.http_port,
            "DicomPort": self.dicom_port,
            "DicomAet": ORTHANC_AET,
            "DicomCheckCalledAet": True,
            # Orthanc 1.10 has no bind address: HTTP refuses other hosts, and only the
            # registered storescu on 127.0.0.1 may store.
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": True,
            "RegisteredUsers": {USERNAME: PASSWORD},
            "DicomAlwaysAllowStore": False,
            "DicomCheckModalityHost": True,
            "DicomModalities": {"storescu": [STORESCU_AET, "127.0.0.1", 104]},
            "Plugins": [str(PLUGINS_DIR / "libOrthancWebViewer.so")],
            "WebViewer": {"CachePath": str(self.workdir / "webviewer-cache")},
            "HttpThreadsCount": 4,
            "DicomThreadsCount": 2,
            "ConcurrentJobs": 1,
            "SaveJobs": False,
        }

    def start(self) -> None:
        config = self.workdir / "orthanc.json"
        config.write_text(json.dumps(self._config()))
        log = (self.workdir / "orthanc.log").open("ab")
        self.process = subprocess.Popen(
            [ORTHANC, str(config)], stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Orthanc exited: see {self.workdir / 'orthanc.log'}")
            try:
                response = httpx.get(f"{self.url}/system", auth=(USERNAME, PASSWORD), timeout=1)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("Orthanc did not answer in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", auth=(USERNAME, PASSWORD), timeout=10)
