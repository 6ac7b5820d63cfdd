"""The validator catches each kind of error, names where and why in both languages, and
passes a correct claim with no issue at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.claim import ClaimInvalid, build_claim
from smarthis.insurance.claims.validation import (
    NOT_CHECKED,
    RULES,
    ValidationIssue,
    validate_checkin,
    validate_tables,
)
from tests.insurance.claims.example import inpatient_visit, worked_visit

Tables = dict[str, list[Record]]


def tables_of(visit_factory: Callable = worked_visit) -> Tables:
    return build_claim(visit_factory()).tables


def only(issues: list[ValidationIssue]) -> ValidationIssue:
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_correct_claims_have_no_issue() -> None:
    assert validate_tables(tables_of(worked_visit)) == []
    assert validate_tables(tables_of(inpatient_visit)) == []


def test_missing_required_field() -> None:
    tables = tables_of()
    del tables["XML2"][1]["TEN_THUOC"]
    found = only(validate_tables(tables))
    assert (found.file, found.record, found.field, found.rule) == (
        "XML2",
        2,
        "TEN_THUOC",
        "required",
    )
    assert found.message_vi == "Trường TEN_THUOC là bắt buộc."
    assert found.message_en == "Field TEN_THUOC is required."
    assert str(found).startswith("XML2 #2 TEN_THUOC [required]")


def test_too_long() -> None:
    tables = tables_of()
    tables["XML1"][0]["HO_TEN"] = "Nguyễn " * 40
    found = only(validate_tables(tables))
    assert (found.field, found.rule) == ("HO_TEN", "max_size")
    assert found.message_vi == "Trường HO_TEN dài 280 ký tự, tối đa 255."
    assert found.message_en == "Field HO_TEN is 280 characters long, at most 255 allowed."


def test_wrong_type() -> None:
    tables = tables_of()
    tables["XML3"][0]["MA_NHOM"] = "1a"
    issues = validate_tables(tables)
    assert ("XML3", 1, "MA_NHOM", "type_number") in [
        (i.file, i.record, i.field, i.rule) for i in issues
    ]


def test_too_many_decimals() -> None:
    tables = tables_of()
    tables["XML2"][0]["SO_LUONG"] = "21.0001"
    assert "decimals" in [i.rule for i in validate_tables(tables) if i.field == "SO_LUONG"]


@pytest.mark.parametrize(
    ("file", "field", "value", "rule"),
    [
        ("XML1", "NGAY_VAO", "2026-11-02 08:15", "format_datetime"),
        ("XML1", "NGAY_VAO", "202611310815", "format_datetime"),  # 31 November
        ("XML1", "GT_THE_DEN", "20261231;2027131", "format_date"),
        ("XML1", "NGAY_SINH", "1980051500", "format_birth"),
        ("XML5", "THOI_DIEM_DBLS", "202611022460", "format_datetime"),
    ],
)
def test_bad_date_formats(file: str, field: str, value: str, rule: str) -> None:
    tables = tables_of(inpatient_visit)
    tables[file][0][field] = value
    assert (file, field, rule) in [(i.file, i.field, i.rule) for i in validate_tables(tables)]


def test_unknown_birth_day_and_month_are_zeros() -> None:
    tables = tables_of()
    tables["XML1"][0]["NGAY_SINH"] = "198000000000"
    assert validate_tables(tables) == []


def test_broken_line_amount() -> None:
    tables = tables_of()
    line = tables["XML3"][3]
    line["THANH_TIEN_BV"] = "520000"  # 1 x 522000 was billed as 520000
    line["THANH_TIEN_BH"] = "520000"
    line["T_BHTT"] = "416000"
    line["T_BNCCT"] = "104000"
    issues = validate_tables(tables)
    line_issues = [i for i in issues if i.file == "XML3"]
    assert [(i.field, i.rule) for i in line_issues] == [
        ("THANH_TIEN_BV", "line_amount"),
        ("THANH_TIEN_BH", "line_amount"),
    ]
    assert "SO_LUONG × DON_GIA_BV × TYLE_TT_DV/100" in line_issues[0].message_vi
    assert "522000" in line_issues[0].message_en
    # ... and table 1 no longer adds up.
    assert {i.field for i in issues if i.file == "XML1"} >= {"T_TONGCHI_BV", "T_BHTT"}


def test_broken_split_of_a_line() -> None:
    tables = tables_of()
    tables["XML2"][1]["T_BHTT"] = "2900"  # 80% of 3500 is 2800
    fields = {(i.file, i.field, i.rule) for i in validate_tables(tables)}
    assert ("XML2", "T_BHTT", "line_amount") in fields
    assert ("XML2", "THANH_TIEN_BV", "line_amount") in fields  # the line no longer balances


def test_broken_totals() -> None:
    tables = tables_of()
    tables["XML1"][0]["T_BHTT"] = "568181.50"
    issues = validate_tables(tables)
    assert [(i.field, i.rule) for i in issues] == [
        ("T_BHTT", "total"),  # Σ T_BHTT of the lines
        ("T_BHTT", "total"),  # T_TONGCHI_BH − T_BNCCT
        ("T_TONGCHI_BV", "total"),  # the split no longer adds up
    ]
    assert "Σ T_BHTT (XML2 + XML3)" in issues[0].message_vi
    assert "568181.53" in issues[0].message_en


def test_totals_of_drugs_and_supplies() -> None:
    tables = tables_of()
    tables["XML1"][0]["T_THUOC"] = "29425"
    tables["XML1"][0]["T_VTYT"] = "0"
    assert [(i.field, i.rule) for i in validate_tables(tables)] == [
        ("T_THUOC", "total"),
        ("T_VTYT", "total"),
    ]


def test_conditional_requirements() -> None:
    tables = tables_of()
    del tables["XML3"][1]["NGUOI_THUC_HIEN"]  # a lab test (MA_NHOM 1) needs its performer
    del tables["XML3"][4]["TT_THAU"]  # a supply (MA_NHOM 10) needs its tender
    del tables["XML4"][0]["NGAY_KQ"]  # a value needs its result time
    found = [(i.file, i.record, i.field, i.rule) for i in validate_tables(tables)]
    assert found == [
        ("XML3", 2, "NGUOI_THUC_HIEN", "required_if"),
        ("XML3", 5, "TT_THAU", "required_if"),
        ("XML4", 1, "NGAY_KQ", "required_if"),
    ]


def test_value_domains_and_time_order() -> None:
    tables = tables_of()
    tables["XML1"][0]["GIOI_TINH"] = "4"
    tables["XML1"][0]["SO_CCCD"] = "04808000123"
    tables["XML3"][1]["NGAY_KQ"] = "202611020830"  # before the order at 08:35
    found = [(i.field, i.rule) for i in validate_tables(tables)]
    assert found == [
        ("SO_CCCD", "value_domain"),
        ("GIOI_TINH", "value_domain"),
        ("NGAY_KQ", "time_order"),
    ]


def test_treatment_days_and_stay() -> None:
    tables = tables_of(inpatient_visit)
    tables["XML1"][0]["SO_NGAY_DTRI"] = "2"
    tables["XML2"][0]["NGAY_YL"] = "202611050800"  # after discharge
    found = [(i.file, i.field, i.rule) for i in validate_tables(tables)]
    assert found == [
        ("XML1", "SO_NGAY_DTRI", "treatment_days"),
        ("XML2", "NGAY_YL", "outside_stay"),
    ]


def test_across_files() -> None:
    tables = tables_of(inpatient_visit)
    tables["XML3"][2]["MA_LK"] = "OTHER"
    tables["XML2"][1]["STT"] = "5"
    found = [(i.file, i.field, i.rule) for i in validate_tables(tables)]
    assert found == [("XML2", "STT", "stt_sequence"), ("XML3", "MA_LK", "ma_lk_mismatch")]
    tables = tables_of(inpatient_visit)
    tables["XML5"] = []
    assert [(i.file, i.rule) for i in validate_tables(tables)] == [("XML5", "file_missing")]


def test_unknown_elements_of_a_parsed_file() -> None:
    tables = tables_of()
    tables["XML4"][0]["GIA_TRI_MOI"] = "1"
    found = only(validate_tables(tables, parsed=True))
    assert (found.field, found.rule) == ("GIA_TRI_MOI", "unknown_field")


def test_checkin_needs_one_first_charge() -> None:
    from smarthis.insurance.claims.builders import CheckIn, checkin_records

    [record] = checkin_records([CheckIn.from_claim(worked_visit())])
    assert validate_checkin([record]) == []
    del record["MA_DICH_VU"]
    found = [(i.field, i.rule) for i in validate_checkin([record])]
    assert found == [("MA_DICH_VU", "required_if")]


def test_checked_claim_refuses_to_go_out_with_issues() -> None:
    claim = build_claim(worked_visit(reason_for_visit=""))
    with pytest.raises(ClaimInvalid) as caught:
        claim.checked()
    assert [(i.field, i.rule) for i in caught.value.issues] == [("LY_DO_VV", "required")]


def test_every_rule_has_both_languages_and_the_gaps_are_named() -> None:
    for rule in RULES.values():
        assert rule.vi and rule.en
    assert "catalogue codes" in NOT_CHECKED


def test_diagnoses_against_the_icd10_catalogue() -> None:
    from smarthis.catalogs.icd10 import female_only_codes, not_main_diagnosis_codes

    tables = tables_of()  # a male patient
    tables["XML1"][0]["MA_BENH_CHINH"] = sorted(not_main_diagnosis_codes())[0]
    tables["XML1"][0]["MA_BENH_KT"] = "I10;QQ99"
    tables["XML3"][0]["MA_BENH"] = sorted(female_only_codes())[0]
    found = [(i.file, i.field, i.rule) for i in validate_tables(tables)]
    assert found == [
        ("XML1", "MA_BENH_CHINH", "icd10_not_main"),
        ("XML1", "MA_BENH_KT", "icd10_unknown"),
        ("XML3", "MA_BENH", "icd10_sex"),
    ]


def test_card_codes() -> None:
    tables = tables_of()
    tables["XML1"][0]["MA_THE_BHYT"] = "DN4480123456789;DN648012345678"
    found = only(validate_tables(tables))
    assert (found.field, found.rule) == ("MA_THE_BHYT", "value_domain")
