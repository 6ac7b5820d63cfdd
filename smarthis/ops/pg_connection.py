"""How pg_dump and pg_restore reach the database a SQLAlchemy URL names: through libpq's
environment variables, so a password never appears on a command line (`ps` shows those)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from smarthis.db import normalise_url
from smarthis.ops.errors import BackupError

# libpq settings a URL's query may carry, and the variable that gives each to the tools.
QUERY_TO_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s]+)")


@dataclass(frozen=True)
class PgTarget:
    env: dict[str, str]
    database: str
    schema: str


def pg_target(url: str) -> PgTarget:
    parsed = make_url(normalise_url(url))
    if not parsed.database:
        raise BackupError("backup_pg_url", "the PostgreSQL URL names no database")
    env = {
        "PGHOST": parsed.host or "localhost",
        "PGPORT": str(parsed.port or 5432),
        "PGDATABASE": parsed.database,
    }
    if parsed.username:
        env["PGUSER"] = parsed.username
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    for key, variable in QUERY_TO_ENV.items():
        value = parsed.query.get(key)
        if isinstance(value, str):
            env[variable] = value
    options = parsed.query.get("options")
    options = options if isinstance(options, str) else ""
    if options:
        env["PGOPTIONS"] = options
    return PgTarget(env=env, database=parsed.database, schema=_first_schema(options))


def _first_schema(options: str) -> str:
    """The schema the application's tables live in: the search_path's first entry."""
    found = SEARCH_PATH.search(options)
    if not found:
        return "public"
    first = found.group(1).split(",")[0].strip().strip('"')
    return first or "public"


def tool_env(target: PgTarget) -> dict[str, str]:
    # The caller's own PG* variables would otherwise mix with the URL's.
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return {**base, **target.env}


def find_tool(name: str, server_major: int, bin_dir: Path | None = None) -> Path:
    """The newest `name` at least as new as the server: an older pg_dump refuses to dump a
    newer server, and an older pg_restore may not read a newer dump format."""
    candidates: list[Path] = []
    if bin_dir is not None:
        candidates.append(bin_dir / name)
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    installed = Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
    # Debian keeps one directory per major version: newest first, compared as numbers.
    candidates += sorted(installed, key=lambda p: _version_key(p.parts[-3]), reverse=True)
    seen: list[str] = []
    for path in candidates:
        if not path.is_file():
            continue
        major = _tool_major(path)
        seen.append(f"{path} ({major})")
        if major >= server_major:
            return path
    raise BackupError(
        "backup_pg_tools",
        f"no {name} of version {server_major} or newer (the server's) was found;"
        f" seen: {', '.join(seen) or 'none'}. Install postgresql-client-{server_major}"
        " or pass --pg-bin DIR",
        f"thiếu công cụ {name} phiên bản {server_major} trở lên",
    )


def _version_key(directory: str) -> int:
    return int(directory) if directory.isdigit() else 0


def _tool_major(path: Path) -> int:
    output = subprocess.run(
        [str(path), "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0
