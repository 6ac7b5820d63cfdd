"""Rows for the data volume bench: patients with their identifiers, visits, lab orders,
specimens, order items and lab results, generated in chunks as plain tuples.

The rows follow the columns' meaning (MRN = year + sequence, visit and accession numbers
= hospital day + sequence, results flagged against the patient's own reference range,
items verified only when their results are), so the queries meet the shapes they meet in
a hospital; they are written with COPY or executemany by `bench.volume_load`.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench.volume_people import FastPeople
from smarthis.catalogs.lab import (
    LabAnalyte,
    NoReferenceRange,
    ReferenceRange,
    lab_analytes,
    reference_range,
)
from smarthis.catalogs.service_catalog import HospitalService, services_of_kind
from smarthis.demo.people import DemoPerson
from smarthis.orders.service import DEFAULT_SPECIMEN_TYPE, SPECIMEN_TYPES_BY_PANEL
from smarthis.text import fold

FACILITY = "48001"
HOSPITAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PEOPLE_SEED = 7_700_021
HISTORY_DAYS = 5 * 365  # visits spread over the last five years
SECOND_VISIT_SHARE = 0.4
LAB_ORDER_SHARE = 0.35  # visits with a lab order
UNVERIFIED_SHARE = 0.08  # items resulted but not yet verified by a second person
DOCTORS = ("bs.nam", "bs.hanh", "bs.tuan", "bs.lan")
LAB_STAFF = ("ktv.mai", "ktv.duc")
LAB_VERIFIERS = ("bs.xn.thao", "bs.xn.long")
QUALITATIVE_VALUE = "Âm tính"  # analytes without a numeric range (urine strip)

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "patients": (
        "id", "facility_code", "mrn", "full_name", "name_folded", "date_of_birth",
        "birth_year", "sex", "nationality", "address", "ward_code", "province_code", "phone",
        "bhyt_code", "vneid_level2", "guardian_cccd", "guardian_name", "is_temporary",
        "version", "created_at", "updated_at",
    ),
    "patient_identifiers": ("id", "facility_code", "patient_id", "kind", "value", "created_at"),
    "visits": (
        "id", "facility_code", "visit_number", "patient_id", "registered_at", "registered_by",
        "registered_via", "arrival_mode", "status", "uses_insurance", "bhyt_code",
        "card_check_status", "card_checked_at", "card_check_attempts",
    ),
    "orders": ("id", "facility_code", "visit_id", "patient_id", "ordered_by", "ordered_at"),
    "specimens": (
        "id", "facility_code", "accession_number", "order_id", "patient_id", "specimen_type",
        "collected_at", "collected_by",
    ),
    "order_items": (
        "id", "facility_code", "order_id", "service_code", "service_name", "kind",
        "point_kind", "status", "specimen_id", "hospital_price_vnd", "insurance_price_vnd",
        "status_changed_at",
    ),
    "lab_results": (
        "id", "facility_code", "order_item_id", "patient_id", "analyte_code", "value_text",
        "value_numeric", "unit", "range_text", "flag", "version", "entered_by", "entered_at",
        "verified_by", "verified_at",
    ),
}  # fmt: skip
TABLES = tuple(TABLE_COLUMNS)  # in foreign-key order
Row = tuple[object, ...]


@dataclass
class Sequences:
    """Keys and per-scope numbers handed out so far; the database counters get the same
    values after each load so the app's next MRN, visit or accession number follows on."""

    next_id: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 1))
    counters: Counter[str] = field(default_factory=Counter)

    def take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def number(self, scope: str) -> int:
        self.counters[scope] += 1
        return self.counters[scope]


@dataclass(frozen=True)
class LabService:
    service: HospitalService
    specimen_type: str
    analytes: tuple[LabAnalyte, ...]


@functools.lru_cache(maxsize=1)
def lab_services() -> tuple[LabService, ...]:
    analytes = lab_analytes()
    return tuple(
        LabService(
            service=s,
            specimen_type=SPECIMEN_TYPES_BY_PANEL.get(s.lab_panel or "", DEFAULT_SPECIMEN_TYPE),
            analytes=tuple(analytes[code] for code in s.analytes),
        )
        for s in services_of_kind("lab")
        if s.analytes
    )


@functools.lru_cache(maxsize=20_000)
def _range_for(code: str, sex: str | None, age_years: int) -> ReferenceRange | None:
    try:
        return reference_range(code, sex, age_years)
    except NoReferenceRange:
        return None


def _decimals(text: str | None) -> int:
    return len(text.split(".", 1)[1]) if text and "." in text else 0


def _lab_value(
    rng: random.Random, analyte: LabAnalyte, sex: str, age_years: int
) -> tuple[str, float | None, str | None, str]:
    """(value as entered, numeric value, range shown, flag), judged as the service would:
    most values inside the patient's range, about one in ten outside it."""
    reference = _range_for(analyte.code, sex, age_years)
    if reference is None or (reference.low is None and reference.high is None):
        return QUALITATIVE_VALUE, None, None, "none"
    low, high = reference.low, reference.high
    if low is not None and high is not None:
        value = rng.gauss((low + high) / 2, (high - low) / 3.3)
    elif high is not None:
        value = rng.uniform(0, high * 1.2)
    else:
        value = rng.uniform(low * 0.8, low * 2)
    value = max(value, 0.0)
    digits = max(_decimals(reference.low_text), _decimals(reference.high_text))
    text = f"{value:.{digits}f}"
    value = float(text)
    if reference.critical_low is not None and value < reference.critical_low:
        flag = "critical_low"
    elif reference.critical_high is not None and value > reference.critical_high:
        flag = "critical_high"
    elif low is not None and value < low:
        flag = "low"
    elif high is not None and value > high:
        flag = "high"
    else:
        flag = "normal"
    return text, value, reference.text, flag


@dataclass
class Chunk:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def count(self, table: str) -> int:
        return len(self.rows[table])


class VolumeGenerator:
    """One people generator and one set of sequences for the whole run, so the database
    can grow from 10k to 1M patients by loading the difference with no number repeated."""

    def __init__(self, seed: int = PEOPLE_SEED, as_of: date | None = None) -> None:
        self.as_of = as_of or date.today()
        self.rng = random.Random(seed + 1)
        self.people = FastPeople(random.Random(seed), self.as_of)
        self.seq = Sequences()
        self.now = datetime.now(UTC)

    def chunks(self, count: int, chunk_size: int) -> Iterator[Chunk]:
        while count > 0:
            size = min(count, chunk_size)
            chunk = Chunk()
            for person in self.people.people(size):
                self._add_patient(chunk, person)
            count -= size
            yield chunk

    def _visit_time(self, not_before: date | None = None) -> datetime:
        first = (not_before or self.as_of - timedelta(days=HISTORY_DAYS)).toordinal()
        day = date.fromordinal(self.rng.randint(first, self.as_of.toordinal()))
        minute = self.rng.randrange(7 * 60, 16 * 60)
        local = datetime.combine(day, time(minute // 60, minute % 60), HOSPITAL_TZ)
        return min(local.astimezone(UTC), self.now)

    def _add_patient(self, chunk: Chunk, person: DemoPerson) -> None:
        rng = self.rng
        first_visit = self._visit_time()
        patient_id = self.seq.take_id("patients")
        year = first_visit.astimezone(HOSPITAL_TZ).year
        mrn = f"{year}{self.seq.number(f'mrn:{FACILITY}:{year}'):06d}"
        name_folded = fold(person.full_name)
        chunk.rows["patients"].append(
            (
                patient_id, FACILITY, mrn, person.full_name, name_folded,
                person.date_of_birth, person.date_of_birth.year, person.sex, "VN",
                person.address, person.ward_code, person.province_code, person.phone,
                person.bhyt_code, rng.random() < 0.3, person.guardian_cccd_number,
                person.guardian_name, False, 1, first_visit, first_visit,
            )
        )  # fmt: skip
        for kind, value in self._identifiers(person, name_folded):
            chunk.rows["patient_identifiers"].append(
                (self.seq.take_id("patient_identifiers"), FACILITY, patient_id, kind, value,
                 first_visit)
            )  # fmt: skip
        self._add_visit(chunk, person, patient_id, first_visit)
        if rng.random() < SECOND_VISIT_SHARE:
            later = self._visit_time(not_before=first_visit.date())
            self._add_visit(chunk, person, patient_id, max(later, first_visit))

    @staticmethod
    def _identifiers(person: DemoPerson, name_folded: str) -> list[tuple[str, str]]:
        """As `register_typed` records them: the CCCD, the BHXH number of the card, or for a
        child without papers the guardian's CCCD + folded name + birth date."""
        found: list[tuple[str, str]] = []
        if person.cccd_number:
            found.append(("cccd", person.cccd_number))
        elif person.guardian_cccd_number:
            key = f"{person.guardian_cccd_number}:{name_folded}:{person.date_of_birth.isoformat()}"
            found.append(("guardian_child", key))
        if person.bhyt_code:
            found.append(("bhxh", person.bhyt_code[-10:]))
        return found

    def _day_number(self, scope: str, at: datetime) -> str:
        day = at.astimezone(HOSPITAL_TZ).strftime("%y%m%d")
        return f"{day}{self.seq.number(f'{scope}:{FACILITY}:{day}'):05d}"

    def _add_visit(self, chunk: Chunk, person: DemoPerson, patient_id: int, at: datetime) -> None:
        rng = self.rng
        visit_id = self.seq.take_id("visits")
        insured = person.bhyt_code is not None
        chunk.rows["visits"].append(
            (
                visit_id, FACILITY, self._day_number("visit", at), patient_id, at,
                rng.choice(("letan.hoa", "letan.binh")), rng.choice(("kiosk", "reception")),
                "self_referred" if rng.random() < 0.8 else "referral", "concluded", insured,
                person.bhyt_code, "verified" if insured else "not_requested",
                at if insured else None, 1 if insured else 0,
            )
        )  # fmt: skip
        if rng.random() < LAB_ORDER_SHARE:
            self._add_lab_order(chunk, person, patient_id, visit_id, at)

    def _add_lab_order(
        self, chunk: Chunk, person: DemoPerson, patient_id: int, visit_id: int, at: datetime
    ) -> None:
        rng = self.rng
        ordered_at = at + timedelta(minutes=rng.randint(20, 90))
        order_id = self.seq.take_id("orders")
        chunk.rows["orders"].append(
            (order_id, FACILITY, visit_id, patient_id, rng.choice(DOCTORS), ordered_at)
        )
        services = rng.sample(lab_services(), rng.choice((1, 1, 2, 3)))
        collected_at = ordered_at + timedelta(minutes=rng.randint(5, 40))
        specimens: dict[str, int] = {}  # one tube per container type, as the service does
        for lab in services:
            if lab.specimen_type not in specimens:
                specimens[lab.specimen_type] = specimen_id = self.seq.take_id("specimens")
                chunk.rows["specimens"].append(
                    (specimen_id, FACILITY, self._day_number("accession", collected_at),
                     order_id, patient_id, lab.specimen_type, collected_at, rng.choice(LAB_STAFF))
                )  # fmt: skip
            self._add_lab_item(chunk, person, patient_id, order_id, specimens, lab, collected_at)

    def _add_lab_item(
        self,
        chunk: Chunk,
        person: DemoPerson,
        patient_id: int,
        order_id: int,
        specimens: dict[str, int],
        lab: LabService,
        collected_at: datetime,
    ) -> None:
        rng = self.rng
        item_id = self.seq.take_id("order_items")
        entered_at = collected_at + timedelta(minutes=rng.randint(30, 180))
        verified = rng.random() >= UNVERIFIED_SHARE
        verified_at = entered_at + timedelta(minutes=rng.randint(5, 60)) if verified else None
        verifier = rng.choice(LAB_VERIFIERS) if verified else None
        service = lab.service
        chunk.rows["order_items"].append(
            (item_id, FACILITY, order_id, service.code, service.name_vi, service.kind,
             service.point_kind, "verified" if verified else "resulted",
             specimens[lab.specimen_type], service.hospital_price_vnd,
             service.insurance_price_vnd, verified_at or entered_at)
        )  # fmt: skip
        age = max(0, (collected_at.date() - person.date_of_birth).days // 365)
        for analyte in lab.analytes:
            text, numeric, range_text, flag = _lab_value(rng, analyte, person.sex, age)
            chunk.rows["lab_results"].append(
                (self.seq.take_id("lab_results"), FACILITY, item_id, patient_id, analyte.code,
                 text, numeric, analyte.unit, range_text, flag, 1, rng.choice(LAB_STAFF),
                 entered_at, verifier, verified_at)
            )  # fmt: skip
