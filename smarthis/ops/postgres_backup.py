"""PostgreSQL: `pg_dump --format=custom` of the application's schema, `pg_restore` of it.

The manifest's row counts and the dump come from one snapshot: this process opens a
REPEATABLE READ transaction, exports its snapshot, counts rows in it and hands it to
pg_dump (`--snapshot`), so the counts describe exactly the rows in the dump while the
hospital keeps writing."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from smarthis.db import make_engine
from smarthis.ops.errors import BackupError
from smarthis.ops.inventory import alembic_revisions, row_counts
from smarthis.ops.pg_connection import PgTarget, find_tool, pg_target, tool_env


@dataclass
class PgDump:
    schema: str
    row_counts: dict[str, int]
    revisions: list[str]
    server_version: str
    tool_version: str


def _quoted_pattern(schema: str) -> str:
    # Double quotes keep pg_dump from folding case or reading wildcards in the name.
    return '"' + schema.replace('"', '""') + '"'


def _server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _require_schema(conn: Connection, target: PgTarget) -> None:
    exists = conn.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": target.schema}
    ).first()
    if exists is None:
        raise BackupError(
            "backup_pg_schema",
            f"schema {target.schema!r} (first in the URL's search_path) does not exist"
            f" in database {target.database!r}",
        )


def _schema_extensions(conn: Connection, schema: str) -> list[str]:
    """Extensions installed in the schema (pg_trgm for the name search index): pg_dump
    leaves every extension out of a --schema dump unless named, and the indexes that use
    one could then not be restored into a fresh database."""
    rows = conn.execute(
        text(
            "SELECT e.extname FROM pg_extension e"
            " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = :schema"
            " ORDER BY e.extname"
        ),
        {"schema": schema},
    )
    return list(rows.scalars())


# Extensions SmartHIS's migrations use (pg_trgm: the name search index). Where one lives in
# another schema than the dumped one (tests keep it in `public`), the dump's indexes name it
# there (`public.gin_trgm_ops`), so it must exist in the target before the restore.
SHARED_EXTENSIONS = ("pg_trgm",)


def _ensure_shared_extensions(conn: Connection) -> None:
    for name in SHARED_EXTENSIONS:
        installed = conn.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": name}
        ).first()
        if installed is None:
            conn.execute(text(f"CREATE EXTENSION {name} SCHEMA public"))


def _run(command: list[str], target: PgTarget, what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, env=tool_env(target), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # pg_restore runs in one transaction: a failure leaves the database as it was.
        outcome = " (rolled back: the database is unchanged)" if what == "pg_restore" else ""
        raise BackupError(f"{what}_failed", f"{result.stderr.strip()}{outcome}")
    return result


def dump(url: str, out: Path, pg_bin: Path | None = None) -> PgDump:
    target = pg_target(url)
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                _require_schema(conn, target)
                major = _server_major(conn)
                server_version = str(conn.execute(text("SHOW server_version")).scalar_one())
                pg_dump = find_tool("pg_dump", major, pg_bin)
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                counts = row_counts(conn)
                revisions = alembic_revisions(conn)
                extensions = _schema_extensions(conn, target.schema)
                # The snapshot lives as long as this transaction: pg_dump runs inside it.
                _run(
                    [
                        str(pg_dump),
                        "--format=custom",
                        f"--schema={_quoted_pattern(target.schema)}",
                        *[f"--extension={_quoted_pattern(name)}" for name in extensions],
                        f"--snapshot={snapshot}",
                        f"--file={out}",
                    ],
                    target,
                    "pg_dump",
                )
    finally:
        engine.dispose()
    tool_version = subprocess.run(
        [str(pg_dump), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return PgDump(target.schema, counts, revisions, server_version, tool_version)


def check_restore_target(url: str, schema: str) -> None:
    target = pg_target(url)
    if target.schema != schema:
        raise BackupError(
            "restore_schema_mismatch",
            f"the backup holds schema {schema!r} but the database URL points at schema"
            f" {target.schema!r}; restore into a URL whose search_path starts with {schema}",
            "lược đồ (schema) của bản sao lưu khác với lược đồ đích",
        )


def restore(url: str, dump_file: Path, schema: str, pg_bin: Path | None = None) -> dict[str, int]:
    """One transaction: the schema is dropped and recreated from the dump, or, on any error,
    left exactly as it was. Returns the row counts found afterwards."""
    check_restore_target(url, schema)
    target = pg_target(url)
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            pg_restore = find_tool("pg_restore", _server_major(conn), pg_bin)
            _ensure_shared_extensions(conn)
        _run(
            [
                str(pg_restore),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                # The name only: host, port, user and password come from the environment.
                f"--dbname={target.database}",
                str(dump_file),
            ],
            target,
            "pg_restore",
        )
        with engine.connect() as conn:
            return row_counts(conn)
    finally:
        engine.dispose()


def list_tables(dump_file: Path, server_version: str, pg_bin: Path | None = None) -> set[str]:
    """Reads the dump's table of contents (no server needed): proves the dump is readable
    and names the tables whose data it carries."""
    leading = re.match(r"\d+", server_version)
    pg_restore = find_tool("pg_restore", int(leading.group(0)) if leading else 0, pg_bin)
    result = subprocess.run(
        [str(pg_restore), "--list", str(dump_file)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            "backup_corrupted", f"pg_restore cannot read the dump: {result.stderr.strip()}"
        )
    tables = set()
    for line in result.stdout.splitlines():
        # "215; 0 16390 TABLE DATA schema table owner"
        match = re.search(r"\bTABLE DATA (\S+) (\S+)", line)
        if match and not line.startswith(";"):
            tables.add(match.group(2))
    return tables
