"""Run Alembic migrations from code (the CLI and the tests), on any database URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from smarthis.db import is_sqlite, normalise_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    if is_sqlite(database_url):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    # "heads": domains may add migrations side by side until a merge revision joins them.
    command.upgrade(alembic_config(database_url), "heads")
