"""How pg_dump and pg_restore are pointed at a database: everything from the URL, the
password only in the environment, the schema from the search_path."""

from __future__ import annotations

import pytest

from smarthis.ops.pg_connection import pg_target, tool_env


def test_the_url_becomes_libpq_environment_variables() -> None:
    target = pg_target(
        "postgresql://his:s3cr%40t@db.benhvien.vn:5433/smarthis"
        "?sslmode=require&options=-csearch_path%3Dhis_48001,public"
    )
    assert target.env == {
        "PGHOST": "db.benhvien.vn",
        "PGPORT": "5433",
        "PGDATABASE": "smarthis",
        "PGUSER": "his",
        "PGPASSWORD": "s3cr@t",
        "PGSSLMODE": "require",
        "PGOPTIONS": "-csearch_path=his_48001,public",
    }
    assert (target.database, target.schema) == ("smarthis", "his_48001")


def test_without_a_search_path_the_schema_is_public() -> None:
    target = pg_target("postgresql+psycopg://postgres@127.0.0.1/test")
    assert target.schema == "public"
    assert "PGPASSWORD" not in target.env and target.env["PGPORT"] == "5432"


def test_the_callers_own_pg_variables_do_not_leak_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "someone-elses")
    monkeypatch.setenv("PGDATABASE", "production")
    env = tool_env(pg_target("postgresql://u@h/staging"))
    assert env["PGDATABASE"] == "staging" and "PGPASSWORD" not in env
