"""Back up, verify and restore a SmartHIS database (SQLite or PostgreSQL), one file format.

A backup file is a tar of `manifest.json` (format version, database kind, Alembic
revisions, row counts per table, when, which facility) and one payload. Restore reads the
manifest first and refuses a file of another database kind, from a newer SmartHIS, or whose
payload does not match its checksum, before touching the target."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from smarthis.db import is_sqlite, normalise_url
from smarthis.ops import postgres_backup, sqlite_backup
from smarthis.ops.archive import extract_payload, file_sha256, read_manifest, write_archive
from smarthis.ops.errors import BackupError
from smarthis.ops.inventory import check_revisions_known, latest_revisions
from smarthis.ops.manifest import Manifest

PAYLOAD_NAMES = {"sqlite": "smarthis.sqlite3", "postgresql": "smarthis.pgdump"}


def database_kind(url: str) -> str:
    url = normalise_url(url)
    if is_sqlite(url):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise BackupError("backup_url", f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _smarthis_version() -> str:
    try:
        return version("smarthis")
    except PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def backup(url: str, out: Path, facility_code: str, pg_bin: Path | None = None) -> Manifest:
    kind = database_kind(url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Work files beside the output: same filesystem, and never a world-readable /tmp copy.
    with tempfile.TemporaryDirectory(prefix=".smarthis-backup-", dir=out.parent) as work:
        payload = Path(work) / PAYLOAD_NAMES[kind]
        tool = {"smarthis": _smarthis_version()}
        schema = None
        if kind == "sqlite":
            sqlite_backup.copy_live(sqlite_backup.database_path(url), payload)
            counts, revisions = sqlite_backup.describe(payload)
        else:
            dumped = postgres_backup.dump(url, payload, pg_bin)
            counts, revisions, schema = dumped.row_counts, dumped.revisions, dumped.schema
            tool |= {"server_version": dumped.server_version, "pg_dump": dumped.tool_version}
        manifest = Manifest(
            kind=kind,
            created_at=_now(),
            facility_code=facility_code,
            alembic_revisions=revisions,
            row_counts=counts,
            payload_name=payload.name,
            payload_sha256=file_sha256(payload),
            payload_bytes=payload.stat().st_size,
            schema=schema,
            tool=tool,
        )
        write_archive(out, manifest, payload)
    return manifest


def verify(path: Path, pg_bin: Path | None = None) -> Manifest:
    """Everything short of restoring: manifest, checksum, and the payload itself (SQLite:
    integrity_check and row counts; PostgreSQL: the dump's table of contents)."""
    manifest = read_manifest(path)
    check_revisions_known(manifest.alembic_revisions)
    # A private (0700) temporary directory: the backup's own may be read-only media.
    with tempfile.TemporaryDirectory(prefix="smarthis-verify-") as work:
        payload = Path(work) / manifest.payload_name
        extract_payload(path, manifest, payload)
        if manifest.kind == "sqlite":
            counts, revisions = sqlite_backup.describe(payload)
            _require_counts(manifest, counts, "backup")
            if revisions != manifest.alembic_revisions:
                raise BackupError("backup_corrupted", "schema revision differs from the manifest")
        else:
            tables = postgres_backup.list_tables(
                payload, manifest.tool.get("server_version", ""), pg_bin
            )
            missing = sorted(set(manifest.row_counts) - tables)
            if missing:
                raise BackupError(
                    "backup_corrupted", f"the dump lacks data of tables: {', '.join(missing)}"
                )
    return manifest


def _require_counts(manifest: Manifest, counts: dict[str, int], where: str) -> None:
    if counts == manifest.row_counts:
        return
    differing = sorted(
        name
        for name in set(counts) | set(manifest.row_counts)
        if counts.get(name) != manifest.row_counts.get(name)
    )
    raise BackupError(
        "backup_counts_differ",
        f"row counts in the {where} differ from the manifest for: {', '.join(differing[:10])}",
        "số dòng dữ liệu không khớp với bản kê khai",
    )


@dataclass
class RestoreResult:
    manifest: Manifest
    # SQLite: the replaced database, kept beside the restored one.
    previous_database: Path | None
    # The restored schema is older than this code's: `smarthis migrate` brings it up.
    needs_migrate: bool


def restore(url: str, path: Path, pg_bin: Path | None = None) -> RestoreResult:
    kind = database_kind(url)
    manifest = read_manifest(path)
    if manifest.kind != kind:
        raise BackupError(
            "restore_wrong_kind",
            f"{path} is a {manifest.kind} backup; the target database is {kind}",
            f"bản sao lưu loại {manifest.kind} không khôi phục được vào {kind}",
        )
    check_revisions_known(manifest.alembic_revisions)
    needs_migrate = manifest.alembic_revisions != latest_revisions()
    if kind == "sqlite":
        target = sqlite_backup.database_path(url).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = _restore_sqlite(path, manifest, target)
        return RestoreResult(manifest, previous, needs_migrate)
    postgres_backup.check_restore_target(url, manifest.schema or "")
    with tempfile.TemporaryDirectory(prefix=".smarthis-restore-") as work:
        dump_file = Path(work) / manifest.payload_name
        extract_payload(path, manifest, dump_file)
        counts = postgres_backup.restore(url, dump_file, manifest.schema or "", pg_bin)
    _require_counts(manifest, counts, "restored database")
    return RestoreResult(manifest, None, needs_migrate)


def _restore_sqlite(path: Path, manifest: Manifest, target: Path) -> Path | None:
    # Built in the target's directory so the final rename is atomic (same filesystem).
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
    candidate = work / target.name
    try:
        extract_payload(path, manifest, candidate)
        counts, revisions = sqlite_backup.describe(candidate)
        _require_counts(manifest, counts, "backup")
        if revisions != manifest.alembic_revisions:
            raise BackupError("backup_corrupted", "schema revision differs from the manifest")
        return sqlite_backup.replace_database(candidate, target)
    finally:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()
