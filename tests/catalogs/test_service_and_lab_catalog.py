"""The demo hospital's services and lab reference ranges: what doctors order and how a
result is flagged on the report."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from smarthis.catalogs.csv_source import CatalogError
from smarthis.catalogs.lab import (
    NoReferenceRange,
    flag_result,
    lab_analytes,
    lab_panels,
    load_lab_analytes,
    load_lab_panels,
    reference_range,
)
from smarthis.catalogs.service_catalog import (
    COST_GROUPS,
    ORDER_POINT_KINDS,
    SERVICE_KINDS,
    find_service,
    hospital_services,
    load_hospital_services,
    services_for_panel,
    services_of_kind,
)
from smarthis.catalogs.services import technical_services
from smarthis.errors import DomainError, NotFound
from smarthis.queueing.setup import POINT_KINDS

SERVICE_HEADER = (
    "code,national_code,name_vi,kind,point_kind,hospital_price_vnd,insurance_price_vnd,"
    "cost_group,lab_panel,analytes,note\n"
)
ANALYTE_HEADER = (
    "analyte_code,name_vi,name_en,unit,sex,age_from_years,age_to_years,low,high,"
    "critical_low,critical_high,note\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- services ----------------------------------------------------------------------------


def test_the_demo_hospital_offers_every_kind_of_service() -> None:
    services = hospital_services()
    assert len(services) >= 40
    assert {service.kind for service in services.values()} == set(SERVICE_KINDS)
    assert set(ORDER_POINT_KINDS) <= set(POINT_KINDS)
    assert {service.point_kind for service in services.values()} <= set(ORDER_POINT_KINDS)


def test_national_codes_are_in_the_national_list() -> None:
    national = technical_services()
    with_code = [s for s in hospital_services().values() if s.national_code]
    assert len(with_code) >= 15
    assert all(service.national_code in national for service in with_code)
    ultrasound = find_service("SA-BUNG")
    assert ultrasound.national_code == "18.0015.0001"
    assert national["18.0015.0001"].name_vi.startswith("Siêu âm ổ bụng")
    assert find_service("DT-THUONG").national_code == "21.0014.1778"
    assert national["21.0014.1778"].name_vi == "Điện tim thường"


def test_services_without_a_national_code_say_why() -> None:
    missing = [s for s in hospital_services().values() if not s.national_code]
    assert missing
    assert all(service.note for service in missing)
    assert find_service("XN-CBC").national_code is None


def test_prices_are_integers_and_cost_groups_follow_the_kind() -> None:
    for service in hospital_services().values():
        assert isinstance(service.hospital_price_vnd, int) and service.hospital_price_vnd >= 0
        assert service.insurance_price_vnd is None or service.insurance_price_vnd >= 0
        assert service.cost_group in COST_GROUPS
    assert {s.cost_group for s in services_of_kind("lab")} == {1}
    assert {s.cost_group for s in services_of_kind("ultrasound")} == {2}
    assert {s.cost_group for s in services_of_kind("exam")} == {13}
    assert {s.point_kind for s in services_of_kind("exam")} == {"examination"}


def test_ordering_a_lab_panel_orders_the_services_reporting_its_analytes() -> None:
    chemistry = services_for_panel("SH")
    assert sorted(analyte for s in chemistry for analyte in s.analytes) == sorted(
        lab_panels()["SH"].analytes
    )
    assert {s.code for s in services_for_panel("CBC")} == {"XN-CBC"}
    assert {s.code for s in services_for_panel("TM_VU")} == {"XN-CEA", "XN-CA153"}
    with pytest.raises(NotFound):
        services_for_panel("NOPE")
    with pytest.raises(NotFound):
        find_service("NOPE")


def test_panels_list_known_analytes() -> None:
    panels = lab_panels()
    assert {"CBC", "SH", "TM", "DGD", "DONGMAU", "TPTNT"} <= set(panels)
    assert panels["SH"].analytes == ("GLU", "UREA", "CREA", "AST", "ALT")
    assert all(code in lab_analytes() for panel in panels.values() for code in panel.analytes)


def load_services(tmp_path: Path, rows: str) -> None:
    path = write(tmp_path, "s.csv", "# demo prices\n# second comment\n" + SERVICE_HEADER + rows)
    load_hospital_services(path, technical_services(), lab_analytes(), lab_panels())


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("SA-X,99.9999.9999,Siêu âm,ultrasound,ultrasound,1,1,2,,,\n", "national_code"),
        ("SA-X,,Siêu âm,ultrasound,ultrasound,-5,1,2,,,\n", "hospital_price_vnd"),
        ("SA-X,,Siêu âm,ultrasound,ultrasound,1.5,1,2,,,\n", "hospital_price_vnd"),
        ("SA-X,,Siêu âm,scan,ultrasound,1,1,2,,,\n", "kind"),
        ("SA-X,,Siêu âm,ultrasound,lab,1,1,2,,,\n", "point_kind"),
        ("SA-X,,Siêu âm,ultrasound,ultrasound,1,1,1,,,\n", "cost_group"),
        ("sa x,,Siêu âm,ultrasound,ultrasound,1,1,2,,,\n", "code"),
        ("XN-X,,Glucose,lab,lab,1,1,1,NOPE,GLU,\n", "lab_panel"),
        ("XN-X,,Glucose,lab,lab,1,1,1,SH,K,\n", "analytes"),
        ("XN-X,,Glucose,lab,lab,1,1,1,SH,,\n", "lab_panel"),
        ("SA-X,,Siêu âm,ultrasound,ultrasound,1,1,2,SH,,\n", "lab_panel"),
    ],
)
def test_service_loader_rejects_bad_rows(tmp_path: Path, row: str, column: str) -> None:
    with pytest.raises(CatalogError) as error:
        load_services(tmp_path, row)
    assert error.value.field == column
    assert "s.csv, line 4" in error.value.message_en  # file line, comments counted


def test_service_loader_rejects_a_panel_no_service_covers(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as error:
        load_services(tmp_path, "SA-X,,Siêu âm,ultrasound,ultrasound,1,,2,,,\n")
    assert "panel" in error.value.message_en


# --- reference ranges --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sex", "flag"),
    [
        (130, "male", "normal"),
        (170, "male", "normal"),
        (129.9, "male", "low"),
        (170.1, "male", "high"),
        (125, "female", "normal"),
        (125, "male", "low"),
        (155, "female", "high"),
        (60, "female", "low"),
        (59.9, "female", "critical_low"),
        (200, "male", "high"),
        (200.1, "male", "critical_high"),
    ],
)
def test_haemoglobin_by_sex_with_inclusive_limits(value: float, sex: str, flag: str) -> None:
    assert flag_result("HGB", value, sex, 40).flag == flag


def test_range_used_is_given_for_display() -> None:
    result = flag_result("HGB", 125, "male", 40)
    assert result.range_text == "130–170 g/L"
    assert (result.reference.low, result.reference.high) == (130, 170)
    assert result.is_abnormal and not result.is_critical
    assert flag_result("HGB", 125, "female", 40).range_text == "120–150 g/L"
    assert flag_result("ALT", 12, "male", 40).range_text == "≤ 40 U/L"
    assert flag_result("K", 4, "male", 40).range_text == "3.5–5.0 mmol/L"
    assert flag_result("INR", 1, None, 40).range_text == "0.8–1.2"


def test_children_get_their_age_band() -> None:
    assert flag_result("HGB", 115, "male", 3).flag == "normal"  # 110–140 under 5
    assert flag_result("HGB", 105, "male", 3).flag == "low"
    assert flag_result("HGB", 105, "male", 3).range_text == "110–140 g/L"
    assert flag_result("HGB", 150, "female", 14).flag == "normal"  # 120–160 at 12-17
    # Band limits: [from, to) — 5.0 years is in the 5-12 band, 18.0 is an adult.
    assert flag_result("HGB", 112, "male", 4.99).flag == "normal"
    assert flag_result("HGB", 112, "male", 5.0).flag == "low"
    assert flag_result("HGB", 165, "male", 17.99).flag == "high"
    assert flag_result("HGB", 165, "male", 18.0).flag == "normal"
    assert flag_result("WBC", 15, "female", 2).flag == "normal"
    assert flag_result("WBC", 15, "female", 30).flag == "high"


def test_no_range_rather_than_an_adult_range_for_infants() -> None:
    with pytest.raises(NoReferenceRange) as error:
        flag_result("HGB", 160, "male", 0.2)
    assert error.value.code == "lab_range_missing"
    with pytest.raises(NoReferenceRange):
        flag_result("AFP", 5000, "female", 0.5)
    with pytest.raises(NoReferenceRange):
        flag_result("PSA", 1, "female", 50)


def test_critical_limits_are_strict_and_beyond_low_and_high() -> None:
    assert flag_result("K", 2.8, "male", 60).flag == "low"
    assert flag_result("K", 2.79, "male", 60).flag == "critical_low"
    assert flag_result("K", 3.5, "male", 60).flag == "normal"
    assert flag_result("K", 5.0, "male", 60).flag == "normal"
    assert flag_result("K", 5.01, "male", 60).flag == "high"
    assert flag_result("K", 6.2, "male", 60).flag == "high"
    result = flag_result("K", 6.21, "male", 60)
    assert result.flag == "critical_high" and result.is_critical
    assert flag_result("NEUT", 0.4, "female", 50).flag == "critical_low"
    assert flag_result("PLT", 15, "female", 7).flag == "critical_low"


def test_upper_limit_only_analytes() -> None:
    assert flag_result("CEA", 0, "female", 50).flag == "normal"
    assert flag_result("CEA", 5, "female", 50).flag == "normal"
    assert flag_result("CEA", 5.1, "female", 50).flag == "high"
    assert flag_result("CA153", 31, "female", 50).flag == "high"
    assert flag_result("CA125", 35, "female", 50).flag == "normal"
    assert flag_result("CA199", 38, "male", 50).flag == "high"
    assert flag_result("AFP", 11, "male", 50).flag == "high"
    assert flag_result("PSA", 4.1, "male", 65).flag == "high"
    assert flag_result("AST", 41, "male", 50).flag == "high"
    assert flag_result("GLU", 3.8, "male", 50).flag == "low"
    assert flag_result("GLU", 6.4, "male", 50).flag == "normal"


def test_unknown_sex_or_age_uses_the_widest_possible_range() -> None:
    assert reference_range("HGB", None, 40).text == "120–170 g/L"
    assert flag_result("HGB", 125, None, 40).flag == "normal"
    assert flag_result("CREA", 110, None, 40).flag == "normal"
    assert flag_result("CREA", 121, None, 40).flag == "high"
    assert reference_range("HGB", "male", None).text == "110–170 g/L"


def test_bad_input_to_flagging_is_refused() -> None:
    with pytest.raises(NotFound) as unknown:
        flag_result("NOPE", 1, "male", 40)
    assert unknown.value.code == "lab_analyte_unknown"
    with pytest.raises(DomainError) as nan:
        flag_result("HGB", math.nan, "male", 40)
    assert nan.value.code == "lab_value_invalid"
    with pytest.raises(DomainError) as sex:
        flag_result("HGB", 130, "nam", 40)
    assert sex.value.code == "patient_sex"
    with pytest.raises(DomainError) as age:
        flag_result("HGB", 130, "male", -1)
    assert age.value.code == "patient_age"


def test_every_shipped_range_judges_its_own_limits_normal() -> None:
    for analyte in lab_analytes().values():
        for band in analyte.ranges:
            sex = band.sex or "female"
            age = band.age_from_years
            for limit in (band.low, band.high):
                if limit is not None:
                    assert flag_result(analyte.code, limit, sex, age).flag == "normal"


@pytest.mark.parametrize(
    ("rows", "column"),
    [
        ("K,Kali,Potassium,mmol/L,all,0,,3.5,5.0,3.6,,\n", "critical_low"),
        ("K,Kali,Potassium,mmol/L,all,0,,3.5,5.0,,4.9,\n", "critical_high"),
        ("K,Kali,Potassium,mmol/L,all,0,,5.0,3.5,,,\n", "low"),
        ("K,Kali,Potassium,mmol/L,all,0,,,,,,\n", "high"),
        ("K,Kali,Potassium,mmol/L,both,0,,3.5,5.0,,,\n", "sex"),
        ("K,Kali,Potassium,mmol/L,all,10,5,3.5,5.0,,,\n", "age_to_years"),
        ("K,Kali,Potassium,mmol/L,all,0,,3.5,five,,,\n", "high"),
        (
            "K,Kali,Potassium,mmol/L,all,0,,3.5,5.0,,,\nK,Kali,Potassium,mmol/l,all,0,,3.5,5.0,,,\n",
            "analyte_code",
        ),
        (
            "K,Kali,Potassium,mmol/L,all,0,20,3.5,5.0,,,\nK,Kali,Potassium,mmol/L,male,18,,3,5,,,\n",
            "age_from_years",
        ),
    ],
)
def test_analyte_loader_rejects_bad_rows(tmp_path: Path, rows: str, column: str) -> None:
    with pytest.raises(CatalogError) as error:
        load_lab_analytes(write(tmp_path, "a.csv", ANALYTE_HEADER + rows))
    assert error.value.field == column


def test_panel_loader_rejects_unknown_analytes(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "panel_code,name_vi,name_en,analytes\nX,Nhóm,Panel,HGB NOPE\n")
    with pytest.raises(CatalogError) as error:
        load_lab_panels(path, lab_analytes())
    assert "NOPE" in error.value.message_en
