"""Bulk loading for the data volume bench: PostgreSQL COPY (psycopg 3) or SQLite
executemany, one transaction per chunk, then the counters, the key sequences and ANALYZE.

Rows come from `bench.volume_data`, which hands out the keys itself: the tables are only
ever filled by this loader during a run, so no other writer takes an id meanwhile."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import psycopg

from bench.volume_data import TABLE_COLUMNS, TABLES, Chunk, VolumeGenerator

CHUNK_SIZE = 20_000  # patients per transaction: big enough for COPY, small for memory
COUNTER_UPSERT = (
    "INSERT INTO counters (name, value) VALUES (%s, %s) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)


def _plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _sqlite_value(value: object) -> object:
    """How SQLAlchemy stores these types in SQLite: UTC text without offset, ISO dates."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class PostgresWriter:
    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(_plain_url(url), connect_timeout=5, autocommit=True)
        # Rows are consistent by construction (keys handed out by the generator), so the
        # per-row foreign-key triggers are skipped for this session only (the constraints
        # stay, and the app's sessions check them); a lost commit would just be reloaded.
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        self.conn.autocommit = False

    def write(self, chunk: Chunk) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            for table in TABLES:
                columns = ", ".join(TABLE_COLUMNS[table])
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk.rows[table]:
                        copy.write_row(row)

    def finish(self, generator: VolumeGenerator) -> None:
        """Counters and sequences follow on from the loaded rows; fresh statistics."""
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(COUNTER_UPSERT, list(generator.seq.counters.items()))
            for table in TABLES:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                    (table, generator.seq.next_id[table]),
                )
        self.conn.autocommit = True
        try:
            # VACUUM as autovacuum would soon after a load: moves the trigram index's
            # pending list into the index and sets the visibility map, so the queries
            # meet the steady state, not the moment after a bulk load.
            for table in TABLES:
                self.conn.execute(f"VACUUM (ANALYZE) {table}")
            self.conn.execute("ANALYZE")
        finally:
            self.conn.autocommit = False

    def close(self) -> None:
        self.conn.close()


class SqliteWriter:
    def __init__(self, url: str) -> None:
        self.conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")

    def write(self, chunk: Chunk) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for table in TABLES:
                columns = TABLE_COLUMNS[table]
                marks = ", ".join("?" * len(columns))
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    (tuple(_sqlite_value(v) for v in row) for row in chunk.rows[table]),
                )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def finish(self, generator: VolumeGenerator) -> None:
        upsert = COUNTER_UPSERT.replace("%s", "?")
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(upsert, list(generator.seq.counters.items()))
        self.conn.execute("COMMIT")  # SQLite's keys follow max(id) by themselves
        self.conn.execute("ANALYZE")

    def close(self) -> None:
        self.conn.close()


Writer = PostgresWriter | SqliteWriter


def open_writer(url: str) -> Writer:
    return SqliteWriter(url) if url.startswith("sqlite") else PostgresWriter(url)


def grow(
    writer: Writer,
    generator: VolumeGenerator,
    patients: int,
    progress: Callable[[str], Any] = print,
) -> dict[str, float | int]:
    """Add `patients` patients (with their visits and results); seconds spent and rows."""
    started = time.perf_counter()
    generating = 0.0
    rows = dict.fromkeys(TABLES, 0)
    chunks = generator.chunks(patients, CHUNK_SIZE)
    done = 0
    while True:
        made = time.perf_counter()
        chunk = next(chunks, None)
        generating += time.perf_counter() - made
        if chunk is None:
            break
        writer.write(chunk)
        for table in TABLES:
            rows[table] += chunk.count(table)
        done += chunk.count("patients")
        progress(f"  loaded {done:,}/{patients:,} patients ({time.perf_counter() - started:.0f} s)")
    analysed = time.perf_counter()
    writer.finish(generator)
    finished = time.perf_counter()
    return {
        "load_s": round(finished - started, 1),
        "generate_s": round(generating, 1),
        "analyze_s": round(finished - analysed, 1),
        **{f"rows_{table}": count for table, count in rows.items()},
    }
