"""SQLite: copy a live database with the online backup API, put a copy back in place.

The copy is one step of `Connection.backup` (all pages at once): it reads one snapshot, and
in WAL mode writers keep going meanwhile. Restore never writes into the live file: the copy
is built and checked beside it, then renamed over it. A process that still has the old file
open would keep reading and writing the old (now unlinked) file and its writes would be
lost, so restore refuses while any other process has the database open."""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from smarthis.ops.errors import BackupError
from smarthis.ops.inventory import alembic_revisions, row_counts

# Every connection to a WAL database holds a shared POSIX lock on this byte of the -shm
# file for as long as it is open (SQLite's "dead man switch", UNIX_SHM_DMS in os_unix.c).
SHM_DEAD_MAN_SWITCH_BYTE = 128
# Linux's open-file-description lock also sees this process's own SQLite connections; where
# it is missing, a classic POSIX lock still sees every other process.
SET_LOCK = getattr(fcntl, "F_OFD_SETLK", fcntl.F_SETLK)


def database_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("backup_sqlite_path", "the SQLite URL names no database file")
    return Path(database)


def copy_live(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError("backup_missing", f"database file {source} does not exist")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(destination)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # pages=-1: one step, one consistent snapshot
        # A self-contained file (no -wal beside it); the app turns WAL back on at connect.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def describe(path: Path) -> tuple[dict[str, int], list[str]]:
    """Row counts and Alembic revisions of a database file nobody else is using."""
    check_integrity(path)
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return row_counts(conn), alembic_revisions(conn)
    finally:
        engine.dispose()


def check_integrity(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            "backup_corrupted", f"the database in the backup is unreadable: {exc}"
        ) from exc
    if result != ["ok"]:
        raise BackupError(
            "backup_corrupted",
            "the database in the backup fails PRAGMA integrity_check: " + "; ".join(result[:5]),
            "cơ sở dữ liệu trong bản sao lưu bị hỏng",
        )


def open_by_another_process(path: Path) -> bool:
    """True when another process (a running `smarthis serve`, a worker) has the database
    open. Uses an open-file-description lock, which conflicts with SQLite's POSIX locks.
    Only call this from a process that has no SQLite connection to `path` itself: closing
    any descriptor of the -shm file drops this process's own POSIX locks on it."""
    shm = Path(f"{path}-shm")
    if not shm.exists():
        return False  # the last connection to close removes it
    fd = os.open(shm, os.O_RDWR)
    try:
        probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, SHM_DEAD_MAN_SWITCH_BYTE, 1, 0)
        try:
            fcntl.fcntl(fd, SET_LOCK, probe)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return True
            raise
        unlock = struct.pack("hhqqi", fcntl.F_UNLCK, os.SEEK_SET, SHM_DEAD_MAN_SWITCH_BYTE, 1, 0)
        fcntl.fcntl(fd, SET_LOCK, unlock)
        return False
    finally:
        os.close(fd)


def _checkpoint_and_close(path: Path) -> None:
    """Folds the old database's WAL into it and lets SQLite delete -wal and -shm: a WAL left
    behind would be replayed onto the restored file the next time it is opened."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        leftover = Path(f"{path}{suffix}")
        if leftover.exists() and (suffix == "-shm" or leftover.stat().st_size == 0):
            leftover.unlink()
        elif leftover.exists():
            raise BackupError(
                "restore_target_busy",
                f"{leftover} still holds changes after a checkpoint; is a server running?",
                "cơ sở dữ liệu đang được sử dụng; hãy dừng máy chủ SmartHIS trước",
            )


def replace_database(restored: Path, target: Path) -> Path | None:
    """Renames the checked copy over the target; the previous database stays beside it
    (hard link, no copy) as TARGET.pre-restore-TIMESTAMP. Returns that path, if any."""
    if open_by_another_process(target):
        raise BackupError(
            "restore_target_in_use",
            f"{target} is open in another process (a running `smarthis serve` or worker);"
            " stop it first: processes holding the old file would keep writing to it and"
            " those writes would be lost",
            "cơ sở dữ liệu đang được sử dụng; hãy dừng máy chủ SmartHIS trước khi khôi phục",
        )
    kept: Path | None = None
    if target.exists():
        _checkpoint_and_close(target)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.pre-restore-{stamp}")
        os.link(target, kept)
    os.replace(restored, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return kept
