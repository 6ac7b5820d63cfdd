"""Shared fixtures: one migrated database per run (SQLite file, or the PostgreSQL server
named by SMARTHIS_TEST_DATABASE_URL), emptied before each test that asks for it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from smarthis.db import Database, is_sqlite, make_engine, normalise_url
from smarthis.insurance.portal_client import BhxhPortalClient, CardCheckRequest
from smarthis.insurance.portal_simulator import SimulatorCards, create_simulator_app
from smarthis.migrate import upgrade
from smarthis.models import Base
from tests.servers import RunningServer, serve_in_thread

FACILITY = "48001"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at production cost takes ~0.1 s a hash and tests sign many people in; the
    tests are about who may do what, not about the hash's strength."""
    from argon2 import PasswordHasher

    from smarthis.security import credentials

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield


def _postgres_schema(url: str, schema: str, create: bool) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            # An extension exists once per database: kept in `public`, where every run's
            # search_path finds it and no run's DROP SCHEMA ... CASCADE takes it away.
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """On PostgreSQL each run gets its own schema (search_path in the URL, so server
    processes started by tests use it too): runs side by side never see each other's
    tables. `public` comes last in the path for the shared extensions (pg_trgm)."""
    url = os.environ.get("SMARTHIS_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
        return
    base = normalise_url(url)
    schema = f"smarthis_test_{os.getpid()}"
    _postgres_schema(base, schema, create=True)
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema},public"
    upgrade(url)
    yield url
    _postgres_schema(base, schema, create=False)


@pytest.fixture(scope="session")
def _shared_database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def empty_all_tables(database: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as conn:
        if is_sqlite(database.url):
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :genesis)"),
            {"genesis": "0" * 64},
        )


@pytest.fixture
def db(_shared_database: Database) -> Database:
    empty_all_tables(_shared_database)
    return _shared_database


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


# --- The BHXH portal simulator, served on 127.0.0.1 for tests that cross the socket ---

SIM_USERNAME = "48001_BV"
SIM_PASSWORD = "sim-test-password"
# The receptionist on duty in whose name the tests look cards up.
STAFF = {"staff_name": "Lê Thị Tiếp Đón", "staff_cccd": "048190000123"}


@dataclass
class BhxhSimulator:
    base_url: str

    def client(self, timeout_s: float = 3.0, password: str = SIM_PASSWORD) -> BhxhPortalClient:
        return BhxhPortalClient(self.base_url, SIM_USERNAME, password, timeout_s=timeout_s)

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        response = httpx.request(method, f"{self.base_url}{path}", json=payload, timeout=5)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        return self.admin("GET", "/_sim/stats")


@pytest.fixture(scope="module")
def start_simulator() -> Iterator[Callable[..., BhxhSimulator]]:
    """Factory for extra simulators (other TTL, other cards); all stopped after the module."""
    running: list[RunningServer] = []

    def start(cards: SimulatorCards | None = None, **options: Any) -> BhxhSimulator:
        app = create_simulator_app(
            cards if cards is not None else SimulatorCards.packaged(),
            username=SIM_USERNAME,
            password=SIM_PASSWORD,
            **options,
        )
        server = serve_in_thread(app)
        running.append(server)
        return BhxhSimulator(server.base_url)

    yield start
    for server in running:
        server.stop()


@pytest.fixture(scope="module")
def bhxh_simulator(start_simulator: Callable[..., BhxhSimulator]) -> BhxhSimulator:
    """One simulator with the packaged demo cards, shared by the tests of a module."""
    return start_simulator()


@pytest.fixture
def portal(bhxh_simulator: BhxhSimulator) -> Iterator[BhxhPortalClient]:
    client = bhxh_simulator.client()
    yield client
    client.close()


@pytest.fixture(scope="session")
def card_request() -> Callable[..., CardCheckRequest]:
    """Builds a lookup in the name of the receptionist on duty (`STAFF`)."""

    def build(card_code: str, full_name: str, birth: str, **overrides: Any) -> CardCheckRequest:
        # Birth as the card file writes it: "dd/MM/yyyy" or "yyyy".
        if len(birth) == 4:
            when: dict[str, Any] = {"year_of_birth": int(birth)}
        else:
            when = {"date_of_birth": datetime.strptime(birth, "%d/%m/%Y").date()}
        fields = {"card_code": card_code, "full_name": full_name, **STAFF, **when, **overrides}
        return CardCheckRequest(**fields)

    return build
