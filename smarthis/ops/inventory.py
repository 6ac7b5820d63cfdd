"""What a database holds, as a backup's manifest records it: tables, rows, schema revision."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from smarthis.migrate import MIGRATIONS_DIR, alembic_config
from smarthis.ops.errors import BackupError

ALEMBIC_TABLE = "alembic_version"


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows of every table in the connection's schema (the search_path's first entry)."""
    names = sorted(inspect(conn).get_table_names())
    return {
        name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names
    }


def alembic_revisions(conn: Connection) -> list[str]:
    if ALEMBIC_TABLE not in inspect(conn).get_table_names():
        return []
    rows = conn.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalars()
    return sorted(rows)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(f"sqlite:///{MIGRATIONS_DIR}/unused.db"))


def latest_revisions() -> list[str]:
    return sorted(_scripts().get_heads())


def check_revisions_known(revisions: list[str]) -> None:
    """A backup stamped with a revision this code has no script for was made by a newer
    SmartHIS: its tables may not be what this code reads and writes."""
    if not revisions:
        raise BackupError(
            "backup_no_schema",
            "the backup holds no schema revision (alembic_version is empty)",
            "bản sao lưu không có phiên bản lược đồ",
        )
    scripts = _scripts()
    for revision in revisions:
        try:
            known = scripts.get_revision(revision) is not None
        except CommandError:
            known = False
        if not known:
            raise BackupError(
                "backup_schema_newer",
                f"the backup's schema revision {revision} is unknown to this SmartHIS:"
                " it was made by a newer version; upgrade SmartHIS before restoring",
                "bản sao lưu được tạo bởi phiên bản SmartHIS mới hơn; hãy nâng cấp trước khi"
                " khôi phục",
            )
