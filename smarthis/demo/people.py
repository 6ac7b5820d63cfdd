"""Realistic, reproducible Vietnamese people for the demo hospital.

The demo hospital is a provincial oncology-leaning hospital in Đà Nẵng: most patients live
in the city or the neighbouring provinces and are middle-aged or older. Everything comes
from one random.Random(seed), so a seed and a reference date always give the same people,
and every identifier passes the same parsers the kiosk uses.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from smarthis.catalogs.admin_units import AdminUnit, wards_in_province
from smarthis.demo.people_names import (
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    FEMALE_MIDDLE_NAMES_OLDER,
    FEMALE_MIDDLE_NAMES_YOUNGER,
    MALE_GIVEN_NAMES,
    MALE_MIDDLE_NAMES,
    STREET_NAMES,
)
from smarthis.patients.identifiers import Sex

DEFAULT_SEED = 20240611
HOME_PROVINCE = "48"  # Thành phố Đà Nẵng
# The home city draws most patients; neighbours refer theirs; a few come from far away.
PROVINCE_WEIGHTS: tuple[tuple[str, int], ...] = (
    (HOME_PROVINCE, 60),
    ("49", 20),  # Quảng Nam
    ("46", 8),  # Thừa Thiên Huế
    ("51", 7),  # Quảng Ngãi
    ("45", 3),  # Quảng Trị
    ("01", 1),  # Hà Nội
    ("79", 1),  # Hồ Chí Minh
)
# (youngest, oldest, weight): cancer patients are mostly over 40; a few children and very old.
AGE_BANDS: tuple[tuple[int, int, int], ...] = (
    (1, 5, 5),
    (6, 13, 4),
    (14, 17, 3),
    (18, 39, 15),
    (40, 59, 35),
    (60, 74, 30),
    (75, 90, 8),
)
# Children get a card only from 14; most younger ones are registered with a parent's CCCD.
CARD_AGE = 14
CHILD_WITH_OWN_NUMBER_SHARE = 0.4
Insurance = tuple[str, int] | None  # (group, benefit level) or uninsured
# (oldest age of the band, weighted plans). Group/level pairs follow the "typical groups"
# column of the shared insurance rules: plausible for a demo, not a rule to enforce.
_INSURANCE_BY_AGE: tuple[tuple[int, tuple[tuple[Insurance, int], ...]], ...] = (
    (5, ((("TE", 1), 100),)),
    (17, ((("HS", 4), 80), (("HN", 2), 6), (("CN", 3), 6), (("GD", 4), 6), (None, 2))),
    (22, ((("SV", 4), 40), (("DN", 4), 25), (("GD", 4), 20), (("HN", 2), 4), (None, 11))),
    (
        59,
        (
            (("DN", 4), 33),
            (("HC", 4), 14),
            (("GD", 4), 24),
            (("HX", 4), 3),
            (("HN", 2), 5),
            (("CN", 3), 5),
            (("DT", 2), 2),
            (None, 14),
        ),
    ),
    (
        79,
        (
            (("HT", 3), 42),
            (("GD", 4), 20),
            (("CB", 2), 10),
            (("KC", 2), 6),
            (("CC", 1), 5),
            (("HN", 2), 5),
            (("BT", 2), 5),
            (None, 7),
        ),
    ),
    (
        200,
        (
            (("HT", 3), 35),
            (("BT", 2), 30),
            (("CC", 1), 10),
            (("KC", 2), 10),
            (("CB", 2), 10),
            (None, 5),
        ),
    ),
)
MOBILE_PREFIXES: tuple[str, ...] = (
    "032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "059", "070",
    "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "089",
    "090", "091", "093", "094", "096", "097", "098",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoPerson:
    full_name: str
    sex: Sex
    date_of_birth: date
    cccd_number: str | None  # None for a child registered under a guardian
    guardian_name: str | None
    guardian_cccd_number: str | None
    bhyt_code: str | None  # 15-character card code; None when uninsured
    street: str  # house number and street, or village for rural communes
    ward_code: str
    ward_name: str
    district_name: str
    province_code: str  # 2 digits; the CCCD and BHYT codes use the same province
    province_name: str
    phone: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.ward_name}, {self.district_name}, {self.province_name}"

    def age_on(self, day: date) -> int:
        had_birthday = (day.month, day.day) >= (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - (0 if had_birthday else 1)


def generate_people(
    count: int = 200, seed: int = DEFAULT_SEED, as_of: date | None = None
) -> list[DemoPerson]:
    """`count` people aged on `as_of` (default today); same seed and date, same people."""
    generator = _PeopleGenerator(random.Random(seed), as_of or date.today())
    return [generator.person() for _ in range(count)]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


class _PeopleGenerator:
    """Holds the random source and the numbers already handed out, so none repeats."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.used: set[str] = set()

    def person(self) -> DemoPerson:
        rng = self.rng
        youngest, oldest, _ = rng.choices(AGE_BANDS, [band[2] for band in AGE_BANDS])[0]
        age = rng.randint(youngest, oldest)
        date_of_birth = self._birth_date(age)
        sex: Sex = rng.choice(("male", "female"))
        family_name = self._weighted(FAMILY_NAMES)
        province_code = self._weighted(PROVINCE_WEIGHTS)
        ward = rng.choice(wards_in_province(province_code))
        cccd_number = guardian_name = guardian_cccd = None
        if age >= CARD_AGE or rng.random() < CHILD_WITH_OWN_NUMBER_SHARE:
            cccd_number = self._cccd(province_code, sex, date_of_birth.year)
        else:
            guardian_sex: Sex = rng.choice(("male", "female"))
            guardian_year = date_of_birth.year - rng.randint(20, 40)
            # Children take the father's family name; the mother keeps her own.
            guardian_family = family_name if guardian_sex == "male" else None
            guardian_name = self._name(guardian_sex, guardian_year, guardian_family)
            guardian_cccd = self._cccd(province_code, guardian_sex, guardian_year)
        return DemoPerson(
            full_name=self._name(sex, date_of_birth.year, family_name),
            sex=sex,
            date_of_birth=date_of_birth,
            cccd_number=cccd_number,
            guardian_name=guardian_name,
            guardian_cccd_number=guardian_cccd,
            bhyt_code=self._bhyt(age, province_code),
            street=self._street(ward),
            ward_code=ward.ward_code or "",
            ward_name=ward.ward_name or "",
            district_name=ward.district_name,
            province_code=province_code,
            province_name=ward.province_name,
            phone=self._unique(lambda: rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"),
        )

    def _weighted(self, table: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([item for item, _ in table], [weight for _, weight in table])[0]

    def _birth_date(self, age: int) -> date:
        earliest = _years_before(self.as_of, age + 1) + timedelta(days=1)
        latest = _years_before(self.as_of, age)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def _name(self, sex: Sex, birth_year: int, family_name: str | None) -> str:
        family = family_name or self._weighted(FAMILY_NAMES)
        if sex == "male":
            middle = self._weighted(MALE_MIDDLE_NAMES)
            given = self.rng.choice(MALE_GIVEN_NAMES)
        else:
            older = birth_year < 1980
            middle = self._weighted(
                FEMALE_MIDDLE_NAMES_OLDER if older else FEMALE_MIDDLE_NAMES_YOUNGER
            )
            given = self.rng.choice(FEMALE_GIVEN_NAMES)
        return f"{family} {middle} {given}"

    def _cccd(self, province_code: str, sex: Sex, birth_year: int) -> str:
        # Century/sex digit: 0/1 for 1900s men/women, 2/3 for 2000s, and so on.
        century_digit = (birth_year // 100 - 19) * 2 + (1 if sex == "female" else 0)
        prefix = f"0{province_code}{century_digit}{birth_year % 100:02d}"
        return self._unique(lambda: prefix + f"{self.rng.randrange(10**6):06d}")

    def _bhyt(self, age: int, province_code: str) -> str | None:
        table = next(plans for oldest, plans in _INSURANCE_BY_AGE if age <= oldest)
        plan = self.rng.choices([item for item, _ in table], [weight for _, weight in table])[0]
        if plan is None:
            return None
        group, level = plan
        # The social-insurance number starts with the province that first issued it.
        bhxh = self._unique(lambda: province_code + f"{self.rng.randrange(10**8):08d}")
        return f"{group}{level}{province_code}{bhxh}"

    def _street(self, ward: AdminUnit) -> str:
        rng = self.rng
        if ward.ward_level == "Xã":
            return f"Thôn {rng.randint(1, 12)}"
        street = rng.choice(STREET_NAMES)
        if rng.random() < 0.3:  # alleys ("kiệt") are how most central-Vietnam homes are reached
            return f"K{rng.randint(10, 400)}/{rng.randint(1, 60)} {street}"
        return f"{rng.randint(1, 350)} {street}"

    def _unique(self, draw: Callable[[], str]) -> str:
        while True:
            value = draw()
            if value not in self.used:
                self.used.add(value)
                return value
