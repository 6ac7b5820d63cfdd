"""Which calendar days of a stay are charged as bed days (ngày giường), and in which ward.

The rule implemented (Circular 39/2018/TT-BYT, art. 6(2), kept by the later price
circulars, the latest being 22/2023/TT-BYT; read from the circular's published summaries,
not from the amended text itself, which we could not consult — see the project report):

a) days = discharge date − admission date + 1 when the patient leaves by transfer to another
   hospital or dies (the circular's "seriously ill, not improving, transferred or taken home"
   case; "xin ra viện" is not assumed to be that case);
b) days = discharge date − admission date otherwise (the discharge day is not charged);
c) a stay from 4 hours to under 24 hours over at most two calendar days counts one day;
   under 4 hours, no bed day at all (the circular says so for emergency patients; we apply
   it to every stay, since the ward cannot tell the fund a short stay was a bed day);
d) day care (điều trị ban ngày): each calendar day present counts one day-care day, priced
   by its own row (0.3 of the ward bed) — SO_NGAY_DTRI of XML 130 (MA_LOAI_KCB 04) = date
   out − date in + 1; under 4 hours, none.

Calendar days are hospital-local (Asia/Ho_Chi_Minh). A day with a ward transfer is charged
once, to the ward (and bed) where the patient spent the following night, i.e. where they
were at the end of that day, or at discharge on the day they left. XML 130 table 3 allows
splitting such a day 0.5/0.5 between the dearest and cheapest wards; one line per day keeps
each day a single, unambiguous charge.

While the patient is still on the ward, the running bill charges the days that have ended
(before today): each of them is a day the patient spent the night after, so rules a-c will
charge it too. Today is charged at discharge, or tomorrow, since it may turn out to be the
discharge day, which rule b does not charge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HOSPITAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHORTEST_STAY = timedelta(hours=4)
SHORT_STAY = timedelta(hours=24)
# Discharge kinds that charge the discharge day too (rule a).
PLUS_ONE_KINDS = frozenset({"transferred", "deceased"})


@dataclass(frozen=True)
class Placement:
    """From `since`, the patient was in this ward (and bed, if any)."""

    since: datetime
    ward_id: int
    bed_id: int | None


@dataclass(frozen=True)
class DueDay:
    day: date
    ward_id: int
    bed_id: int | None


def local_day(moment: datetime) -> date:
    return moment.astimezone(HOSPITAL_TZ).date()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def charged_days(
    admitted_at: datetime,
    discharged_at: datetime | None,
    now: datetime,
    *,
    day_care: bool,
    discharge_kind: str | None,
) -> list[date]:
    """The calendar days to charge, by the rule above (running bill when not discharged)."""
    first = local_day(admitted_at)
    if discharged_at is None:
        return _days(first, local_day(now) - timedelta(days=1))
    last = local_day(discharged_at)
    length = discharged_at - admitted_at
    if length < SHORTEST_STAY:
        return []
    if day_care:
        return _days(first, last)
    if length < SHORT_STAY and (last - first).days <= 1:
        return [first]
    if discharge_kind in PLUS_ONE_KINDS:
        return _days(first, last)
    return _days(first, last - timedelta(days=1))


def placement_on(
    day: date, placements: list[Placement], discharged_at: datetime | None
) -> Placement:
    """Where the patient was at the end of `day` (or when they left that day)."""
    end = datetime.combine(day + timedelta(days=1), time(), HOSPITAL_TZ)
    if discharged_at is not None and discharged_at < end:
        end = discharged_at
    current = placements[0]
    for placement in placements:
        if placement.since < end:
            current = placement
    return current


def due_days(
    admitted_at: datetime,
    discharged_at: datetime | None,
    now: datetime,
    placements: list[Placement],
    *,
    day_care: bool,
    discharge_kind: str | None,
) -> list[DueDay]:
    """Each day to charge, with the ward and bed it is charged to."""
    ordered = sorted(placements, key=lambda p: p.since)
    days = charged_days(
        admitted_at, discharged_at, now, day_care=day_care, discharge_kind=discharge_kind
    )
    result = []
    for day in days:
        where = placement_on(day, ordered, discharged_at)
        result.append(DueDay(day, where.ward_id, where.bed_id))
    return result
