"""Each builder against the hand-worked example (tests/insurance/claims/example.py).

Amounts worked by hand, 80% share, no other sources:
  Amoxicillin 21 x 1234.567 = 25925.907 -> 25925.91; fund 80% = 20740.728 -> 20740.73;
  copay 25925.91 - 20740.73 = 5185.18. Paracetamol 10 x 350 = 3500 -> 2800 / 700.
  Syringes 2 x 1200.5 = 2401 -> 1920.80 / 480.20.
  Totals: drugs 29425.91; hospital total 50600 + 40400 + 65400 + 522000 + 2401 + 29425.91
  = 710226.91; fund 40480 + 32320 + 52320 + 417600 + 1920.8 + 20740.73 + 2800 = 568181.53;
  copay 710226.91 - 568181.53 = 142045.38.
"""

from __future__ import annotations

from smarthis.insurance.claims.builders import (
    CheckIn,
    checkin_records,
    course_records,
    drug_records,
    result_records,
    service_records,
    summary_record,
)
from smarthis.insurance.claims.claim import build_claim
from smarthis.insurance.claims.fields import table
from smarthis.insurance.claims.xml_io import parse_table
from tests.insurance.claims.example import DOCTOR, TECHNICIAN, inpatient_visit, worked_visit


def test_checkin_reports_the_first_charge_at_the_department() -> None:
    [record] = checkin_records([CheckIn.from_claim(worked_visit())])
    assert record == {
        "MA_LK": "48001-20261102-000123",
        "STT": "1",
        "MA_BN": "BN000123",
        "HO_TEN": "Nguyễn Văn An",
        "SO_CCCD": "048080001234",
        "NGAY_SINH": "198005150000",
        "GIOI_TINH": "1",
        "MA_THE_BHYT": "DN4480123456789",
        "MA_DKBD": "48001",
        "GT_THE_TU": "20260101",
        "GT_THE_DEN": "20261231",
        "MA_DOITUONG_KCB": "1.1",
        "NGAY_VAO": "202611020815",
        "MA_LOAI_KCB": "01",
        "MA_CSKCB": "48001",
        "MA_DICH_VU": "02.1896",
        "TEN_DICH_VU": "Khám Nội",
        "NGAY_YL": "202611020820",
    }


def test_summary_carries_patient_card_times_and_totals() -> None:
    record = summary_record(worked_visit())
    assert record["NGAY_SINH"] == "198005150000"
    assert record["MA_BENH_CHINH"] == "J209"
    assert record["MA_BENH_KT"] == "I10;E119"
    assert record["NGAY_VAO"] == "202611020815"
    assert record["NGAY_RA"] == "202611021140"
    assert record["NGAY_TTOAN"] == "202611021145"
    assert record["SO_NGAY_DTRI"] == "0"  # an examination counts no treatment day
    assert record["CAN_NANG"] == "62.5"
    assert {k: record[k] for k in ("T_THUOC", "T_VTYT", "T_TONGCHI_BV", "T_TONGCHI_BH")} == {
        "T_THUOC": "29425.91",
        "T_VTYT": "2401",
        "T_TONGCHI_BV": "710226.91",
        "T_TONGCHI_BH": "710226.91",
    }
    assert {k: record[k] for k in ("T_BHTT", "T_BNCCT", "T_BNTT", "T_NGUONKHAC")} == {
        "T_BHTT": "568181.53",
        "T_BNCCT": "142045.38",
        "T_BNTT": "0",
        "T_NGUONKHAC": "0",
    }
    assert record["T_BHTT_GDV"] == "568181.53"
    assert (record["NAM_QT"], record["THANG_QT"], record["MA_LOAI_KCB"]) == ("2026", "11", "01")


def test_summary_counts_calendar_days_of_an_inpatient_stay() -> None:
    record = summary_record(inpatient_visit())
    assert record["NGAY_VAO_NOI_TRU"] == "202611021100"
    assert record["NGAY_RA"] == "202611041000"
    assert record["SO_NGAY_DTRI"] == "3"  # 2 to 4 November, both ends counted


def test_drug_lines_round_quantity_price_and_amounts() -> None:
    first, second = drug_records(worked_visit())
    assert first["STT"] == "1" and second["STT"] == "2"
    assert {k: first[k] for k in ("MA_THUOC", "SO_LUONG", "DON_GIA", "TYLE_TT_BH")} == {
        "MA_THUOC": "40.150",
        "SO_LUONG": "21",
        "DON_GIA": "1234.567",
        "TYLE_TT_BH": "100",
    }
    assert {k: first[k] for k in ("THANH_TIEN_BV", "THANH_TIEN_BH", "T_BHTT", "T_BNCCT")} == {
        "THANH_TIEN_BV": "25925.91",
        "THANH_TIEN_BH": "25925.91",
        "T_BHTT": "20740.73",
        "T_BNCCT": "5185.18",
    }
    assert first["MUC_HUONG"] == "80"
    assert first["NGAY_YL"] == "202611021100"
    assert first["MA_BAC_SI"] == DOCTOR
    assert first["TT_THAU"] == "20/QĐ-SYT;G1;N4;2025"


def test_service_and_supply_lines() -> None:
    records = service_records(worked_visit())
    lab, supply = records[1], records[4]
    assert lab["MA_DICH_VU"] == "22.0121.1369"
    assert lab["MA_NHOM"] == "1"
    assert lab["NGUOI_THUC_HIEN"] == TECHNICIAN
    assert (lab["NGAY_YL"], lab["NGAY_TH_YL"], lab["NGAY_KQ"]) == (
        "202611020835",
        "202611020850",
        "202611020930",
    )
    assert lab["MA_BENH"] == "J209"  # ordered for the main diagnosis, written out
    assert (lab["THANH_TIEN_BV"], lab["T_BHTT"], lab["T_BNCCT"]) == ("40400", "32320", "8080")
    assert "MA_DICH_VU" not in supply
    assert (supply["MA_VAT_TU"], supply["TEN_VAT_TU"]) == ("N03.05.070", "Bơm tiêm nhựa 5ml")
    assert (supply["SO_LUONG"], supply["DON_GIA_BV"], supply["THANH_TIEN_BV"]) == (
        "2",
        "1200.5",
        "2401",
    )
    assert (supply["T_BHTT"], supply["T_BNCCT"]) == ("1920.8", "480.2")


def test_results_and_clinical_course() -> None:
    wbc, xray = result_records(worked_visit())
    assert (wbc["MA_CHI_SO"], wbc["GIA_TRI"], wbc["DON_VI_DO"]) == ("WBC", "11.2", "G/L")
    assert wbc["NGAY_KQ"] == "202611020930"
    assert xray["KET_LUAN"] == "Hình ảnh viêm phế quản"
    first, second = course_records(inpatient_visit())
    assert first["THOI_DIEM_DBLS"] == "202611021400"
    assert first["GIAI_DOAN_BENH"] == "Khởi phát"
    assert second["STT"] == "2" and second["NGUOI_THUC_HIEN"] == DOCTOR


def test_table_files_hold_every_field_in_order_and_read_back() -> None:
    claim = build_claim(worked_visit())
    files = claim.files()
    assert list(files) == ["XML1", "XML2", "XML3", "XML4"]  # no clinical course: no XML5
    assert files["XML2"].startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    assert b"<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC><CHI_TIET_THUOC>" in files["XML2"]
    text = files["XML1"].decode("utf-8")
    positions = [text.index(f"<{name}") for name in table("XML1").names]
    assert positions == sorted(positions)
    assert "<NHOM_MAU/>" in text  # empty fields are present, empty
    for key, content in files.items():
        assert parse_table(key, content) == claim.tables[key]


def test_lines_priced_by_the_copay_engine_validate() -> None:
    """The co-payment engine's split, line by line, is what the claim carries."""
    from dataclasses import replace
    from decimal import Decimal

    from smarthis.insurance.claims.amounts import amounts_from_copay, totals_from_lines
    from smarthis.insurance.copay import ChargeLine, Visit, split_visit

    visit = worked_visit()
    charges = [
        ChargeLine(
            quantity=s.quantity, hospital_price=s.hospital_price, insurance_price=s.insurance_price
        )
        for s in visit.services
    ] + [
        ChargeLine(quantity=d.quantity, hospital_price=d.unit_price, insurance_price=d.unit_price)
        for d in visit.drugs
    ]
    split = split_visit(
        Visit(
            visit_date=visit.admitted_at.date(),
            benefit_level=4,
            category="1.1",
            inpatient=False,
            lines=tuple(charges),
        )
    )
    assert split.muc_huong == Decimal(80)
    amounts = [amounts_from_copay(line, split.muc_huong) for line in split.lines]
    services = tuple(replace(s, amounts=a) for s, a in zip(visit.services, amounts, strict=False))
    drugs = tuple(
        replace(d, amounts=a) for d, a in zip(visit.drugs, amounts[len(services) :], strict=True)
    )
    priced = replace(
        visit, services=services, drugs=drugs, totals=totals_from_lines(drugs, services)
    )
    assert build_claim(priced).issues() == []
    assert summary_record(priced)["T_TONGCHI_BV"] == str(split.totals.hospital_total)
