"""Patient search and result lookup latency as the hospital's data grows (10k -> 1M).

One database grows from the smallest size to the largest (each step loads the
difference, then VACUUM (ANALYZE)); at each size, queries drawn from the loaded data go
through the service functions the API routes call, one fresh session (and transaction)
each. At the end every size is measured again in turns, from a copy kept at each smaller
size, so the growth ratio compares sizes under the same machine load:

    .venv/bin/python -m bench.volume_bench [--db postgres|sqlite]
        [--sizes 10000,100000,1000000] [--queries 300] [--rounds 5] [--seed N]

Writes bench/results/volume-latest.json (and volume-{db}-latest.json); bench/README.md
explains every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select, text

from bench.fixtures import PG_SERVER, prepare_postgres, prepare_sqlite
from bench.volume_data import PEOPLE_SEED, VolumeGenerator
from bench.volume_load import grow, open_writer
from bench.volume_queries import (
    KINDS,
    Query,
    draw_queries,
    explain_name_search,
    measure,
    measure_interleaved,
)
from smarthis.db import Database
from smarthis.orders.models import Order
from smarthis.patients.models import Patient

PG_DATABASE = "smarthis_bench_volume"
RESULTS_DIR = Path(__file__).parent / "results"
DEFAULT_SIZES = {"postgres": "10000,100000,1000000", "sqlite": "10000,100000"}
GOAL_P95_MS = 50.0
GOAL_GROWTH = 2.0
GOAL_SIZE = 1_000_000
DEADLINE_S = 3600  # the watchdog ends the run after this, whatever it is doing


def database_size(db: Database) -> int | None:
    if db.is_sqlite:
        return None
    with db.session() as session:
        return int(session.execute(text("SELECT pg_database_size(current_database())")).scalar())


# --- the run -----------------------------------------------------------------------------


def start_watchdog(seconds: float) -> None:
    def expire() -> None:
        print(f"watchdog: the run exceeded {seconds:.0f} s, stopping", file=sys.stderr, flush=True)
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def prepare(db_kind: str, workdir: Path, pg_name: str) -> str:
    if db_kind == "postgres":
        return prepare_postgres(name=pg_name)
    return prepare_sqlite(workdir)


def snapshot(url: str, size: int) -> str:
    """A copy of the database as it is at this size, for the interleaved comparison."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        target = path.with_name(f"{path.stem}-{size}.db")
        with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return f"sqlite:///{target}"
    import psycopg
    from psycopg import sql

    server, template = url.rsplit("/", 1)
    name = f"{template}_{size}"
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        # A file-level copy: fast, and needs no other session on the template meanwhile.
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return f"{server}/{name}"


def drop_snapshots(urls: list[str]) -> None:
    for url in urls:
        if url.startswith("sqlite"):
            continue  # in the temporary directory, removed with it
        import psycopg
        from psycopg import sql

        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def save_partial(url: str, per_size: list[dict[str, object]]) -> None:
    """The sizes measured so far, in case a long run is stopped before its end."""
    db_kind = "sqlite" if url.startswith("sqlite") else "postgres"
    RESULTS_DIR.mkdir(exist_ok=True)
    partial = {"database": db_kind, "complete": False, "sizes": per_size}
    path = RESULTS_DIR / f"volume-{db_kind}-partial.json"
    path.write_text(json.dumps(partial, indent=2, ensure_ascii=False) + "\n")


def grow_and_measure(
    url: str, sizes: list[int], query_count: int, seed: int, interleave: bool
) -> tuple[list[dict[str, object]], dict[int, str], dict[int, list[Query]]]:
    """Load each size's difference and measure right after it; keep a snapshot of each
    smaller size when the sizes are to be compared side by side afterwards."""
    generator = VolumeGenerator(seed=seed)
    per_size: list[dict[str, object]] = []
    snapshots: dict[int, str] = {}
    drawn: dict[int, list[Query]] = {}
    loaded = 0
    for size in sizes:
        writer, db = open_writer(url), Database(url)
        try:
            print(f"growing to {size:,} patients", flush=True)
            load = grow(writer, generator, size - loaded)
            loaded = size
            orders = generator.seq.next_id["orders"] - 1
            drawn[size] = draw_queries(db, loaded, orders, query_count, seed + size)
            print(f"measuring at {size:,} patients", flush=True)
            per_size.append(
                {
                    "patients": size,
                    "load": load,
                    "database_bytes": database_size(db),
                    "rows": {k: v for k, v in load.items() if k.startswith("rows_")},
                    "queries": measure(db, drawn[size]),
                    "name_search_plans": explain_name_search(db),
                }
            )
            print_size(per_size[-1])
            save_partial(url, per_size)
        finally:
            writer.close()
            db.dispose()
        if interleave and size != sizes[-1]:
            snapshots[size] = snapshot(url, size)
    snapshots[sizes[-1]] = url
    return per_size, snapshots, drawn


def run(args: argparse.Namespace, sizes: list[int], workdir: Path) -> dict:
    db_kind, query_count, seed, rounds = args.db, args.queries, args.seed, args.rounds
    url = prepare(db_kind, workdir, args.pg_database)
    interleave = rounds > 0 and len(sizes) > 1
    per_size, snapshots, drawn = grow_and_measure(url, sizes, query_count, seed, interleave)
    report: dict = {"database": db_kind, "sizes": per_size}
    report["goals_sequential"] = judge({e["patients"]: e["queries"] for e in per_size})
    report["goals"] = report["goals_sequential"]
    if interleave:
        print(f"\nmeasuring every size in turns ({rounds} rounds)", flush=True)
        dbs = {size: Database(u) for size, u in snapshots.items()}
        try:
            side_by_side = measure_interleaved(dbs, drawn, rounds)
        finally:
            for db in dbs.values():
                db.dispose()
            if not args.keep_copies:
                drop_snapshots([u for size, u in snapshots.items() if size != sizes[-1]])
        report["interleaved"] = {str(size): figures for size, figures in side_by_side.items()}
        report["goals"] = judge(side_by_side)
        print_interleaved(side_by_side)
    return report


def compare_existing(args: argparse.Namespace, sizes: list[int]) -> dict:
    """--reuse: measure side by side the databases an earlier run left (the largest size
    in --pg-database, the smaller ones in its copies `NAME_SIZE`, kept by --keep-copies or
    by a run stopped before its end), without loading anything."""
    urls = {size: f"{PG_SERVER}/{args.pg_database}_{size}" for size in sizes[:-1]}
    urls[sizes[-1]] = f"{PG_SERVER}/{args.pg_database}"
    dbs = {size: Database(url) for size, url in urls.items()}
    drawn: dict[int, list[Query]] = {}
    per_size: list[dict[str, object]] = []
    try:
        for size, db in dbs.items():
            with db.session() as session:
                patients = session.execute(select(func.count(Patient.id))).scalar_one()
                orders = session.execute(select(func.max(Order.id))).scalar_one() or 0
            if patients != size:
                raise SystemExit(f"{urls[size]} holds {patients:,} patients, not {size:,}")
            drawn[size] = draw_queries(db, patients, orders, args.queries, args.seed + size)
            plans = explain_name_search(db)
            per_size.append(
                {"patients": size, "database_bytes": database_size(db), "name_search_plans": plans}
            )
        print(f"measuring every size in turns ({args.rounds} rounds)", flush=True)
        side_by_side = measure_interleaved(dbs, drawn, max(1, args.rounds))
    finally:
        for db in dbs.values():
            db.dispose()
    print_interleaved(side_by_side)
    return {
        "database": "postgres",
        "reused": True,
        "sizes": per_size,
        "interleaved": {str(size): figures for size, figures in side_by_side.items()},
        "goals": judge(side_by_side),
    }


def judge(figures: dict[int, dict[str, dict]]) -> dict[str, dict[str, object]]:
    """p95 at the largest size against 50 ms (at 1M when measured), and its growth from
    the smallest size against 2x."""
    first, last = min(figures), max(figures)
    goals: dict[str, dict[str, object]] = {}
    for kind in KINDS:
        p95_first = figures[first][kind]["p95_ms"]
        p95_last = figures[last][kind]["p95_ms"]
        growth = round(p95_last / p95_first, 2) if p95_first and p95_last else None
        goals[kind] = {
            "p95_ms_at_largest": p95_last,
            "largest_size": last,
            "p95_goal_met": bool(p95_last is not None and p95_last <= GOAL_P95_MS),
            "p95_goal_size_reached": last >= GOAL_SIZE,
            "growth_ratio": growth,
            "growth_from_to": [first, last],
            "growth_goal_met": bool(growth is not None and growth <= GOAL_GROWTH),
        }
    return goals


def print_interleaved(figures: dict[int, dict[str, dict]]) -> None:
    print(f"  {'size':>9}  {'query':<14}{'count':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for size, by_kind in figures.items():
        for kind, f in by_kind.items():
            print(
                f"  {size:>9,}  {kind:<14}{f['count']:>6}{f['p50_ms']:>9}{f['p95_ms']:>9}"
                f"{f['p99_ms']:>9}"
            )


def print_size(entry: dict) -> None:
    load = entry["load"]
    print(
        f"\n{entry['patients']:>9,} patients  (load {load['load_s']} s, of which generating "
        f"{load['generate_s']} s, VACUUM/ANALYZE {load['analyze_s']} s)"
    )
    print(
        f"  {'query':<14}{'count':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'rows':>7}{'stmts':>7}"
    )
    for kind, figures in entry["queries"].items():
        print(
            f"  {kind:<14}{figures['count']:>6}{figures['p50_ms']:>9}{figures['p95_ms']:>9}"
            f"{figures['p99_ms']:>9}{figures['rows_mean']:>7}{figures['statements_mean']:>7}"
        )
    for fragment, plan in entry["name_search_plans"].items():
        print(
            f"  name statement '{fragment}': {plan['execution_ms']} ms, "
            f"{plan['matches']} matches, {plan['scan']}"
        )
    sys.stdout.flush()


def print_goals(goals: dict[str, dict], source: str) -> None:
    print(f"\ngoals: p95 <= {GOAL_P95_MS:.0f} ms at 1M, growth <= {GOAL_GROWTH:.0f}x ({source})")
    for kind, goal in goals.items():
        size = goal["largest_size"]
        p95 = "met" if goal["p95_goal_met"] else "MISSED"
        growth = "met" if goal["growth_goal_met"] else "MISSED"
        print(
            f"  {kind:<14} p95 {goal['p95_ms_at_largest']} ms at {size:,} ({p95}), "
            f"growth {goal['growth_ratio']}x ({growth})"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--sizes", help="patients at each step, ascending (comma-separated)")
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=PEOPLE_SEED)
    parser.add_argument("--deadline-s", type=float, default=DEADLINE_S)
    parser.add_argument("--pg-database", default=PG_DATABASE, help="dropped and re-created")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of the side-by-side comparison of all sizes at the end (0: none)",
    )
    parser.add_argument(
        "--keep-copies", action="store_true", help="keep the copies at the smaller sizes"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: load nothing, compare the databases an earlier run left",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = [int(s) for s in (args.sizes or DEFAULT_SIZES[args.db]).split(",")]
    if sizes != sorted(sizes) or sizes[0] <= 0:
        raise SystemExit("--sizes must be positive and ascending")
    if args.reuse and args.db != "postgres":
        raise SystemExit(
            "--reuse needs --db postgres (SQLite copies live in a temporary directory)"
        )
    start_watchdog(args.deadline_s)
    load_before = os.getloadavg()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}", flush=True)
    started = time.perf_counter()
    if args.reuse:
        report = compare_existing(args, sizes)
    else:
        with tempfile.TemporaryDirectory(prefix="smarthis-volume-") as workdir:
            report = run(args, sizes, Path(workdir))
    report.update(
        load_average_before=[round(x, 2) for x in load_before],
        duration_s=round(time.perf_counter() - started, 1),
        queries_per_kind=args.queries,
        seed=args.seed,
    )
    side_by_side = "interleaved" in report
    print_goals(report["goals"], "sizes side by side" if side_by_side else "after each load")
    RESULTS_DIR.mkdir(exist_ok=True)
    for name in ("volume-latest.json", f"volume-{args.db}-latest.json"):
        (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS_DIR / f"volume-{args.db}-partial.json").unlink(missing_ok=True)
    print(f"\nwrote {RESULTS_DIR / 'volume-latest.json'}")


if __name__ == "__main__":
    main()
