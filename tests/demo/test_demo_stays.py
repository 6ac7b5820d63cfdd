"""The demo history's stays, as planned: which visits end on a ward, and the care between
admission and discharge (the stays themselves, made through the services and exported as
claims, are checked in tests/insurance/claims/test_claims_from_visits.py)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from smarthis.demo.stays import MAX_NIGHTS, _care_plan, nights_before, plan_stays
from smarthis.queueing.clock import HOSPITAL_TZ

TODAY = date(2026, 11, 5)
DAYS = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)]


def test_a_history_big_enough_admits_someone_who_leaves_before_today() -> None:
    plan = plan_stays(random.Random(7), DAYS, 4, TODAY)
    assert len(plan.admissions) >= 1 and len(plan.day_care_days) >= 1
    assert all(nights_before(DAYS[day], TODAY) >= 1 for day, _ in plan.admissions)
    assert plan == plan_stays(random.Random(7), DAYS, 4, TODAY)  # the seed decides
    assert nights_before(date(2026, 11, 4), TODAY) == 0  # yesterday: no night left
    assert nights_before(date(2026, 10, 1), TODAY) == MAX_NIGHTS


def test_a_small_history_has_no_stays_and_a_large_one_about_three_percent() -> None:
    small = plan_stays(random.Random(1), DAYS[:2], 4, TODAY)
    assert not small.admissions and not small.day_care_days
    month = [date(2026, 10, 1) + timedelta(days=n) for n in range(26)]
    large = plan_stays(random.Random(1), month, 30, date(2026, 11, 1))
    assert len(large.admissions) == round(26 * 30 * 0.03)


def test_the_care_lies_between_admission_and_discharge() -> None:
    rng = random.Random(3)
    for nights in range(5):
        admitted = datetime(2026, 11, 2, 16, 40, tzinfo=HOSPITAL_TZ)
        leaves = (
            admitted + timedelta(hours=5)
            if nights == 0
            else datetime(2026, 11, 2 + nights, 9, 0, tzinfo=HOSPITAL_TZ)
        )
        steps = _care_plan(rng, admitted, leaves, nights)
        assert steps[0][1] == "vitals" and steps == sorted(steps, key=lambda step: step[0])
        assert 1 <= sum(what == "note" for _, what in steps) <= min(3, nights + 1)
        assert 2 <= sum(what == "supply" for _, what in steps) <= 4
        assert all(admitted < at < leaves for at, _ in steps)
