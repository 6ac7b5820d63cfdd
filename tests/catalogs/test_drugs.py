"""The clinic's drug catalogue and finding a drug as the doctor types its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarthis.catalogs.csv_source import CatalogError
from smarthis.catalogs.drugs import (
    DOSAGE_FORMS,
    ROUTES,
    UNITS,
    drugs,
    find_drug,
    load_drugs,
    search_drugs,
)
from smarthis.errors import DomainError, NotFound

HEADER = (
    "code,active_ingredient,brand_name,strength,dosage_form,route,unit,price_vnd,"
    "insurance_covered,insurance_ratio,controlled,note\n"
)
GOOD = "T-X,Paracetamol,,500 mg,viên nén,uống,viên,1000,true,100,,\n"


def ingredients(text: str) -> list[str]:
    return [drug.active_ingredient for drug in search_drugs(text)]


def test_the_oncology_clinic_has_its_usual_drugs() -> None:
    catalogue = drugs()
    assert len(catalogue) >= 30
    names = {drug.active_ingredient for drug in catalogue.values()}
    for needed in ("Paracetamol", "Morphin sulfat", "Ondansetron", "Tamoxifen", "Letrozol"):
        assert needed in names
    for drug in catalogue.values():
        assert drug.dosage_form in DOSAGE_FORMS and drug.route in ROUTES and drug.unit in UNITS
        assert isinstance(drug.price_vnd, int) and drug.price_vnd >= 0
        assert drug.insurance_covered == (drug.insurance_ratio is not None)


def test_one_drug_as_printed_on_a_prescription() -> None:
    paracetamol = find_drug("T-PARA500")
    assert (paracetamol.strength, paracetamol.dosage_form, paracetamol.route) == (
        "500 mg",
        "viên nén",
        "uống",
    )
    assert paracetamol.unit == "viên"
    assert paracetamol.insurance_covered and paracetamol.insurance_ratio == 100
    assert not paracetamol.needs_special_prescription
    with pytest.raises(NotFound):
        find_drug("T-NOPE")


def test_narcotics_and_psychotropics_need_the_special_form() -> None:
    controlled = {drug.code: drug.controlled for drug in drugs().values() if drug.controlled}
    assert controlled["T-MOR10-ONG"] == "gây nghiện"
    assert controlled["T-MOR30-LA"] == "gây nghiện"
    assert controlled["T-DIAZ5"] == "hướng thần"
    assert find_drug("T-MOR10-ONG").needs_special_prescription
    assert "T-PARA500" not in controlled


def test_some_drugs_are_paid_at_a_ratio_or_not_at_all() -> None:
    ratios = {drug.insurance_ratio for drug in drugs().values()}
    assert {100, 50} <= ratios
    assert not find_drug("T-VITC500").insurance_covered


@pytest.mark.parametrize("typed", ["morphin", "MORPHIN SULFAT", "Morphin sulfát", "mor"])
def test_search_ignores_case_and_diacritics(typed: str) -> None:
    assert {drug.code for drug in search_drugs(typed)} == {"T-MOR10-ONG", "T-MOR30-LA"}


def test_search_by_brand_and_by_several_words() -> None:
    assert [drug.code for drug in search_drugs("xeloda")] == ["T-CAPE500"]
    assert [drug.code for drug in search_drugs("zofran")] == ["T-ONDA8"]
    assert [drug.code for drug in search_drugs("amox clav")] == ["T-AMCL1G"]
    assert [drug.code for drug in search_drugs("sat")] == ["T-SAT-B9"]
    assert [drug.code for drug in search_drugs("sắt")] == ["T-SAT-B9"]


def test_ingredient_match_ranks_before_a_word_inside_the_name() -> None:
    found = ingredients("vitamin")
    assert found[0] == "Vitamin C (acid ascorbic)"
    assert "Cyanocobalamin (vitamin B12)" in found


def test_search_edge_cases() -> None:
    assert search_drugs("  ") == []
    assert search_drugs("khongcothuocnay") == []
    assert len(search_drugs("a", limit=3)) == 3
    with pytest.raises(DomainError):
        search_drugs("para", limit=0)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("T-X,Paracetamol,,500 mg,viên bao đường,uống,viên,1000,true,100,,\n", "dosage_form"),
        ("T-X,Paracetamol,,500 mg,viên nén,ngậm,viên,1000,true,100,,\n", "route"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,hộp,1000,true,100,,\n", "unit"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,viên,-1,true,100,,\n", "price_vnd"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,viên,1000,yes,100,,\n", "insurance_covered"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,viên,1000,true,,,\n", "insurance_ratio"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,viên,1000,true,150,,\n", "insurance_ratio"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,viên,1000,false,100,,\n", "insurance_ratio"),
        ("T-X,Paracetamol,,500 mg,viên nén,uống,viên,1000,true,100,ma túy,\n", "controlled"),
        ("T-X,,,500 mg,viên nén,uống,viên,1000,true,100,,\n", "active_ingredient"),
        (GOOD + GOOD, "code"),
    ],
)
def test_loader_rejects_bad_rows(tmp_path: Path, row: str, column: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text("# demo prices\n" + HEADER + row, encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_drugs(path)
    assert error.value.field == column


def test_loader_accepts_a_good_row(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    assert list(load_drugs(path)) == ["T-X"]
