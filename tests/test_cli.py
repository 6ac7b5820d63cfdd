"""The `smarthis` command as an operator uses it: staff accounts, the audit chain check and
the identity decoders, against the test database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from click.testing import Result
from sqlalchemy import text
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.security import audit, service
from smarthis.security.principal import system_principal

PASSWORD = "operator-secret-1"
Invoke = Callable[..., Result]


@pytest.fixture
def smarthis(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """Runs `smarthis ARGS...` with SMARTHIS_DATABASE_URL naming the test database."""
    monkeypatch.setenv("SMARTHIS_DATABASE_URL", db.url)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str, password: str = PASSWORD) -> Result:
        return runner.invoke(app, list(args), env={"SMARTHIS_NEW_PASSWORD": password})

    yield invoke
    get_settings.cache_clear()


def _create(smarthis: Invoke, login: str, role: str, name: str = "Nguyễn Thị Hạnh") -> Result:
    return smarthis("user", "create", login, "--name", name, "--role", role)


def test_created_user_can_sign_in_with_the_password_from_the_environment(
    smarthis: Invoke, db: Database
) -> None:
    result = _create(smarthis, "bs.hanh", "doctor")
    assert result.exit_code == 0, result.output
    assert "bs.hanh" in result.stdout
    with db.session() as session:
        staff = service.authenticate(session, "bs.hanh", PASSWORD)
        assert (staff.full_name, staff.role, staff.active) == ("Nguyễn Thị Hạnh", "doctor", True)


def test_user_list_puts_the_login_first_on_each_line(smarthis: Invoke) -> None:
    for login, role in [("bs.hanh", "doctor"), ("letan.lan", "receptionist"), ("bs.an", "doctor")]:
        assert _create(smarthis, login, role).exit_code == 0

    listed = smarthis("user", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["bs.an", "bs.hanh", "letan.lan"]
    assert lines[1].split("\t") == ["bs.hanh", "doctor", "active", "Nguyễn Thị Hạnh"]

    doctors = smarthis("user", "list", "--role", "doctor")
    assert doctors.exit_code == 0
    assert [line.split("\t")[0] for line in doctors.stdout.splitlines()] == ["bs.an", "bs.hanh"]


def test_user_list_with_an_unknown_role_is_a_usage_error(smarthis: Invoke) -> None:
    result = smarthis("user", "list", "--role", "nonsense")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "nonsense" in result.stderr


def test_user_create_with_a_bad_role_says_why_on_stderr(smarthis: Invoke) -> None:
    result = _create(smarthis, "bs.hanh", "surgeon-general")
    assert result.exit_code == 2
    assert result.stderr.startswith("staff_role: ")
    assert "surgeon-general" in result.stderr
    assert smarthis("user", "list").stdout == ""


def test_user_create_with_a_taken_login_says_why_on_stderr(smarthis: Invoke) -> None:
    assert _create(smarthis, "bs.hanh", "doctor").exit_code == 0
    again = _create(smarthis, "bs.hanh", "nurse", name="Người Khác")
    assert again.exit_code == 2
    assert again.stderr.startswith("staff_login_taken: ")
    assert smarthis("user", "list").stdout.splitlines() == [
        "bs.hanh\tdoctor\tactive\tNguyễn Thị Hạnh"
    ]


def test_user_create_with_a_short_password_is_refused(smarthis: Invoke) -> None:
    result = smarthis(
        "user", "create", "bs.hanh", "--name", "Hạnh", "--role", "doctor", password="short"
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("staff_password: ")


def test_disabled_user_can_no_longer_sign_in(smarthis: Invoke, db: Database) -> None:
    assert _create(smarthis, "bs.hanh", "doctor").exit_code == 0
    result = smarthis("user", "disable", "bs.hanh")
    assert result.exit_code == 0
    with db.session() as session, pytest.raises(DomainError) as raised:
        service.authenticate(session, "bs.hanh", PASSWORD)
    assert raised.value.code == "login_failed"
    assert smarthis("user", "list").stdout.split("\t")[2] == "disabled"


def test_disabling_an_unknown_user_is_a_usage_error(smarthis: Invoke) -> None:
    result = smarthis("user", "disable", "nobody")
    assert result.exit_code == 2
    assert result.stderr.startswith("staff_not_found: ")


def _write_audit_entries(db: Database, count: int) -> None:
    actor = system_principal("48001", source="test")
    for n in range(1, count + 1):
        with db.session() as session:
            audit.record(session, actor, "patient.read", patient_id=n, detail={"n": n})


def test_audit_verify_reports_an_intact_log(smarthis: Invoke, db: Database) -> None:
    _write_audit_entries(db, 4)
    result = smarthis("audit", "verify")
    assert result.exit_code == 0
    assert result.stdout == "audit log intact\n"
    assert result.stderr == ""


def test_audit_verify_names_a_changed_entry(smarthis: Invoke, db: Database) -> None:
    _write_audit_entries(db, 4)
    with db.session() as session:
        session.execute(text("UPDATE audit_log SET detail = '{\"n\": 99}' WHERE id = 2"))
    result = smarthis("audit", "verify")
    assert result.exit_code == 1
    assert result.stderr == "entry 2: entry content was changed\n"


def test_audit_verify_names_where_an_entry_was_removed(smarthis: Invoke, db: Database) -> None:
    _write_audit_entries(db, 4)
    with db.session() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = 2"))
    result = smarthis("audit", "verify")
    assert result.exit_code == 1
    assert "entry 3: entries 2..2 are missing" in result.stderr.splitlines()


def test_identity_cccd_decodes_a_number(smarthis: Invoke) -> None:
    result = smarthis("identity", "cccd", "048065001234")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["number"], data["province_code"], data["sex"], data["birth_year"]) == (
        "048065001234",
        "048",
        "male",
        1965,
    )


def test_identity_bhyt_decodes_a_card_code(smarthis: Invoke) -> None:
    result = smarthis("identity", "bhyt", "DN4480123456789")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["group"], data["benefit_level"], data["province_code"], data["bhxh_number"]) == (
        "DN",
        4,
        "48",
        "0123456789",
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("identity", "cccd", "04806500123"), "cccd_"),
        (("identity", "bhyt", "XX4480123456789"), "bhyt_"),
    ],
)
def test_identity_bad_input_is_one_line_on_stderr(
    smarthis: Invoke, args: tuple[str, ...], code: str
) -> None:
    result = smarthis(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(code)
    assert result.stderr.count("\n") == 1
