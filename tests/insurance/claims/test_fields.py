"""The packaged field tables: what the code relies on, and that they are what the
regeneration script makes from the reference workbooks."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from smarthis.insurance.claims.fields import FIELDS_FILE, table

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT.parent / "shared" / "reference"


def test_amendments_of_4750_are_applied() -> None:
    assert table("XML1").field("SO_CCCD").type == "string"  # "Đổi kiểu dữ liệu thành chuỗi"
    assert table("XML1").field("MA_DOITUONG_KCB").size == 4  # "Tăng kích thước ... lên 4"
    assert table("XML0").field("MA_DOITUONG_KCB").type == "string"
    assert table("XML2").field("MA_KHOA").size == 50
    assert table("XML3").field("TT_THAU").size == 50
    assert "NHOM_MAU" in table("XML1").names  # field added by 4750


def test_formats_and_flags() -> None:
    xml3 = table("XML3")
    assert xml3.field("SO_LUONG").decimals == 3
    assert xml3.field("DON_GIA_BV").decimals == 3
    assert xml3.field("THANH_TIEN_BV").decimals == 2
    assert xml3.field("NGAY_YL").format == "datetime"
    assert table("XML1").field("GT_THE_TU").format == "date_list"
    assert table("XML1").field("NGAY_MIEN_CCT").format == "date"
    assert table("XML1").field("MA_BENH_CHINH").required == "always"
    assert xml3.field("NGUOI_THUC_HIEN").required == "conditional"


def test_all_fifteen_tables_and_check_in_are_packaged() -> None:
    data = json.loads(FIELDS_FILE.read_text(encoding="utf-8"))
    assert list(data["tables"]) == ["XML0"] + [f"XML{n}" for n in range(1, 16)]
    assert "4750" in data["provenance"]


@pytest.mark.skipif(
    importlib.util.find_spec("openpyxl") is None or not REFERENCE.exists(),
    reason="needs openpyxl and ../shared/reference",
)
def test_packaged_tables_are_what_the_script_makes() -> None:
    spec = importlib.util.spec_from_file_location(
        "xml130_fields_from_xlsx", ROOT / "scripts" / "xml130_fields_from_xlsx.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.build(REFERENCE) == json.loads(FIELDS_FILE.read_text(encoding="utf-8"))
