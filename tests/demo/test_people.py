from collections import Counter
from datetime import date

import pytest

from smarthis.catalogs.admin_units import provinces, wards_in_province
from smarthis.demo.people import HOME_PROVINCE, DemoPerson, generate_people
from smarthis.demo.people_names import FAMILY_NAMES
from smarthis.patients.identifiers import check_cccd_consistency, parse_bhyt, parse_cccd

AS_OF = date(2026, 1, 1)


@pytest.fixture(scope="module")
def people() -> list[DemoPerson]:
    return generate_people(as_of=AS_OF)


def test_two_hundred_people_by_default_and_reproducible(people: list[DemoPerson]) -> None:
    assert len(people) == 200
    assert generate_people(as_of=AS_OF) == people
    assert generate_people(seed=7, as_of=AS_OF) != people
    assert len(generate_people(count=5, as_of=AS_OF)) == 5


def test_every_cccd_passes_the_parser_and_matches_the_person(people: list[DemoPerson]) -> None:
    for person in people:
        if person.cccd_number is None:
            continue
        info = parse_cccd(person.cccd_number, today=AS_OF)
        check_cccd_consistency(info, person.date_of_birth, person.sex)
        assert info.province_code == "0" + person.province_code


def test_children_without_a_number_have_an_adult_guardian(people: list[DemoPerson]) -> None:
    without = [person for person in people if person.cccd_number is None]
    assert without, "some young children should be registered under a guardian"
    for child in without:
        assert child.age_on(AS_OF) < 14
        assert child.guardian_name and child.guardian_cccd_number
        guardian = parse_cccd(child.guardian_cccd_number, today=AS_OF)
        assert 20 <= child.date_of_birth.year - guardian.birth_year <= 40
    assert all(person.cccd_number for person in people if person.age_on(AS_OF) >= 14)


def test_every_bhyt_code_passes_the_parser(people: list[DemoPerson]) -> None:
    insured = [person for person in people if person.bhyt_code is not None]
    assert 150 < len(insured) < 200, "most, not all, people are insured"
    for person in insured:
        assert person.bhyt_code is not None
        card = parse_bhyt(person.bhyt_code)
        assert card.province_code == person.province_code
        assert card.bhxh_number[:2] == person.province_code
        if person.age_on(AS_OF) < 6:
            assert (card.group, card.benefit_level) == ("TE", 1)


def test_identifiers_are_unique(people: list[DemoPerson]) -> None:
    numbers = [person.cccd_number for person in people if person.cccd_number]
    numbers += [person.guardian_cccd_number for person in people if person.guardian_cccd_number]
    assert len(numbers) == len(set(numbers))
    codes = [person.bhyt_code[5:] for person in people if person.bhyt_code]
    assert len(codes) == len(set(codes))
    phones = [person.phone for person in people]
    assert len(phones) == len(set(phones))


def test_ages_lean_old_with_a_few_children_and_very_old(people: list[DemoPerson]) -> None:
    ages = [person.age_on(AS_OF) for person in people]
    assert min(ages) >= 1 and max(ages) <= 90
    assert sum(age < 6 for age in ages) >= 3
    assert sum(age > 75 for age in ages) >= 3
    assert sum(age >= 40 for age in ages) > len(ages) * 0.6


def test_names_look_vietnamese(people: list[DemoPerson]) -> None:
    family_names = {name for name, _ in FAMILY_NAMES}
    for person in people:
        parts = person.full_name.split(" ")
        assert len(parts) == 3
        assert parts[0] in family_names
    surnames = Counter(person.full_name.split(" ")[0] for person in people)
    assert surnames.most_common(1)[0][0] == "Nguyễn"
    assert any(" Thị " in p.full_name for p in people if p.sex == "female")
    assert not any(" Thị " in p.full_name for p in people if p.sex == "male")
    assert not any(" Văn " in p.full_name for p in people if p.sex == "female")


def test_addresses_come_from_the_catalogue_around_the_home_province(
    people: list[DemoPerson],
) -> None:
    names = provinces()
    for person in people:
        ward_codes = {unit.ward_code for unit in wards_in_province(person.province_code)}
        assert person.ward_code in ward_codes
        assert person.province_name == names[person.province_code]
        assert person.address.endswith(f", {person.district_name}, {person.province_name}")
        assert person.street
    home = sum(person.province_code == HOME_PROVINCE for person in people)
    assert home > len(people) / 2


def test_phone_numbers_are_vietnamese_mobiles(people: list[DemoPerson]) -> None:
    for person in people:
        assert len(person.phone) == 10 and person.phone.isdigit()
        assert person.phone[:2] in {"03", "05", "07", "08", "09"}


def test_people_aged_today_pass_the_parsers_with_their_default_date() -> None:
    for person in generate_people(count=50):
        if person.cccd_number:
            parse_cccd(person.cccd_number)
        if person.bhyt_code:
            parse_bhyt(person.bhyt_code)
