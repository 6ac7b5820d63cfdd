"""`smarthis pki` and `smarthis documents` as an operator or a script uses them: the CA,
staff certificates from staff accounts, signing any PDF, and `verify` exit codes (0 valid,
1 tampered/untrusted/unsigned, 2 unreadable)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.security import service
from tests.documents.helpers import (
    FACILITY,
    append_drawing_after_signing,
    flip_byte_in_first_revision,
    visit_record_pdf,
)

Invoke = Callable[..., Result]


@pytest.fixture
def smarthis(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    monkeypatch.setenv("SMARTHIS_DATABASE_URL", db.url)
    monkeypatch.setenv("SMARTHIS_DATA_DIR", str(tmp_path / "data"))
    for name in ("DIR", "CA_CERT_FILE", "CA_KEY_FILE", "PASSPHRASE"):
        monkeypatch.delenv(f"SMARTHIS_PKI_{name}", raising=False)
    get_settings.cache_clear()
    with db.session() as session:
        for login, name in [("bs.hoa", "Phạm Thị Hoa"), ("tk.minh", "Trần Quang Minh")]:
            service.create_staff(
                session,
                facility_code=FACILITY,
                login=login,
                full_name=name,
                role="doctor",
                password="mat-khau-dai-123",
            )
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, [str(a) for a in args])
    get_settings.cache_clear()


@pytest.fixture
def signed_twice(smarthis: Invoke, tmp_path: Path) -> tuple[Path, int]:
    assert smarthis("pki", "init").exit_code == 0
    for login in ("bs.hoa", "tk.minh"):
        issued = smarthis("pki", "issue", "--staff", login)
        assert issued.exit_code == 0, issued.output
    original = tmp_path / "phieu-kham.pdf"
    original.write_bytes(visit_record_pdf())
    first, second = tmp_path / "ky-1.pdf", tmp_path / "ky-2.pdf"
    result = smarthis("documents", "sign", original, "--staff", "bs.hoa", "--out", first)
    assert result.exit_code == 0, result.output
    result = smarthis(
        "documents",
        "sign",
        first,
        "--staff",
        "tk.minh",
        "--out",
        second,
        "--capacity",
        "head_of_department",
    )
    assert result.exit_code == 0, result.output
    return second, len(original.read_bytes())


def test_pki_init_issue_and_list(smarthis: Invoke, tmp_path: Path) -> None:
    created = smarthis("pki", "init")
    assert created.exit_code == 0, created.output
    assert "CA created" in created.stdout
    assert (tmp_path / "data" / "pki" / "ca.crt").exists()
    assert smarthis("pki", "init").exit_code == 2

    issued = smarthis("pki", "issue", "--staff", "bs.hoa")
    assert issued.exit_code == 0, issued.output
    assert issued.stdout.startswith("bs.hoa\tPhạm Thị Hoa\tserial ")
    unknown = smarthis("pki", "issue", "--staff", "khong.co")
    assert unknown.exit_code == 2 and "khong.co" in unknown.stderr

    listed = smarthis("pki", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("CA (built-in): ")
    assert lines[1].startswith("bs.hoa\tPhạm Thị Hoa\t") and lines[1].endswith("in use")

    revoked = smarthis("pki", "revoke", "--staff", "bs.hoa", "--reason", "mất khóa")
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in smarthis("pki", "list").stdout.splitlines()[1]


def test_verify_reports_both_signatures_and_exits_zero(
    smarthis: Invoke, signed_twice: tuple[Path, int]
) -> None:
    signed, _ = signed_twice
    result = smarthis("documents", "verify", signed)
    assert result.exit_code == 0, result.output
    assert "Kết quả: Chữ ký hợp lệ" in result.stdout
    assert "Phạm Thị Hoa (bs.hoa) · Bác sĩ điều trị" in result.stdout
    assert "Trần Quang Minh (tk.minh) · Trưởng khoa" in result.stdout

    as_json = smarthis("documents", "verify", signed, "--json")
    assert as_json.exit_code == 0
    report = json.loads(as_json.stdout)
    assert report["ok"] is True
    assert [s["signer_login"] for s in report["signatures"]] == ["bs.hoa", "tk.minh"]
    assert all(s["intact"] and s["trusted"] for s in report["signatures"])


def test_a_tampered_pdf_fails_verification_with_exit_one(
    smarthis: Invoke, signed_twice: tuple[Path, int], tmp_path: Path
) -> None:
    signed, original_length = signed_twice
    tampered = tmp_path / "sua.pdf"
    tampered.write_bytes(flip_byte_in_first_revision(signed.read_bytes(), original_length))

    result = smarthis("documents", "verify", tampered, "--json")

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [s["intact"] for s in report["signatures"]] == [False, False]
    human = smarthis("documents", "verify", tampered)
    assert human.exit_code == 1 and "nguyên vẹn: KHÔNG" in human.stdout


def test_a_change_appended_after_signing_exits_one(
    smarthis: Invoke, signed_twice: tuple[Path, int], tmp_path: Path
) -> None:
    signed, _ = signed_twice
    changed = tmp_path / "ve-them.pdf"
    changed.write_bytes(append_drawing_after_signing(signed.read_bytes()))
    result = smarthis("documents", "verify", changed)
    assert result.exit_code == 1
    assert "Tài liệu đã bị thay đổi sau khi ký" in result.stdout


def test_unreadable_input_exits_two_and_unsigned_exits_one(
    smarthis: Invoke, tmp_path: Path
) -> None:
    assert smarthis("pki", "init").exit_code == 0
    garbage = tmp_path / "rac.pdf"
    garbage.write_bytes(b"not a pdf at all")
    assert smarthis("documents", "verify", garbage).exit_code == 2
    assert smarthis("documents", "verify", tmp_path / "khong-co.pdf").exit_code == 2
    unsigned = tmp_path / "chua-ky.pdf"
    unsigned.write_bytes(visit_record_pdf())
    result = smarthis("documents", "verify", unsigned)
    assert result.exit_code == 1 and "chưa được ký" in result.stdout


def test_signing_without_a_certificate_exits_two(smarthis: Invoke, tmp_path: Path) -> None:
    assert smarthis("pki", "init").exit_code == 0
    source = tmp_path / "a.pdf"
    source.write_bytes(visit_record_pdf())
    result = smarthis("documents", "sign", source, "--staff", "bs.hoa", "--out", tmp_path / "b")
    assert result.exit_code == 2
    assert "chưa được cấp chứng thư số" in result.stderr
    assert not (tmp_path / "b").exists()
