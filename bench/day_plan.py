"""What the day replay does to each visit, decided before it starts: when the patient
arrives (a compressed opening day with a morning peak) and what the doctor finds, orders,
prescribes and concludes. Everything comes from one seeded RNG, so a run is repeatable."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# The virtual opening day (07:00-17:00) in minutes; the morning peak is its first two hours.
DAY_MINUTES = 600.0
PEAK_MINUTES = 120.0

# Main diagnoses an oncology outpatient clinic codes all day (none sex-specific, none
# "not a main diagnosis"), and the usual secondary ones.
MAIN_DIAGNOSES = ("C50.9", "C34.9", "C18.9", "C22.0", "K29.7", "I10", "E11.9", "D50.9")
SECONDARY_DIAGNOSES = ("I10", "E11.9", "K29.7")

# Lab orders (service codes) with valid adult values for each service's analytes (the
# journey test's electrolytes, a normal blood count). Children get values without a flag.
LAB_ORDERS: tuple[tuple[str, ...], ...] = (("XN-CBC",), ("XN-DGD",), ("XN-CBC", "XN-DGD"))
LAB_VALUES: dict[str, dict[str, str]] = {
    "XN-CBC": {
        "WBC": "6.5",
        "NEUT": "4.1",
        "RBC": "4.6",
        "HGB": "135",
        "HCT": "0.42",
        "MCV": "90",
        "MCH": "29",
        "MCHC": "330",
        "PLT": "250",
    },
    "XN-DGD": {"NA": "139", "K": "4.1", "CL": "101"},
}
IMAGING_ORDERS = ("XQ-NGUC", "SA-BUNG")
REPORTS: dict[str, tuple[str, str, str]] = {
    "XQ-NGUC": (
        "Chụp thẳng sau-trước, số hoá",
        "Hai phế trường sáng đều. Bóng tim không to.",
        "Hình ảnh X-quang ngực bình thường",
    ),
    "SA-BUNG": (
        "Siêu âm đầu dò convex 3.5 MHz",
        "Gan không to, nhu mô đều. Không thấy khối khu trú.",
        "Siêu âm ổ bụng chưa phát hiện bất thường",
    ),
}
# Ordinary demo drugs (no narcotic or psychotropic: those need another form).
DRUGS = (
    ("T-PARA500", 10, "Uống 1 viên khi đau, cách nhau ít nhất 6 giờ", 5),
    ("T-OMEP20", 14, "Uống 1 viên trước ăn sáng 30 phút", 14),
    ("T-DOMP10", 9, "Uống 1 viên trước mỗi bữa ăn", 3),
)


@dataclass(frozen=True)
class Mix:
    """Shares of the visits that get each thing (--lab-share, --imaging-share, ...)."""

    lab: float = 0.35
    imaging: float = 0.15
    prescription: float = 0.50
    follow_up: float = 0.20


@dataclass
class VisitPlan:
    arrival_s: float  # seconds after the replay starts
    main_diagnosis: str
    secondary: list[str] = field(default_factory=list)
    lab: tuple[str, ...] = ()
    imaging: tuple[str, ...] = ()
    drugs: list[tuple[str, int, str, int]] = field(default_factory=list)
    follow_up: date | None = None

    @property
    def services(self) -> list[str]:
        return [*self.lab, *self.imaging]


def arrival_offsets(
    count: int, span_s: float, peak_share: float, rng: random.Random
) -> list[float]:
    """Arrival times over the virtual day, `peak_share` of them in its first two hours,
    scaled so the whole day lasts `span_s` seconds; sorted."""
    minutes = [
        rng.uniform(0, PEAK_MINUTES)
        if rng.random() < peak_share
        else rng.uniform(PEAK_MINUTES, DAY_MINUTES)
        for _ in range(count)
    ]
    return sorted(m / DAY_MINUTES * span_s for m in minutes)


def plan_visits(
    count: int, span_s: float, peak_share: float, mix: Mix, seed: int, today: date
) -> list[VisitPlan]:
    rng = random.Random(seed)
    plans: list[VisitPlan] = []
    for arrival in arrival_offsets(count, span_s, peak_share, rng):
        main = rng.choice(MAIN_DIAGNOSES)
        secondary = [c for c in rng.sample(SECONDARY_DIAGNOSES, rng.randint(0, 1)) if c != main]
        plan = VisitPlan(arrival_s=arrival, main_diagnosis=main, secondary=secondary)
        if rng.random() < mix.lab:
            plan.lab = rng.choice(LAB_ORDERS)
        if rng.random() < mix.imaging:
            plan.imaging = (rng.choice(IMAGING_ORDERS),)
        if rng.random() < mix.prescription:
            plan.drugs = rng.sample(DRUGS, rng.randint(1, 2))
        if rng.random() < mix.follow_up:
            plan.follow_up = today + timedelta(days=rng.randint(7, 60))
        plans.append(plan)
    return plans
