"""A million Vietnamese people in a minute: the demo generator's distributions (name parts,
ages, provinces, insurance plans by age, phone prefixes), drawn in bulk.

`smarthis.demo.people` draws one field at a time and redraws every number until it is new
(about 100 µs a person, half an hour for a million on a busy machine). Here each field of
a whole chunk comes from one `random.choices(k=n)` call, and document numbers are unique
by construction: a per-prefix counter through a fixed permutation of the digits, so they
look scattered, never repeat, and the database can grow chunk after chunk.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from itertools import accumulate

from smarthis.catalogs.admin_units import AdminUnit, wards_in_province
from smarthis.demo import people as demo
from smarthis.demo.people import DemoPerson
from smarthis.demo.people_names import (
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    FEMALE_MIDDLE_NAMES_OLDER,
    FEMALE_MIDDLE_NAMES_YOUNGER,
    MALE_GIVEN_NAMES,
    MALE_MIDDLE_NAMES,
    STREET_NAMES,
)

# Multipliers coprime with 10: k -> (k * M + offset) mod 10^d is a permutation of d digits.
_SCATTER = 7_919
_OFFSET = 271_828


def _cum(table: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [item for item, _ in table], list(accumulate(weight for _, weight in table))


class FastPeople:
    """Draws people chunk by chunk; one instance per run so no number repeats."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.issued: Counter[str] = Counter()  # numbers handed out per prefix
        self.family = _cum(FAMILY_NAMES)
        self.male_middle = _cum(MALE_MIDDLE_NAMES)
        self.female_middle_older = _cum(FEMALE_MIDDLE_NAMES_OLDER)
        self.female_middle_younger = _cum(FEMALE_MIDDLE_NAMES_YOUNGER)
        self.provinces = _cum(demo.PROVINCE_WEIGHTS)
        self.wards = {code: wards_in_province(code) for code in self.provinces[0]}
        self.bands = [band for band in demo.AGE_BANDS]
        self.band_weights = list(accumulate(band[2] for band in demo.AGE_BANDS))
        self.plans = [
            (oldest, [plan for plan, _ in plans], list(accumulate(w for _, w in plans)))
            for oldest, plans in demo._INSURANCE_BY_AGE
        ]

    def people(self, count: int) -> list[DemoPerson]:
        rng = self.rng
        bands = rng.choices(self.bands, cum_weights=self.band_weights, k=count)
        provinces = rng.choices(self.provinces[0], cum_weights=self.provinces[1], k=count)
        families = rng.choices(self.family[0], cum_weights=self.family[1], k=count)
        return [
            self._person(band, province, family)
            for band, province, family in zip(bands, provinces, families, strict=True)
        ]

    def _person(self, band: tuple[int, int, int], province: str, family: str) -> DemoPerson:
        rng = self.rng
        age = rng.randint(band[0], band[1])
        birth = self.as_of - timedelta(days=age * 365 + rng.randrange(365))
        sex = "male" if rng.random() < 0.5 else "female"
        ward = rng.choice(self.wards[province])
        cccd = guardian_name = guardian_cccd = None
        if age >= demo.CARD_AGE or rng.random() < demo.CHILD_WITH_OWN_NUMBER_SHARE:
            cccd = self._cccd(province, sex, birth.year)
        else:
            guardian_sex = "male" if rng.random() < 0.5 else "female"
            guardian_year = birth.year - rng.randint(20, 40)
            guardian_family = family if guardian_sex == "male" else self._pick(self.family)
            guardian_name = self._name(guardian_sex, guardian_year, guardian_family)
            guardian_cccd = self._cccd(province, guardian_sex, guardian_year)
        return DemoPerson(
            full_name=self._name(sex, birth.year, family),
            sex=sex,  # type: ignore[arg-type]
            date_of_birth=birth,
            cccd_number=cccd,
            guardian_name=guardian_name,
            guardian_cccd_number=guardian_cccd,
            bhyt_code=self._bhyt(age, province),
            street=self._street(ward),
            ward_code=ward.ward_code or "",
            ward_name=ward.ward_name or "",
            district_name=ward.district_name,
            province_code=province,
            province_name=ward.province_name,
            phone=rng.choice(demo.MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}",
        )

    def _pick(self, table: tuple[list[str], list[int]]) -> str:
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def _name(self, sex: str, birth_year: int, family: str) -> str:
        if sex == "male":
            middle = self._pick(self.male_middle)
            given = self.rng.choice(MALE_GIVEN_NAMES)
        else:
            older = birth_year < 1980
            middle = self._pick(self.female_middle_older if older else self.female_middle_younger)
            given = self.rng.choice(FEMALE_GIVEN_NAMES)
        return f"{family} {middle} {given}"

    def _unique(self, prefix: str, digits: int) -> str:
        count = self.issued[prefix]
        if count >= 10**digits:
            raise RuntimeError(f"no number left under prefix {prefix}")
        self.issued[prefix] = count + 1
        return f"{prefix}{(count * _SCATTER + _OFFSET) % 10**digits:0{digits}d}"

    def _cccd(self, province: str, sex: str, birth_year: int) -> str:
        # Century/sex digit as on the card: 0/1 for 1900s men/women, 2/3 for 2000s.
        century = (birth_year // 100 - 19) * 2 + (1 if sex == "female" else 0)
        return self._unique(f"0{province}{century}{birth_year % 100:02d}", 6)

    def _bhyt(self, age: int, province: str) -> str | None:
        _oldest, plans, weights = next(p for p in self.plans if age <= p[0])
        plan = self.rng.choices(plans, cum_weights=weights)[0]
        if plan is None:
            return None
        group, level = plan
        # The social-insurance number starts with the province that first issued it.
        return f"{group}{level}{province}{self._unique(province, 8)}"

    def _street(self, ward: AdminUnit) -> str:
        rng = self.rng
        if ward.ward_level == "Xã":
            return f"Thôn {rng.randint(1, 12)}"
        street = rng.choice(STREET_NAMES)
        if rng.random() < 0.3:
            return f"K{rng.randint(10, 400)}/{rng.randint(1, 60)} {street}"
        return f"{rng.randint(1, 350)} {street}"
