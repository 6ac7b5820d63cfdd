"""Alembic environment: the URL comes from the caller's config or SMARTHIS_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from smarthis.config import get_settings
from smarthis.db import is_sqlite, make_engine, normalise_url
from smarthis.models import Base

config = context.config
url = normalise_url(config.get_main_option("sqlalchemy.url") or get_settings().database_url)


def run_migrations_offline() -> None:
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=is_sqlite(url),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
            render_as_batch=is_sqlite(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
