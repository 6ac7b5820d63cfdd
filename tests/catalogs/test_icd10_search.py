"""ICD-10 search as a doctor types, and the diagnosis rules a visit must pass before it ends."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from smarthis.catalogs.icd10_search import (
    check_diagnoses,
    may_be_main_diagnosis,
    search_icd10,
    sex_restriction,
)
from smarthis.cli import app
from smarthis.errors import DomainError
from smarthis.text import fold


def codes(text: str, limit: int = 20) -> list[str]:
    return [hit.code for hit in search_icd10(text, limit)]


# --- search ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["u ác của vú", "u ac vu", "U AC CUA VU", "  u   ÁC vú "])
def test_vietnamese_words_find_breast_cancer_with_or_without_diacritics(typed: str) -> None:
    hits = search_icd10(typed)
    assert hits[0].code == "C50"
    assert hits[0].name_vi == "U ác của vú"
    assert hits[0].name_en == "Malignant neoplasm of breast"


@pytest.mark.parametrize("typed", ["ung thư vú", "ung thu vu", "UT vú", "k vu"])
def test_lay_words_for_cancer_find_the_malignant_neoplasm_codes(typed: str) -> None:
    assert codes(typed, 3) == ["C50", "C50.0", "C50.1"]


def test_names_that_do_say_ung_thu_are_found_too() -> None:
    found = codes("ung thu gan")
    assert "C22" in found  # "U ác của gan ..." through the synonym
    assert "C22.0" in found  # "Ung thư biểu mô tế bào gan" literally


@pytest.mark.parametrize("typed", ["C50.9", "c50.9", "C509", "c509", " C50.9 "])
def test_code_with_or_without_dot_in_any_case_comes_first(typed: str) -> None:
    hit = search_icd10(typed)[0]
    assert (hit.code, hit.code_plain, hit.matched_by) == ("C50.9", "C509", "code")


def test_exact_code_then_its_subcodes_in_code_order() -> None:
    found = codes("C50")
    assert found[:4] == ["C50", "C50.0", "C50.1", "C50.2"]
    assert all(code.startswith("C50") for code in found[:11])
    assert [hit.matched_by for hit in search_icd10("C50", 2)] == ["code", "code_prefix"]


def test_code_prefix_lists_the_chapter_part_in_order() -> None:
    found = codes("C5", 50)
    assert found[0] == "C50"
    assert found == sorted(found, key=lambda code: code.replace(".", ""))


def test_tiers_whole_words_before_word_prefixes_before_english() -> None:
    # "vu" is a whole word of "U ác của vú"; "vung" only starts with it.
    hits = search_icd10("vu", 2000)
    kinds = [hit.matched_by for hit in hits]
    assert kinds[0] == "words"
    assert "word_prefixes" in kinds
    assert kinds == sorted(kinds, key=["words", "word_prefixes", "english"].index)
    prefix_hit = next(hit for hit in hits if hit.matched_by == "word_prefixes")
    assert " vu " not in f" {prefix_hit.name_vi} "


def test_english_name_is_searched_last() -> None:
    hits = search_icd10("breast")
    assert hits[0].code == "C50"
    assert hits[0].matched_by == "english"


def test_every_word_must_match() -> None:
    assert all("phoi" in fold(hit.name_vi) for hit in search_icd10("u ac phoi"))
    assert codes("u ac phoi", 1) == ["C34"]
    assert search_icd10("vú phổi gan thận tim") == []


def test_limit_and_empty_text() -> None:
    assert len(search_icd10("u", 5)) == 5
    assert search_icd10("   ") == []
    assert search_icd10("zzqx") == []
    with pytest.raises(DomainError) as error:
        search_icd10("u", 0)
    assert error.value.code == "search_limit"


def test_a_single_letter_is_a_word_not_a_chapter() -> None:
    # "u" means tumour; the U chapter (special codes) must not push tumours away.
    assert all(hit.matched_by != "code_prefix" for hit in search_icd10("u"))


# --- flags on hits -----------------------------------------------------------------------


def test_hit_flags_sex_not_main_and_dual_classification() -> None:
    cervix = search_icd10("C53.9")[0]
    assert cervix.sex_only == "female"
    prostate = search_icd10("C61")[0]
    assert prostate.sex_only == "male"
    breast = search_icd10("C50")[0]
    assert (breast.sex_only, breast.not_main, breast.dagger_asterisk) == (None, False, None)
    streptococcus = search_icd10("B95.0")[0]
    assert streptococcus.not_main is True
    meningitis = search_icd10("A17.0")[0]
    assert meningitis.dagger_asterisk == "†"
    anaemia_in_neoplasm = search_icd10("D63.0")[0]
    assert anaemia_in_neoplasm.dagger_asterisk == "*"
    assert anaemia_in_neoplasm.not_main is True


def test_rule_lists_cover_categories_and_unlisted_subcodes() -> None:
    # The appendix lists C53.0 ... C53.9 but not the category C53.
    assert sex_restriction("C53") == "female"
    assert sex_restriction("c53.1") == "female"
    # C79 (secondary neoplasm) has one female-only subcode (ovary), not the whole category.
    assert sex_restriction("C79") is None
    assert sex_restriction("C79.6") == "female"
    # M07.0 is listed as not-main, M07.01 under it is not listed.
    assert may_be_main_diagnosis("M07.0*") is False
    assert may_be_main_diagnosis("M07.01") is False
    assert may_be_main_diagnosis("C50.9") is True


# --- diagnosis checks --------------------------------------------------------------------


def warning_codes(main: str | None, secondary: list[str], sex: str | None) -> list[str]:
    return [warning.code for warning in check_diagnoses(main, secondary, sex)]


def test_a_sound_set_of_diagnoses_has_no_warning() -> None:
    assert check_diagnoses("C50.9", ["D63.0*", "I10"], "female") == []
    assert check_diagnoses(None, [], None) == []


def test_unknown_code_is_an_error() -> None:
    [warning] = check_diagnoses("C50.9", ["X99.99"], "female")
    assert (warning.code, warning.icd, warning.role) == ("icd_unknown", "X99.99", "secondary")
    assert warning.severity == "error" and warning.blocks_conclusion
    assert "X99.99" in warning.message_vi and "X99.99" in warning.message_en


def test_code_not_allowed_as_main_is_an_error_only_as_main() -> None:
    [warning] = check_diagnoses("B95.0", [], "male")
    assert (warning.code, warning.icd, warning.severity) == ("icd_not_main", "B95.0", "error")
    assert "chẩn đoán chính" in warning.message_vi
    assert check_diagnoses("J18.9", ["B95.0"], "male") == []


def test_sex_specific_code_that_does_not_fit_the_patient_is_a_warning() -> None:
    [warning] = check_diagnoses("C61", [], "female")
    assert (warning.code, warning.icd, warning.severity) == ("icd_sex_mismatch", "C61", "warning")
    assert not warning.blocks_conclusion
    assert "nam" in warning.message_vi and "male" in warning.message_en
    assert warning_codes("C50.9", ["C53.9"], "male") == ["icd_sex_mismatch"]
    assert check_diagnoses("C61", [], "male") == []
    assert check_diagnoses("C61", [], None) == []  # sex unknown: nothing to compare


def test_same_code_twice_is_a_warning_however_typed() -> None:
    [warning] = check_diagnoses("C50.9", ["c509"], "female")
    assert (warning.code, warning.icd, warning.severity) == ("icd_duplicate", "C50.9", "warning")
    assert warning.role == "secondary"


def test_secondaries_without_a_main_diagnosis_is_an_error() -> None:
    [warning] = check_diagnoses(None, ["I10"], "male")
    assert (warning.code, warning.icd, warning.severity) == ("icd_main_missing", None, "error")
    assert warning_codes("  ", ["I10", ""], "male") == ["icd_main_missing"]


def test_several_problems_are_all_reported() -> None:
    assert warning_codes("B95.0", ["C61", "Q00.0X", "C61"], "female") == [
        "icd_not_main",
        "icd_sex_mismatch",
        "icd_unknown",
        "icd_duplicate",
    ]


def test_bad_patient_sex_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        check_diagnoses("C50.9", [], "M")
    assert error.value.code == "patient_sex"


# --- command line ------------------------------------------------------------------------


def test_cli_prints_json_lines_best_first() -> None:
    result = CliRunner().invoke(app, ["catalog", "icd10", "search", "u ac vu", "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["code"] for line in lines] == ["C50", "C50.0", "C50.1"]
    assert lines[0] == {
        "code": "C50",
        "name_vi": "U ác của vú",
        "name_en": "Malignant neoplasm of breast",
    }


def test_cli_finds_a_code_typed_without_dot() -> None:
    result = CliRunner().invoke(app, ["catalog", "icd10", "search", "c509"])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["code"] == "C50.9"


def test_cli_refuses_empty_text_with_exit_2() -> None:
    result = CliRunner().invoke(app, ["catalog", "icd10", "search", "  "])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("icd_search_empty: ")
