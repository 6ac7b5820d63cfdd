"""The queries of the data volume bench, run as the API routes run them (service
functions, one fresh session and transaction each), drawn from the loaded data."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from bench.fixtures import qr_text
from bench.stats import summary_ms
from bench.volume_data import FACILITY
from smarthis.db import Database
from smarthis.orders.kiosk_results import results_by_cccd
from smarthis.orders.models import Order
from smarthis.orders.presenters import item_results_out
from smarthis.orders.service import results_for_patient
from smarthis.patients.api import patient_out
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.patients.service import search_patients
from smarthis.security.principal import Principal, system_principal

WARM_UP = 20  # queries of each kind before measuring: caches and pooled connections
KINDS = ("cccd", "mrn", "name", "results", "kiosk_results")


@dataclass(frozen=True)
class Query:
    kind: str
    arg: str
    patient_id: int
    date_of_birth: date | None = None


# --- the queries, as the routes run them -------------------------------------------------


def run_search(session: Session, actor: Principal, query: Query) -> int:
    """GET /api/patients?q=...: digits go as a document number, anything else as a name;
    each hit is presented with its identifiers, as the route does."""
    if query.kind == "name":
        found = search_patients(session, actor, name=query.arg)
    else:
        found = search_patients(session, actor, identifier=query.arg)
        if query.patient_id not in {p.id for p in found}:
            raise AssertionError(f"{query.kind} {query.arg} did not find {query.patient_id}")
    for patient in found:
        patient_out(session, patient)
    return len(found)


def run_results(session: Session, actor: Principal, query: Query) -> int:
    """GET /api/patients/{id}/results: every result with its history, for the doctor."""
    found = results_for_patient(session, actor, query.patient_id, verified_only=False)
    for one in found:
        item_results_out(one)
    return len(found)


def run_kiosk_results(session: Session, actor: Principal, query: Query) -> int:
    """The kiosk's lookup: CCCD QR + date of birth, verified results only."""
    assert query.date_of_birth is not None
    _patient, found = results_by_cccd(session, actor, query.arg, query.date_of_birth)
    for one in found:
        item_results_out(one, staff=False)
    return len(found)


RUNNERS: dict[str, Callable[[Session, Principal, Query], int]] = {
    "cccd": run_search,
    "mrn": run_search,
    "name": run_search,
    "results": run_results,
    "kiosk_results": run_kiosk_results,
}


# --- drawing queries from the loaded data ------------------------------------------------


def name_fragment(rng: random.Random, folded: str) -> str:
    """What a receptionist types: the whole name without accents ("nguyen van an"), or
    the family and middle names and the given name's first letters ("tran thi b")."""
    words = folded.split()
    if len(words) < 3 or rng.random() < 0.5:
        return folded
    given = words[-1]
    return " ".join([*words[:-1], given[: rng.randint(1, max(1, len(given) - 1))]])


def draw_queries(db: Database, patients: int, orders: int, count: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    ids = rng.sample(range(1, patients + 1), min(patients, count * 3))
    with db.session() as session:
        rows = session.execute(
            select(Patient.id, Patient.mrn, Patient.name_folded).where(Patient.id.in_(ids))
        ).all()
        cccds = dict(
            session.execute(
                select(PatientIdentifier.patient_id, PatientIdentifier.value).where(
                    PatientIdentifier.kind == "cccd", PatientIdentifier.patient_id.in_(ids)
                )
            ).all()
        )
        order_ids = rng.sample(range(1, orders + 1), min(orders, count * 3))
        with_results = session.execute(
            select(Patient, PatientIdentifier.value)
            .join(Order, Order.patient_id == Patient.id)
            .outerjoin(
                PatientIdentifier,
                (PatientIdentifier.patient_id == Patient.id) & (PatientIdentifier.kind == "cccd"),
            )
            .where(Order.id.in_(order_ids))
        ).all()
    rng.shuffle(rows)
    rng.shuffle(with_results)
    queries = [Query("mrn", r.mrn, r.id) for r in rows[:count]]
    queries += [Query("cccd", cccds[r.id], r.id) for r in rows if r.id in cccds][:count]
    queries += [Query("name", name_fragment(rng, r.name_folded), r.id) for r in rows[:count]]
    queries += [Query("results", "", p.id) for p, _cccd in with_results[:count]]
    queries += [
        Query("kiosk_results", qr_text(cccd, p.full_name, p.date_of_birth, p.sex, p.address),
              p.id, p.date_of_birth)
        for p, cccd in with_results
        if cccd is not None and p.date_of_birth is not None
    ][:count]  # fmt: skip
    return queries


# --- measuring ---------------------------------------------------------------------------


def timed(db: Database, actor: Principal, query: Query) -> tuple[float, int]:
    """Seconds for one query in its own session, commit (its audit entries) included."""
    started = time.perf_counter()
    with db.session() as session:
        rows = RUNNERS[query.kind](session, actor, query)
    return time.perf_counter() - started, rows


class StatementCounter:
    """Counts the SQL statements the queries send: most of a query's time on a busy
    machine is round trips (audit entries, identifiers of each hit), not search."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1


def measure(db: Database, queries: list[Query]) -> dict[str, dict[str, object]]:
    actor = system_principal(FACILITY, source="bench")
    counter = StatementCounter(db)
    out: dict[str, dict[str, object]] = {}
    for kind in KINDS:
        mine = [q for q in queries if q.kind == kind]
        for query in mine[:WARM_UP]:
            timed(db, actor, query)
        counter.count = 0
        samples = [timed(db, actor, q) for q in mine]
        rows = [n for _s, n in samples]
        out[kind] = {
            **summary_ms([s for s, _n in samples]),
            "rows_mean": round(sum(rows) / len(rows), 1) if rows else None,
            "rows_max": max(rows, default=None),
            "statements_mean": round(counter.count / len(mine), 1) if mine else None,
        }
    return out


# The name search's main statement as the service builds it, for EXPLAIN only.
NAME_SEARCH_SQL = (
    "SELECT * FROM patients WHERE facility_code = :facility AND merged_into_id IS NULL "
    "AND name_folded LIKE :pattern ORDER BY full_name LIMIT 20"
)
EXPLAINED_FRAGMENTS = ("nguyen thi h", "nguyen van an", "tran thi b", "ho van phuc")


def explain_name_search(db: Database) -> dict[str, dict[str, object]]:
    """Plan and time of the name search's own statement (PostgreSQL): how many names it
    matched and read, and which index it used, for a common and a rarer fragment."""
    if db.is_sqlite:
        return {}
    plans: dict[str, dict[str, object]] = {}
    with db.session() as session:
        for fragment in EXPLAINED_FRAGMENTS:
            plan = session.execute(
                text(f"EXPLAIN (ANALYZE, FORMAT JSON) {NAME_SEARCH_SQL}"),
                {"facility": FACILITY, "pattern": f"%{fragment}%"},
            ).scalar_one()[0]
            plans[fragment] = {
                "execution_ms": round(plan["Execution Time"], 2),
                "matches": _rows_below_sort(plan["Plan"]),
                "scan": _scan_of(plan["Plan"]),
            }
    return plans


def _rows_below_sort(node: dict) -> int:
    while node.get("Node Type") in ("Limit", "Sort") and node.get("Plans"):
        node = node["Plans"][0]
    return int(node.get("Actual Rows", 0))


def _scan_of(node: dict) -> str:
    while node.get("Plans"):
        node = node["Plans"][-1]
    return f"{node.get('Node Type')} {node.get('Index Name', '')}".strip()


def measure_interleaved(
    dbs: dict[int, Database], queries: dict[int, list[Query]], rounds: int
) -> dict[int, dict[str, dict[str, object]]]:
    """Every size measured in turns, round after round (order reversed every other
    round): whatever else the machine runs meanwhile weighs on every size alike, so the
    growth ratio compares the sizes, not two moments of a shared machine."""
    actor = system_principal(FACILITY, source="bench")
    samples: dict[int, dict[str, list[float]]] = {size: {k: [] for k in KINDS} for size in dbs}
    for size, db in dbs.items():
        for kind in KINDS:
            for query in [q for q in queries[size] if q.kind == kind][:WARM_UP]:
                timed(db, actor, query)
    for turn in range(rounds):
        order = list(dbs) if turn % 2 == 0 else list(reversed(dbs))
        for kind in KINDS:
            for size in order:
                mine = [q for q in queries[size] if q.kind == kind]
                for query in mine[turn::rounds]:
                    samples[size][kind].append(timed(dbs[size], actor, query)[0])
    return {
        size: {kind: summary_ms(values) for kind, values in by_kind.items()}
        for size, by_kind in samples.items()
    }
