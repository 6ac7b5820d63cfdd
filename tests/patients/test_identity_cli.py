import json

from typer.testing import CliRunner

from smarthis.patients.identity_cli import identity_app

runner = CliRunner()
QR = "001089012345|123456789|Nguyễn Văn An|01011989|Nam|Số 1 Tràng Tiền, Hà Nội|15082021"


def test_cccd_number_prints_decoded_json() -> None:
    result = runner.invoke(identity_app, ["cccd", "079303001234"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["province_name"] == "Thành phố Hồ Chí Minh"
    assert (data["sex"], data["birth_year"]) == ("female", 2003)
    assert "Hồ Chí Minh" in result.stdout  # not \u-escaped
    assert result.stderr == ""


def test_cccd_qr_text_prints_the_card() -> None:
    result = runner.invoke(identity_app, ["cccd", QR])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["name"] == "Nguyễn Văn An"
    assert data["date_of_birth"] == "1989-01-01"
    assert data["issue_date"] == "2021-08-15"


def test_cccd_error_is_one_line_on_stderr_with_status_2() -> None:
    result = runner.invoke(identity_app, ["cccd", "099089012345"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "cccd_province: Mã tỉnh 099 không tồn tại (field: number)\n"


def test_cccd_qr_error_names_the_field() -> None:
    result = runner.invoke(identity_app, ["cccd", QR.replace("01011989", "31021989")])
    assert result.exit_code == 2
    assert result.stderr.startswith("cccd_date_invalid: ")
    assert result.stderr.endswith("(field: date_of_birth)\n")


def test_bhyt_prints_decoded_json() -> None:
    result = runner.invoke(identity_app, ["bhyt", "dn4 48 0123456789"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["code"] == "DN4480123456789"
    assert (data["benefit_level"], data["coverage_percent"]) == (4, 80)
    assert data["province_name"] == "Thành phố Đà Nẵng"


def test_bhyt_error_is_one_line_on_stderr_with_status_2() -> None:
    result = runner.invoke(identity_app, ["bhyt", "DN6010123456789"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("bhyt_benefit_level: Mức hưởng")
    assert result.stderr.count("\n") == 1
