"""A PACS for the demo (`make run`, i.e. `smarthis serve --with-simulators`): when no PACS
is configured and Debian's Orthanc is installed, run one under data_dir/orthanc, on
127.0.0.1-only ports next to (not on) the system service's 8042/4242."""

from __future__ import annotations

import atexit
import ctypes
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from smarthis.config import Settings, get_settings

log = logging.getLogger(__name__)

HTTP_PORT = 8043
DICOM_PORT = 4243
AE_TITLE = "SMARTHIS_PACS"
USERNAME = "smarthis"
PLUGINS = (
    Path("/usr/share/orthanc/plugins/libOrthancWebViewer.so"),
    Path("/usr/share/orthanc/plugins/libOrthancDicomWeb.so"),
)
START_TIMEOUT_S = 30


@dataclass(frozen=True)
class LocalPacs:
    url: str
    username: str
    password: str
    process: subprocess.Popen[bytes]


def _config(home: Path, password: str) -> dict[str, object]:
    storage = home / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    return {
        "Name": "SmartHIS demo PACS",
        "StorageDirectory": str(storage),
        "IndexDirectory": str(storage),
        "HttpPort": HTTP_PORT,
        "DicomPort": DICOM_PORT,
        "DicomAet": AE_TITLE,
        # Orthanc 1.10 cannot bind one address: refuse other hosts instead.
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": True,
        "RegisteredUsers": {USERNAME: password},
        "Plugins": [str(p) for p in PLUGINS if p.exists()],
        "WebViewer": {"CachePath": str(home / "webviewer-cache")},
        "HttpThreadsCount": 8,
        "ConcurrentJobs": 1,
    }


def _password(home: Path) -> str:
    """Made once and kept (0600) so the demo's viewer links keep working across runs."""
    secret = home / "password"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(18))
        secret.chmod(0o600)
    return secret.read_text().strip()


def _end_with_parent() -> None:
    """Run in the child before exec: Linux sends it SIGTERM when `smarthis serve` ends,
    even by a signal (uvicorn re-raises SIGTERM after shutdown, so atexit never runs)."""
    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_local_orthanc(settings: Settings) -> LocalPacs | None:
    """Start Orthanc and point this process's settings (and the app workers it starts)
    at it; None when Orthanc is not installed or does not start."""
    binary = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
    if not Path(binary).exists():
        return None
    home = (settings.data_dir / "orthanc").resolve()
    home.mkdir(parents=True, exist_ok=True)
    password = _password(home)
    config = home / "orthanc.json"
    config.write_text(json.dumps(_config(home, password), indent=2))
    config.chmod(0o600)
    with (home / "orthanc.log").open("ab") as out:
        process = subprocess.Popen(
            [binary, str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            # Started before serve's other threads: preexec_fn is only safe then.
            preexec_fn=_end_with_parent,
        )
    atexit.register(process.terminate)
    url = f"http://127.0.0.1:{HTTP_PORT}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/system", auth=(USERNAME, password), timeout=1).is_success:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        log.warning("the demo Orthanc did not start: see %s", home / "orthanc.log")
        process.terminate()
        return None
    os.environ.update(
        SMARTHIS_PACS_URL=url, SMARTHIS_PACS_USERNAME=USERNAME, SMARTHIS_PACS_PASSWORD=password
    )
    get_settings.cache_clear()  # the app reads its settings after this
    return LocalPacs(url, USERNAME, password, process)
