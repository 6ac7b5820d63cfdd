"""`smarthis backup` / `smarthis restore` as an operator runs them, on the test database
(SQLite or PostgreSQL): a copy taken while reception keeps registering patients restores
into a fresh database with every table, row and audit link intact; a damaged, foreign or
newer file is refused before anything is touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.config import Settings, get_settings
from smarthis.db import Database, is_sqlite, make_engine
from smarthis.demo.loader import load_demo
from smarthis.migrate import upgrade
from smarthis.models import Base
from smarthis.security.audit import verify_chain
from tests.ops.backup_helpers import (
    PatientWriter,
    add_visits_with_orders,
    index_names,
    other_database_url,
    rewrite_backup,
    table_rows,
)
from tests.processes import ROOT

Invoke = Callable[..., Result]
ON_POSTGRES = bool(os.environ.get("SMARTHIS_TEST_DATABASE_URL"))


@pytest.fixture
def smarthis() -> Iterator[Invoke]:
    """Runs `smarthis ARGS...` against the database URL given."""
    runner = CliRunner()

    def invoke(url: str, *args: str, input: str | None = None) -> Result:
        get_settings.cache_clear()
        try:
            return runner.invoke(app, list(args), env={"SMARTHIS_DATABASE_URL": url}, input=input)
        finally:
            get_settings.cache_clear()

    yield invoke


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database
    whose search_path names the same schema as the test database's."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path / 'restored' / 'smarthis.db'}"
        return
    name = f"smarthis_restore_{os.getpid()}"
    admin = make_engine(other_database_url(database_url, "postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield other_database_url(database_url, name)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def demo_db(db: Database, tmp_path: Path) -> Database:
    load_demo(db, Settings(data_dir=tmp_path / "data", database_url=db.url))
    add_visits_with_orders(db, 10)
    return db


def _manifest(backup_file: Path) -> dict:
    with tarfile.open(backup_file) as tar:
        return json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]


def test_restored_copy_holds_every_row_of_every_table(
    smarthis: Invoke, demo_db: Database, fresh_url: str, tmp_path: Path
) -> None:
    backup_file = tmp_path / "smarthis-backup.tar"
    made = smarthis(demo_db.url, "backup", "--out", str(backup_file))
    assert made.exit_code == 0, made.output
    assert f"backup written: {backup_file}" in made.stdout

    restored = smarthis(fresh_url, "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "patients" in restored.stdout and "200" in restored.stdout

    copy = Database(fresh_url)
    try:
        source_rows, copy_rows = table_rows(demo_db), table_rows(copy)
        assert set(copy_rows) == {t.name for t in Base.metadata.sorted_tables}
        for name, rows in source_rows.items():
            assert copy_rows[name] == rows, f"table {name} differs after restore"
        assert len(copy_rows["patients"]) == 200
        filled = ("visits", "orders", "order_items", "specimens", "tickets", "billing_charges")
        assert all(len(copy_rows[name]) >= 10 for name in filled), {
            name: len(copy_rows[name]) for name in filled
        }
        assert index_names(copy) == index_names(demo_db)
        assert len(copy_rows["audit_log"]) >= 200
        with copy.session() as session:
            assert verify_chain(session) == []
    finally:
        copy.dispose()
    counts = _manifest(backup_file)["row_counts"]
    assert {name: counts[name] for name in source_rows} == {
        name: len(rows) for name, rows in source_rows.items()
    }


def test_backup_taken_while_patients_are_registered_is_consistent(
    smarthis: Invoke, demo_db: Database, fresh_url: str, tmp_path: Path
) -> None:
    writer = PatientWriter(demo_db)
    writer.start()
    try:
        writer.wait_for(5)
        backup_file = tmp_path / "during-writes.tar"
        made = smarthis(demo_db.url, "backup", "--out", str(backup_file))
        assert made.exit_code == 0, made.output
        already = writer.written
        writer.wait_for(already + 5)  # reception went on after the copy
    finally:
        writer.stop()

    restored = smarthis(fresh_url, "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output
    manifest = _manifest(backup_file)
    source_rows = table_rows(demo_db)
    copy = Database(fresh_url)
    try:
        copy_rows = table_rows(copy)
        with copy.session() as session:
            # A torn copy would cut the chain or leave the head pointing past the last entry.
            assert verify_chain(session) == []
    finally:
        copy.dispose()
    for name, rows in copy_rows.items():
        assert len(rows) == manifest["row_counts"][name], name
    # A snapshot of a moment: every restored patient and audit entry is in the source as
    # it was, the source went on growing, and the copy holds no half of a registration.
    assert set(copy_rows["patients"]) <= set(source_rows["patients"])
    assert copy_rows["audit_log"] == source_rows["audit_log"][: len(copy_rows["audit_log"])]
    assert 200 + 5 <= len(copy_rows["patients"]) < len(source_rows["patients"])
    registered = {row[0] for row in copy_rows["patients"]}
    owner = list(Base.metadata.tables["patient_identifiers"].columns.keys()).index("patient_id")
    assert {row[owner] for row in copy_rows["patient_identifiers"]} == registered


def test_verify_accepts_a_good_backup(smarthis: Invoke, db: Database, tmp_path: Path) -> None:
    backup_file = tmp_path / "b.tar"
    assert smarthis(db.url, "backup", "--out", str(backup_file)).exit_code == 0
    checked = smarthis(db.url, "backup", "verify", str(backup_file))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"backup OK: {backup_file}")


@pytest.fixture
def good_backup(smarthis: Invoke, db: Database, tmp_path: Path) -> Path:
    backup_file = tmp_path / "good.tar"
    made = smarthis(db.url, "backup", "--out", str(backup_file))
    assert made.exit_code == 0, made.output
    return backup_file


def _damaged(good: Path, out: Path) -> Path:
    data = bytearray(good.read_bytes())
    # Past the manifest's header and body (two 512-byte blocks at least) and the payload's
    # header: inside the payload itself.
    middle = 2048 + (len(data) - 2048) // 2
    data[middle : middle + 16] = b"\xff" * 16
    out.write_bytes(bytes(data))
    return out


def _foreign_tar(out: Path) -> Path:
    readme = out.parent / "README.txt"
    readme.write_text("not a backup")
    with tarfile.open(out, "w") as tar:
        tar.add(readme, arcname="README.txt")
    return out


@pytest.mark.parametrize(
    ("make_file", "code"),
    [
        (lambda good, out: out.write_bytes(b"hello, this is not a tar") and out, "not_recognised"),
        (lambda good, out: _foreign_tar(out), "not_recognised"),
        (_damaged, "backup_corrupted"),
        (
            lambda good, out: rewrite_backup(good, out, alembic_revisions=["9999_future"]),
            "backup_schema_newer",
        ),
        (lambda good, out: rewrite_backup(good, out, format_version=99), "backup_format_newer"),
    ],
    ids=["not-a-tar", "foreign-tar", "damaged-payload", "newer-schema", "newer-format"],
)
def test_a_bad_file_is_refused_and_nothing_changes(
    smarthis: Invoke,
    db: Database,
    good_backup: Path,
    fresh_url: str,
    tmp_path: Path,
    make_file: Callable[[Path, Path], Path],
    code: str,
) -> None:
    bad = make_file(good_backup, tmp_path / "bad.tar")
    for args in (("restore", str(bad), "--yes"), ("backup", "verify", str(bad))):
        refused = smarthis(fresh_url, *args)
        assert refused.exit_code == 2, refused.output
        assert code in refused.stderr
        assert refused.stdout == ""
    _assert_untouched(fresh_url)


def test_a_backup_of_the_other_database_kind_is_refused(
    smarthis: Invoke, good_backup: Path, fresh_url: str, tmp_path: Path
) -> None:
    kind = _manifest(good_backup)["kind"]
    other = "postgresql" if kind == "sqlite" else "sqlite"
    foreign = rewrite_backup(good_backup, tmp_path / "other-kind.tar", kind=other, schema="x")
    refused = smarthis(fresh_url, "restore", str(foreign), "--yes")
    assert refused.exit_code == 2
    assert f"is a {other} backup; the target database is {kind}" in refused.stderr
    _assert_untouched(fresh_url)


def test_restore_asks_before_replacing_the_data(
    smarthis: Invoke, good_backup: Path, fresh_url: str
) -> None:
    declined = smarthis(fresh_url, "restore", str(good_backup), input="n\n")
    assert declined.exit_code == 1
    assert "Replace all data in" in declined.stdout
    _assert_untouched(fresh_url)


def _assert_untouched(url: str) -> None:
    if is_sqlite(url):
        directory = Path(url.split("///", 1)[1]).parent
        assert not directory.exists() or not any(directory.iterdir())
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                    "('pg_catalog', 'information_schema')"
                )
            ).scalar_one()
            == 0
        )
    engine.dispose()


# What `smarthis serve` does to the database file: an engine from smarthis.db (WAL, pooled
# connections kept open), one query, then it stays up. Lighter to start than the whole app.
HOLDER = """
import sys, time
from sqlalchemy import text
from smarthis.db import Database
db = Database(sys.argv[1])
with db.session() as session:
    session.execute(text("SELECT count(*) FROM patients")).scalar_one()
print("ready", flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(
    ON_POSTGRES,
    reason="SQLite file replacement; PostgreSQL restores in one transaction (next test)",
)
def test_sqlite_restore_refuses_while_another_process_has_the_file_open(
    smarthis: Invoke, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'live' / 'smarthis.db'}"
    upgrade(url)
    backup_file = tmp_path / "live.tar"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        # The file is open elsewhere: a backup is fine, a restore is not.
        assert smarthis(url, "backup", "--out", str(backup_file)).exit_code == 0
        refused = smarthis(url, "restore", str(backup_file), "--yes")
        assert refused.exit_code == 2
        assert "restore_target_in_use" in refused.stderr
        assert "stop it first" in refused.stderr
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    restored = smarthis(url, "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output
    kept = [p for p in (tmp_path / "live").iterdir() if ".pre-restore-" in p.name]
    assert len(kept) == 1 and f"previous database kept at {kept[0]}" in restored.stdout


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL restore only")
def test_postgres_restore_is_all_or_nothing(
    smarthis: Invoke, demo_db: Database, tmp_path: Path, database_url: str
) -> None:
    backup_file = tmp_path / "pg.tar"
    assert smarthis(database_url, "backup", "--out", str(backup_file)).exit_code == 0
    with demo_db.engine.begin() as conn:
        conn.execute(text("UPDATE departments SET name = 'changed after the backup'"))
        # An object the backup does not know: dropping the schema must fail, and with it
        # the whole restore.
        conn.execute(text("CREATE TABLE stray_table (x integer)"))
    before = table_rows(demo_db)
    try:
        refused = smarthis(database_url, "restore", str(backup_file), "--yes")
        assert refused.exit_code == 2
        assert "rolled back: the database is unchanged" in refused.stderr
        assert table_rows(demo_db) == before
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(text("DROP TABLE stray_table"))
    restored = smarthis(database_url, "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output
    with demo_db.engine.connect() as conn:
        changed = "SELECT count(*) FROM departments WHERE name = 'changed after the backup'"
        assert conn.execute(text(changed)).scalar_one() == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL schemas only")
def test_postgres_restore_into_another_schema_is_refused(
    smarthis: Invoke, good_backup: Path, database_url: str
) -> None:
    other = database_url.rsplit("%3D", 1)[0] + "%3Dsome_other_schema"
    refused = smarthis(other, "restore", str(good_backup), "--yes")
    assert refused.exit_code == 2
    assert "restore_schema_mismatch" in refused.stderr


def test_a_backup_from_an_older_version_restores_and_asks_for_migrate(
    smarthis: Invoke, tmp_path: Path
) -> None:
    from alembic import command

    from smarthis.migrate import alembic_config

    old = f"sqlite:///{tmp_path / 'old' / 'smarthis.db'}"
    (tmp_path / "old").mkdir()
    command.upgrade(alembic_config(old), "0002_queue")
    backup_file = tmp_path / "old.tar"
    assert smarthis(old, "backup", "--out", str(backup_file)).exit_code == 0
    assert _manifest(backup_file)["alembic_revisions"] == ["0002_queue"]

    target = f"sqlite:///{tmp_path / 'new' / 'smarthis.db'}"
    restored = smarthis(target, "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "schema revision 0002_queue" in restored.stdout
    assert "run `smarthis migrate`" in restored.stdout
    assert smarthis(target, "migrate").exit_code == 0
