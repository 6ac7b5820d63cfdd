from pathlib import Path

import pytest

from smarthis.catalogs.admin_units import (
    admin_units,
    districts,
    load_admin_units,
    province_name,
    provinces,
    wards,
    wards_in_province,
)
from smarthis.catalogs.csv_source import CatalogError
from smarthis.catalogs.icd10 import (
    female_only_codes,
    find_icd10,
    icd10_codes,
    icd10_index,
    load_code_set,
    load_icd10,
    male_only_codes,
    not_main_diagnosis_codes,
)
from smarthis.catalogs.services import load_technical_services, technical_services

ICD_HEADER = (
    "code,code_plain,name_vi,name_en,chapter,chapter_name_vi,group,group_name_vi,"
    "category,category_name_vi\n"
)
ICD_ROW_A00 = (
    "A00,A00,Bệnh tả,Cholera,A00-B99,Bệnh nhiễm trùng,A00-A09,Bệnh đường ruột,A00,Bệnh tả\n"
)
SERVICE_HEADER = (
    "service_code,service_name_vi,specialty_code,specialty,classification,category,"
    "icd9cm_code,icd9cm_name_vi\n"
)
ADMIN_HEADER = "province_code,province,district_code,district,ward_code,ward,ward_level\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped files -------------------------------------------------------------------


def test_icd10_counts_match_the_decision() -> None:
    assert len(icd10_codes()) == 12_219
    assert len(not_main_diagnosis_codes()) == 1_263
    assert len(female_only_codes()) == 843
    assert len(male_only_codes()) == 112


def test_icd10_known_entries() -> None:
    cholera = find_icd10("A00.0")
    assert cholera is not None
    assert cholera.code_plain == "A000"
    assert cholera.name_en == "Cholera due to Vibrio cholerae 01, biovar cholerae"
    assert cholera.chapter == "A00-B99"
    assert cholera.mark is None
    breast_cancer = find_icd10("c50.9")
    assert breast_cancer is not None and breast_cancer.name_vi.startswith("U ác")


def test_icd10_dual_classification_marks_are_kept_and_lookup_ignores_them() -> None:
    meningitis = find_icd10("A17.0†")
    assert meningitis is not None
    assert (meningitis.code, meningitis.code_plain, meningitis.mark) == ("A17.0†", "A170", "†")
    assert find_icd10("A170") == meningitis
    assert any(code.mark == "*" for code in icd10_codes())
    # A17 is published with and without the dagger: the plain lookup gives the first row.
    assert icd10_index()["A17"].code == "A17"


def test_icd10_rule_lists_hold_plain_codes() -> None:
    assert "B950" in not_main_diagnosis_codes()
    assert "A34" in female_only_codes()  # obstetrical tetanus
    assert "C600" in male_only_codes()  # malignant neoplasm of prepuce
    assert "C600" not in female_only_codes()
    assert find_icd10("unknown") is None


def test_provinces() -> None:
    names = provinces()
    assert len(names) == 63
    assert names["01"] == "Thành phố Hà Nội"
    assert names["48"] == "Thành phố Đà Nẵng"
    assert names["79"] == "Thành phố Hồ Chí Minh"
    assert names["96"] == "Tỉnh Cà Mau"
    assert province_name("99") is None


def test_provinces_returns_a_copy_the_caller_cannot_corrupt() -> None:
    provinces()["01"] = "changed"
    assert provinces()["01"] == "Thành phố Hà Nội"


def test_districts_and_wards() -> None:
    assert len(admin_units()) == 10_600
    assert districts("01")["001"] == "Quận Ba Đình"
    assert wards("001")["00001"] == "Phường Phúc Xá"
    assert districts("99") == {}
    # Hoàng Sa is an island district of Đà Nẵng without wards.
    assert "498" in districts("48")
    assert wards("498") == {}
    assert all(unit.ward_code for unit in wards_in_province("48"))
    assert {unit.province_code for unit in wards_in_province("48")} == {"48"}


def test_technical_services() -> None:
    services = technical_services()
    assert len(services) == 8_033  # 8,035 rows: one exact duplicate, one double mapping
    lumbar_puncture = services["01.0202.0083"]
    assert lumbar_puncture.name_vi == "Chọc dịch tuỷ sống"
    assert lumbar_puncture.classification == "C"
    assert lumbar_puncture.category == "T2"
    assert lumbar_puncture.icd9cm[0].code == "03.31"  # leading zero restored
    assert len(services["10.0225.0403"].icd9cm) == 2
    assert "27.205b.0463" in services


# --- malformed files are refused, naming file and line ------------------------------------


def test_icd10_bad_code_is_rejected_naming_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "icd.csv", ICD_HEADER + ICD_ROW_A00 + ICD_ROW_A00.replace("A00,", "A0X,", 1)
    )
    with pytest.raises(CatalogError) as caught:
        load_icd10(path)
    assert caught.value.code == "catalog_value"
    assert caught.value.field == "code"
    assert "icd.csv, line 3" in caught.value.message_en
    assert "icd.csv, dòng 3" in caught.value.message_vi
    assert "'A0X'" in caught.value.message_en


def test_icd10_plain_code_must_agree_with_code(tmp_path: Path) -> None:
    path = write(tmp_path, "icd.csv", ICD_HEADER + ICD_ROW_A00.replace(",A00,", ",A01,", 1))
    with pytest.raises(CatalogError, match="line 2: column code_plain"):
        load_icd10(path)


def test_missing_column_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "icd.csv", ICD_HEADER.replace("name_vi,", "") + "A00\n")
    with pytest.raises(CatalogError) as caught:
        load_icd10(path)
    assert caught.value.code == "catalog_columns"
    assert caught.value.field == "name_vi"


def test_short_row_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "icd.csv", ICD_HEADER + "A00,A00,Bệnh tả\n")
    with pytest.raises(CatalogError, match="icd.csv, line 2") as caught:
        load_icd10(path)
    assert caught.value.code == "catalog_row_width"


def test_rule_list_with_dotted_code_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "female.csv", "code,name_vi,name_en\nA34,x,y\nC51.0,x,y\n")
    with pytest.raises(CatalogError, match="female.csv, line 3: column code"):
        load_code_set(path)


def test_bad_service_code_is_rejected(tmp_path: Path) -> None:
    row = "01.0202.0083,Chọc dịch tuỷ sống,1,x,C,T2,3.31,Chọc ống sống\n"
    bad = "01.202.0083,Chọc dịch,1,x,C,T2,3.31,Chọc ống sống\n"
    path = write(tmp_path, "services.csv", SERVICE_HEADER + row + bad)
    with pytest.raises(CatalogError, match="services.csv, line 3: column service_code"):
        load_technical_services(path)


def test_service_code_reused_for_another_technique_is_rejected(tmp_path: Path) -> None:
    row = "01.0202.0083,Chọc dịch tuỷ sống,1,x,C,T2,3.31,Chọc ống sống\n"
    other = "01.0202.0083,Nội soi,1,x,C,T2,3.31,Chọc ống sống\n"
    path = write(tmp_path, "services.csv", SERVICE_HEADER + row + other)
    with pytest.raises(CatalogError, match="line 3: column service_code"):
        load_technical_services(path)


def test_service_specialty_must_match_its_chapter(tmp_path: Path) -> None:
    row = "01.0202.0083,Chọc dịch tuỷ sống,2,x,C,T2,3.31,Chọc ống sống\n"
    path = write(tmp_path, "services.csv", SERVICE_HEADER + row)
    with pytest.raises(CatalogError, match="line 2: column specialty_code"):
        load_technical_services(path)


def test_province_code_must_be_two_digits(tmp_path: Path) -> None:
    good = "01,Thành phố Hà Nội,001,Quận Ba Đình,00001,Phường Phúc Xá,Phường\n"
    bad = "1,Thành phố Hà Nội,001,Quận Ba Đình,00004,Phường Trúc Bạch,Phường\n"
    path = write(tmp_path, "units.csv", ADMIN_HEADER + good + bad)
    with pytest.raises(CatalogError, match="units.csv, line 3: column province_code"):
        load_admin_units(path)


def test_province_code_must_keep_one_name(tmp_path: Path) -> None:
    good = "01,Thành phố Hà Nội,001,Quận Ba Đình,00001,Phường Phúc Xá,Phường\n"
    other = "01,Tỉnh Hà Tây,002,Quận Hoàn Kiếm,00037,Phường Phúc Tân,Phường\n"
    path = write(tmp_path, "units.csv", ADMIN_HEADER + good + other)
    with pytest.raises(CatalogError, match="line 3: column province"):
        load_admin_units(path)


def test_catalog_error_is_a_server_fault() -> None:
    assert CatalogError.status_code == 500
