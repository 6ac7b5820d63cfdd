import json
import unicodedata
from collections.abc import Callable
from datetime import date

import pytest

from smarthis.errors import DomainError
from smarthis.patients.identifiers import (
    BENEFICIARY_GROUPS,
    BENEFIT_LEVELS,
    BhytCard,
    CccdCard,
    CccdInfo,
    check_cccd_consistency,
    identify,
    parse_bhyt,
    parse_cccd,
    parse_cccd_qr,
    parse_chip_reader,
    parse_vneid,
)

TODAY = date(2025, 6, 1)
QR = "001089012345|123456789|Nguyễn Văn An|01011989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021"


def error_of(call: Callable[..., object], *args: object, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.message_vi and caught.value.message_en
    return caught.value


def chip_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "id_card": "079303001234",
        "full_name": "Trần Thị Bích Ngọc",
        "date_of_birth": "14/02/2003",
        "gender": "Nữ",
        "nationality": "Việt Nam",
        "race": "Kinh",
        "religion": "Không",
        "place_of_origin": "Phường 1, Quận 3, TP. Hồ Chí Minh",
        "place_of_residence": "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        "date_of_issue": "10/05/2021",
        "date_of_expiry": "14/02/2028",
        "father_name": "Trần Văn Hùng",
        "mother_name": "Lê Thị Hoa",
        "old_id_card": "",
    }
    payload.update(overrides)
    return payload


# --- CCCD number ------------------------------------------------------------------------


def test_parse_cccd_decodes_province_sex_and_birth_year() -> None:
    info = parse_cccd("001089012345", today=TODAY)
    assert info == CccdInfo(
        number="001089012345",
        province_code="001",
        province_name="Thành phố Hà Nội",
        sex="male",
        century=20,
        birth_year=1989,
        serial="012345",
    )


@pytest.mark.parametrize(
    ("digit", "sex", "birth_year"),
    [
        ("0", "male", 1903),
        ("1", "female", 1903),
        ("2", "male", 2003),
        ("3", "female", 2003),
        ("4", "male", 2103),
        ("5", "female", 2103),
        ("6", "male", 2203),
        ("7", "female", 2203),
        ("8", "male", 2303),
        ("9", "female", 2303),
    ],
)
def test_century_and_sex_digit(digit: str, sex: str, birth_year: int) -> None:
    far_future = date(2400, 1, 1)
    info = parse_cccd(f"079{digit}03001234", today=far_future)
    assert (info.sex, info.birth_year, info.century) == (sex, birth_year, birth_year // 100 + 1)


def test_parse_cccd_accepts_grouped_digits_and_hcmc() -> None:
    info = parse_cccd("\ufeff 079 303 001234 \r\n", today=TODAY)
    assert info.number == "079303001234"
    assert info.province_name == "Thành phố Hồ Chí Minh"
    assert (info.sex, info.birth_year) == ("female", 2003)


@pytest.mark.parametrize("number", ["00108901234", "0010890123456", "00108901234X", "", "００１"])
def test_parse_cccd_rejects_bad_format(number: str) -> None:
    error = error_of(parse_cccd, number, today=TODAY)
    assert (error.code, error.field) == ("cccd_format", "number")


def test_parse_cccd_format_message_says_what_is_wrong() -> None:
    assert "12" in error_of(parse_cccd, "0010890123", today=TODAY).message_vi
    assert "chữ số" in error_of(parse_cccd, "00108901234a", today=TODAY).message_vi


@pytest.mark.parametrize("number", ["099089012345", "003089012345", "101089012345"])
def test_parse_cccd_rejects_unknown_province(number: str) -> None:
    error = error_of(parse_cccd, number, today=TODAY)
    assert (error.code, error.field) == ("cccd_province", "number")
    assert number[:3] in error.message_vi


def test_parse_cccd_rejects_birth_year_in_the_future() -> None:
    error = error_of(parse_cccd, "001230012345", today=TODAY)  # 2030
    assert (error.code, error.field) == ("cccd_birth_year", "number")
    assert parse_cccd("001225012345", today=TODAY).birth_year == 2025  # this year is fine


def test_consistency_accepts_matching_birth_date_and_sex() -> None:
    info = parse_cccd("001089012345", today=TODAY)
    check_cccd_consistency(info, date(1989, 3, 4), "male")
    check_cccd_consistency(info, date(1989, 3, 4), "Nam")
    check_cccd_consistency(info, None, None)


def test_consistency_rejects_other_birth_year() -> None:
    info = parse_cccd("001089012345", today=TODAY)
    error = error_of(check_cccd_consistency, info, date(1988, 12, 31), None)
    assert (error.code, error.field) == ("cccd_birth_year_mismatch", "date_of_birth")


def test_consistency_rejects_other_sex() -> None:
    info = parse_cccd("001089012345", today=TODAY)
    error = error_of(check_cccd_consistency, info, None, "female")
    assert (error.code, error.field) == ("cccd_sex_mismatch", "sex")


def test_consistency_rejects_unknown_sex_word() -> None:
    info = parse_cccd("001089012345", today=TODAY)
    assert error_of(check_cccd_consistency, info, None, "x").code == "cccd_sex"


def test_cccd_info_as_dict_is_json_ready() -> None:
    data = json.loads(parse_cccd("048190000001", today=TODAY).to_json())
    assert data["province_code"] == "048"
    assert data["province_name"] == "Thành phố Đà Nẵng"
    assert (data["sex"], data["birth_year"]) == ("female", 1990)


# --- CCCD QR text -----------------------------------------------------------------------


def test_parse_qr_reads_every_field() -> None:
    card = parse_cccd_qr(QR, today=TODAY)
    assert isinstance(card, CccdCard)
    assert card.number == "001089012345"
    assert card.old_id_number == "123456789"
    assert card.full_name == "Nguyễn Văn An"
    assert card.date_of_birth == date(1989, 1, 1)
    assert card.sex == "male"
    assert card.address == "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội"
    assert card.issue_date == date(2021, 8, 15)
    assert card.info.province_name == "Thành phố Hà Nội"
    data = card.as_dict()
    assert data["name"] == "Nguyễn Văn An"
    assert data["date_of_birth"] == "1989-01-01"
    assert data["issue_date"] == "2021-08-15"
    assert data["old_id_number"] == "123456789"
    assert data["birth_year"] == 1989
    assert json.loads(card.to_json()) == data


def test_parse_qr_tolerates_bom_crlf_spaces_and_six_fields() -> None:
    six_fields = QR.rsplit("|", 1)[0]
    card = parse_cccd_qr("\ufeff  " + six_fields + "\r\n", today=TODAY)
    assert card.issue_date is None
    assert card.number == "001089012345"


def test_parse_qr_empty_old_id_becomes_none() -> None:
    card = parse_cccd_qr(QR.replace("|123456789|", "||"), today=TODAY)
    assert card.old_id_number is None


def test_parse_qr_normalises_name_to_nfc_single_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn   An")
    card = parse_cccd_qr(QR.replace("Nguyễn Văn An", decomposed), today=TODAY)
    assert card.full_name == "Nguyễn Văn An"
    assert card.full_name == unicodedata.normalize("NFC", card.full_name)


def test_parse_qr_reads_female_card() -> None:
    text = "079303001234||Trần Thị Bích Ngọc|14022003|Nữ|12 Lê Lợi, Quận 1|10052021"
    card = parse_cccd_qr(text, today=TODAY)
    assert (card.sex, card.info.sex, card.date_of_birth) == ("female", "female", date(2003, 2, 14))


@pytest.mark.parametrize("text", [QR + "|extra", "001089012345|123|Nguyễn Văn An|01011989|Nam"])
def test_parse_qr_rejects_wrong_field_count(text: str) -> None:
    error = error_of(parse_cccd_qr, text, today=TODAY)
    assert (error.code, error.field) == ("cccd_qr_fields", "qr")


def test_parse_qr_rejects_impossible_date() -> None:
    error = error_of(parse_cccd_qr, QR.replace("01011989", "31021989"), today=TODAY)
    assert (error.code, error.field) == ("cccd_date_invalid", "date_of_birth")


def test_parse_qr_rejects_unreadable_date() -> None:
    error = error_of(parse_cccd_qr, QR.replace("15082021", "15-08-21"), today=TODAY)
    assert (error.code, error.field) == ("cccd_date_format", "issue_date")


def test_parse_qr_rejects_issue_date_in_the_future() -> None:
    error = error_of(parse_cccd_qr, QR.replace("15082021", "15082026"), today=TODAY)
    assert (error.code, error.field) == ("cccd_date_future", "issue_date")


def test_parse_qr_rejects_issue_before_birth() -> None:
    error = error_of(parse_cccd_qr, QR.replace("15082021", "15081988"), today=TODAY)
    assert (error.code, error.field) == ("cccd_issue_date_before_birth", "issue_date")


def test_parse_qr_rejects_unknown_sex_word() -> None:
    error = error_of(parse_cccd_qr, QR.replace("|Nam|", "|Khác|"), today=TODAY)
    assert (error.code, error.field) == ("cccd_sex", "sex")


def test_parse_qr_rejects_sex_that_contradicts_the_number() -> None:
    error = error_of(parse_cccd_qr, QR.replace("|Nam|", "|Nữ|"), today=TODAY)
    assert (error.code, error.field) == ("cccd_sex_mismatch", "sex")


def test_parse_qr_rejects_birth_year_that_contradicts_the_number() -> None:
    error = error_of(parse_cccd_qr, QR.replace("01011989", "01011990"), today=TODAY)
    assert (error.code, error.field) == ("cccd_birth_year_mismatch", "date_of_birth")


def test_parse_qr_rejects_bad_number() -> None:
    error = error_of(parse_cccd_qr, QR.replace("001089012345", "099089012345"), today=TODAY)
    assert (error.code, error.field) == ("cccd_province", "number")


def test_parse_qr_rejects_bad_old_id_number() -> None:
    error = error_of(parse_cccd_qr, QR.replace("|123456789|", "|12345|"), today=TODAY)
    assert (error.code, error.field) == ("cccd_old_id_number", "old_id_number")


def test_parse_qr_rejects_empty_name() -> None:
    error = error_of(parse_cccd_qr, QR.replace("Nguyễn Văn An", "  "), today=TODAY)
    assert (error.code, error.field) == ("cccd_full_name", "full_name")


# --- chip reader JSON -------------------------------------------------------------------


def test_parse_chip_reader_reads_every_field() -> None:
    card = parse_chip_reader(chip_payload(), today=TODAY)
    assert card.source == "chip"
    assert card.number == "079303001234"
    assert card.full_name == "Trần Thị Bích Ngọc"
    assert card.date_of_birth == date(2003, 2, 14)
    assert card.sex == "female"
    assert card.address == "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
    assert card.issue_date == date(2021, 5, 10)
    assert card.date_of_expiry == date(2028, 2, 14)
    assert card.expired is False
    assert (card.nationality, card.ethnicity, card.religion) == ("Việt Nam", "Kinh", "Không")
    assert card.place_of_origin == "Phường 1, Quận 3, TP. Hồ Chí Minh"
    assert (card.father_name, card.mother_name) == ("Trần Văn Hùng", "Lê Thị Hoa")
    assert card.old_id_number is None
    data = card.as_dict()
    assert data["name"] == "Trần Thị Bích Ngọc"
    assert data["date_of_expiry"] == "2028-02-14"
    assert data["province_name"] == "Thành phố Hồ Chí Minh"
    json.dumps(data)


@pytest.mark.parametrize("birth", ["14/02/2003", "14022003", "2003-02-14", "14/2/2003"])
def test_parse_chip_reader_accepts_date_shapes(birth: str) -> None:
    card = parse_chip_reader(chip_payload(date_of_birth=birth), today=TODAY)
    assert card.date_of_birth == date(2003, 2, 14)


@pytest.mark.parametrize("gender", ["Nữ", "NỮ", "nu", "Nu", "female", "FEMALE"])
def test_parse_chip_reader_accepts_gender_words(gender: str) -> None:
    assert parse_chip_reader(chip_payload(gender=gender), today=TODAY).sex == "female"


def test_parse_chip_reader_flags_an_expired_card_without_refusing_it() -> None:
    card = parse_chip_reader(chip_payload(date_of_expiry="14/02/2025"), today=TODAY)
    assert card.expired is True
    assert card.as_dict()["expired"] is True


def test_parse_chip_reader_accepts_cards_valid_for_life() -> None:
    payload = chip_payload(
        id_card="001060012345",
        date_of_birth="01/01/1960",
        gender="Nam",
        date_of_expiry="Không thời hạn",
    )
    card = parse_chip_reader(payload, today=TODAY)
    assert (card.date_of_expiry, card.expired) == (None, False)


def test_parse_chip_reader_keeps_old_id_number() -> None:
    card = parse_chip_reader(chip_payload(old_id_card="025123456"), today=TODAY)
    assert card.old_id_number == "025123456"


def test_parse_chip_reader_rejects_missing_required_field() -> None:
    payload = chip_payload()
    del payload["date_of_birth"]
    error = error_of(parse_chip_reader, payload, today=TODAY)
    assert (error.code, error.field) == ("chip_missing_field", "date_of_birth")
    error = error_of(parse_chip_reader, chip_payload(full_name=" "), today=TODAY)
    assert (error.code, error.field) == ("chip_missing_field", "full_name")


def test_parse_chip_reader_rejects_number_sent_as_json_number() -> None:
    error = error_of(parse_chip_reader, chip_payload(id_card=79303001234), today=TODAY)
    assert (error.code, error.field) == ("chip_field_type", "id_card")


def test_parse_chip_reader_rejects_a_payload_that_is_not_an_object() -> None:
    error = error_of(parse_chip_reader, ["079303001234"], today=TODAY)
    assert error.code == "chip_payload"


def test_parse_chip_reader_names_the_reader_keys_in_errors() -> None:
    error = error_of(parse_chip_reader, chip_payload(id_card="07930300123"), today=TODAY)
    assert (error.code, error.field) == ("cccd_format", "id_card")
    error = error_of(parse_chip_reader, chip_payload(gender="Nam"), today=TODAY)
    assert (error.code, error.field) == ("cccd_sex_mismatch", "gender")
    error = error_of(parse_chip_reader, chip_payload(gender="?"), today=TODAY)
    assert (error.code, error.field) == ("cccd_sex", "gender")
    error = error_of(parse_chip_reader, chip_payload(date_of_expiry="30/02/2028"), today=TODAY)
    assert (error.code, error.field) == ("cccd_date_invalid", "date_of_expiry")
    error = error_of(parse_chip_reader, chip_payload(date_of_birth="14/02/2004"), today=TODAY)
    assert (error.code, error.field) == ("cccd_birth_year_mismatch", "date_of_birth")


def test_parse_chip_reader_rejects_birth_date_later_this_year() -> None:
    payload = chip_payload(id_card="079325001234", date_of_birth="01/12/2025")
    payload.update(date_of_issue="", date_of_expiry="")
    error = error_of(parse_chip_reader, payload, today=TODAY)
    assert (error.code, error.field) == ("cccd_date_future", "date_of_birth")


# --- VNeID ------------------------------------------------------------------------------


def test_parse_vneid_keeps_the_level2_flag() -> None:
    identity = parse_vneid("079303001234", True, today=TODAY)
    assert identity.level2_verified is True
    assert identity.number == "079303001234"
    assert identity.info.birth_year == 2003
    assert identity.as_dict()["level2_verified"] is True
    assert parse_vneid("079303001234", False, today=TODAY).level2_verified is False


def test_parse_vneid_applies_cccd_rules() -> None:
    assert error_of(parse_vneid, "12345", True, today=TODAY).code == "cccd_format"
    assert error_of(parse_vneid, "099303001234", True, today=TODAY).code == "cccd_province"


# --- BHYT -------------------------------------------------------------------------------


def test_parse_bhyt_full_code() -> None:
    card = parse_bhyt("DN4010123456789")
    assert card == BhytCard(
        code="DN4010123456789",
        group="DN",
        benefit_level=4,
        province_code="01",
        bhxh_number="0123456789",
    )
    data = card.as_dict()
    assert data["coverage_percent"] == 80
    assert data["province_name"] == "Thành phố Hà Nội"
    assert data["group_name"] == "Người lao động trong doanh nghiệp"
    assert {
        "code",
        "group",
        "benefit_level",
        "coverage_percent",
        "province_code",
        "bhxh_number",
    } <= (data.keys())


@pytest.mark.parametrize(
    "typed",
    ["dn4010123456789", "  DN4 01 0123456789 ", "DN-4-01-0123456789", "dn 4-01 01234 56789"],
)
def test_parse_bhyt_accepts_the_way_people_type(typed: str) -> None:
    assert parse_bhyt(typed).code == "DN4010123456789"


def test_parse_bhyt_bare_social_insurance_number() -> None:
    card = parse_bhyt(" 0123456789 ")
    assert card == BhytCard(bhxh_number="0123456789")
    data = card.as_dict()
    assert data["code"] is None
    assert data["benefit_level"] is None and data["coverage_percent"] is None


@pytest.mark.parametrize(("level", "percent"), [(1, 100), (2, 100), (3, 95), (4, 80), (5, 100)])
def test_benefit_levels(level: int, percent: int) -> None:
    card = parse_bhyt(f"HT{level}480123456789")
    assert card.benefit_level == level
    assert card.coverage_percent == percent
    assert BENEFIT_LEVELS[level].percent == percent
    assert card.as_dict()["coverage"] == BENEFIT_LEVELS[level].description_vi


def test_benefit_level_descriptions() -> None:
    percent, description_vi, description_en = BENEFIT_LEVELS[5]
    assert percent == 100
    assert "ngoài phạm vi" in description_vi
    assert "outside the benefit list" in description_en


def test_armed_forces_offices_are_accepted() -> None:
    card = parse_bhyt("QN5970123456789")
    assert card.province_code == "97"
    assert card.as_dict()["province_name"] == "Bảo hiểm xã hội Bộ Quốc phòng"


def test_every_listed_group_is_accepted() -> None:
    assert {"DN", "HT", "TE", "CC", "QN", "GD", "HS", "SV", "CN", "HN"} <= BENEFICIARY_GROUPS.keys()
    for group in BENEFICIARY_GROUPS:
        assert parse_bhyt(f"{group}4790123456789").group == group


@pytest.mark.parametrize("code", ["DN401012345678", "DN40101234567890", "DN4", "DN40112345"])
def test_parse_bhyt_rejects_wrong_length(code: str) -> None:
    error = error_of(parse_bhyt, code)
    assert (error.code, error.field) == ("bhyt_length", "code")


@pytest.mark.parametrize("code", ["D14010123456789", "124010123456789", "Đ N4010123456789"])
def test_parse_bhyt_rejects_group_that_is_not_two_letters(code: str) -> None:
    error = error_of(parse_bhyt, code)
    assert (error.code, error.field) == ("bhyt_group", "code")


def test_parse_bhyt_rejects_unknown_group() -> None:
    error = error_of(parse_bhyt, "ZZ4010123456789")
    assert (error.code, error.field) == ("bhyt_group_unknown", "code")


@pytest.mark.parametrize("code", ["DN0010123456789", "DN6010123456789", "DNX010123456789"])
def test_parse_bhyt_rejects_benefit_level(code: str) -> None:
    assert error_of(parse_bhyt, code).code == "bhyt_benefit_level"


@pytest.mark.parametrize("code", ["DN4990123456789", "DN4000123456789", "DN4X10123456789"])
def test_parse_bhyt_rejects_province(code: str) -> None:
    assert error_of(parse_bhyt, code).code == "bhyt_province"


@pytest.mark.parametrize("code", ["DN401012345678X", "012345678O", "DN401O123456789"])
def test_parse_bhyt_rejects_bhxh_number(code: str) -> None:
    assert error_of(parse_bhyt, code).code == "bhyt_bhxh_number"


# --- identify ---------------------------------------------------------------------------


def test_identify_tells_documents_apart() -> None:
    assert isinstance(identify(QR + "\r\n", today=TODAY), CccdCard)
    assert isinstance(identify("001089012345", today=TODAY), CccdInfo)
    assert isinstance(identify("dn4010123456789", today=TODAY), BhytCard)
    assert identify("0123456789", today=TODAY) == BhytCard(bhxh_number="0123456789")


def test_identify_passes_on_the_specific_error() -> None:
    assert error_of(identify, "ZZ4010123456789", today=TODAY).code == "bhyt_group_unknown"
    assert error_of(identify, "001|x", today=TODAY).code == "cccd_qr_fields"


def test_identify_rejects_empty_and_unrecognised_text() -> None:
    error = error_of(identify, " \ufeff\r\n", today=TODAY)
    assert (error.code, error.field) == ("identifier_empty", "text")
    assert error_of(identify, "025123456", today=TODAY).code == "identifier_unrecognised"
    assert error_of(identify, "#123", today=TODAY).code == "identifier_unrecognised"
