"""The backup file: a plain tar holding `manifest.json` then one payload (the SQLite
database file or the PostgreSQL custom-format dump), so `tar tf` shows what it is."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
import time
from pathlib import Path

from smarthis.ops.errors import BackupError
from smarthis.ops.manifest import Manifest

MANIFEST_NAME = "manifest.json"
# A manifest is a few kilobytes; a bigger member is not ours and is not read into memory.
MAX_MANIFEST_BYTES = 1_000_000
CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(out: Path, manifest: Manifest, payload: Path) -> None:
    """Written beside the target and renamed at the end: a file named `out` is always whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            body = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(body)
            info.mtime = int(time.time())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(body))
            payload_info = tar.gettarinfo(str(payload), arcname=manifest.payload_name)
            payload_info.mode = 0o600
            payload_info.uid = payload_info.gid = 0
            payload_info.uname = payload_info.gname = ""
            with payload.open("rb") as handle:
                tar.addfile(payload_info, handle)
            tar.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _not_a_backup(path: Path, why: str) -> BackupError:
    return BackupError(
        "backup_not_recognised",
        f"{path} is not a SmartHIS backup ({why})",
        "tệp này không phải bản sao lưu SmartHIS hoặc đã hỏng",
    )


def read_manifest(path: Path) -> Manifest:
    if not path.is_file():
        raise BackupError("backup_missing", f"{path} does not exist", "không tìm thấy tệp")
    try:
        with tarfile.open(path, mode="r:") as tar:
            member = _regular_member(tar, MANIFEST_NAME, path)
            if member.size > MAX_MANIFEST_BYTES:
                raise _not_a_backup(path, "manifest.json is too large")
            handle = tar.extractfile(member)
            assert handle is not None  # a regular file always has content
            return Manifest.from_json(handle.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _not_a_backup(path, f"not a readable tar archive: {exc}") from exc


def _regular_member(tar: tarfile.TarFile, name: str, path: Path) -> tarfile.TarInfo:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise _not_a_backup(path, f"no {name} inside") from None
    # Never follow links or special files out of an archive someone handed us.
    if not member.isreg():
        raise _not_a_backup(path, f"{name} is not a regular file")
    return member


def extract_payload(path: Path, manifest: Manifest, destination: Path) -> None:
    """Copies the payload out, checking its size and SHA-256 against the manifest."""
    digest = hashlib.sha256()
    written = 0
    try:
        with tarfile.open(path, mode="r:") as tar:
            member = _regular_member(tar, manifest.payload_name, path)
            source = tar.extractfile(member)
            assert source is not None
            with destination.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    written += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
    except (tarfile.TarError, EOFError) as exc:
        raise _not_a_backup(path, f"archive is damaged: {exc}") from exc
    if written != manifest.payload_bytes or digest.hexdigest() != manifest.payload_sha256:
        raise BackupError(
            "backup_corrupted",
            f"{path}: {manifest.payload_name} does not match its checksum in the manifest"
            " (the file was damaged or altered)",
            "bản sao lưu bị hỏng hoặc đã bị sửa đổi (sai mã kiểm tra)",
        )
