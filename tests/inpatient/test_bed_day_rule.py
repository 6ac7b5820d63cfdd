"""Bed-day counting, worked examples of the rule in smarthis.inpatient.bed_day_rule."""

from __future__ import annotations

from datetime import date, datetime

from smarthis.inpatient.bed_day_rule import HOSPITAL_TZ, Placement, charged_days, due_days
from smarthis.inpatient.charge_catalog import bed_day_service_for

NOI, NGOAI = 1, 2


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A hospital-local moment in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=HOSPITAL_TZ)


def days(admitted: datetime, discharged: datetime | None, **kw) -> list[date]:
    now = kw.pop("now", at(28, 12))
    kw.setdefault("day_care", False)
    kw.setdefault("discharge_kind", "recovered_or_improved")
    return charged_days(admitted, discharged, now, **kw)


def test_same_day_under_four_hours_gives_no_bed_day() -> None:
    assert days(at(10, 8), at(10, 11, 59)) == []


def test_same_day_four_hours_or_more_gives_one_day() -> None:
    assert days(at(10, 8), at(10, 12)) == [date(2026, 11, 10)]
    assert days(at(10, 8), at(10, 20)) == [date(2026, 11, 10)]


def test_overnight_under_24_hours_counts_one_day() -> None:
    assert days(at(10, 22), at(11, 10)) == [date(2026, 11, 10)]


def test_three_nights_are_three_days_the_discharge_day_is_not_charged() -> None:
    assert days(at(10, 9), at(13, 9)) == [date(2026, 11, d) for d in (10, 11, 12)]


def test_transfer_to_another_hospital_or_death_charges_the_discharge_day_too() -> None:
    for kind in ("transferred", "deceased"):
        assert len(days(at(10, 9), at(13, 9), discharge_kind=kind)) == 4
    assert len(days(at(10, 9), at(13, 9), discharge_kind="against_advice")) == 3


def test_day_care_counts_each_day_present_but_not_a_short_visit() -> None:
    assert days(at(10, 8), at(10, 15), day_care=True) == [date(2026, 11, 10)]
    assert days(at(10, 8), at(10, 10), day_care=True) == []
    assert len(days(at(10, 8), at(12, 15), day_care=True)) == 3


def test_running_bill_charges_the_days_that_have_ended() -> None:
    assert days(at(10, 9), None, now=at(13, 8)) == [date(2026, 11, d) for d in (10, 11, 12)]
    assert days(at(13, 1), None, now=at(13, 8)) == []


def test_a_transfer_day_is_charged_once_to_the_ward_of_the_night() -> None:
    placements = [Placement(at(10, 9), NOI, 11), Placement(at(11, 15), NGOAI, 21)]
    due = due_days(
        at(10, 9),
        at(13, 9),
        at(13, 9),
        placements,
        day_care=False,
        discharge_kind="recovered_or_improved",
    )
    assert [(d.day.day, d.ward_id, d.bed_id) for d in due] == [
        (10, NOI, 11),
        (11, NGOAI, 21),  # moved at 15:00 on the 11th: the night in NGOAI
        (12, NGOAI, 21),
    ]


def test_leaving_on_a_transfer_day_charges_the_ward_left_from() -> None:
    placements = [Placement(at(10, 9), NOI, None), Placement(at(10, 14), NGOAI, None)]
    due = due_days(
        at(10, 9), at(10, 20), at(10, 20), placements, day_care=False, discharge_kind=None
    )
    assert [(d.day.day, d.ward_id) for d in due] == [(10, NGOAI)]


def test_each_ward_has_its_bed_day_service() -> None:
    assert bed_day_service_for("KNGOAI", day_care=False).code == "NG-NGOAI-L1"
    assert bed_day_service_for("KHSTC", day_care=False).kind == "icu"
    assert bed_day_service_for("KGIAMNHE", day_care=False).code == "NG-NOI-L3"  # default row
    day_care = bed_day_service_for("KNOI", day_care=True)
    assert (day_care.code, day_care.cost_group) == ("NG-BN-NOI", 14)
    assert bed_day_service_for("KGIAMNHE", day_care=True).code == "NG-BN"
