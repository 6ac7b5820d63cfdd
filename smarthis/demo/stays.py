"""Inpatient stays in `smarthis demo --days`: a few of the history's outpatient visits are
concluded "admit" and spend 1-4 nights on a ward, and now and then a referred patient comes
straight in for a day of chemotherapy (day care).

A stay is lived the way a visit is (see demo.history): through the real services, now, each
step followed by a wait that moves everything before it earlier (`backdate.move_visit`), so
that the admission, vital signs, notes and supplies fall on the stay's days and nights.
The visit, with its stay, is then moved to its day, and only then is the patient discharged,
with the discharge dated there (`DischargeInput.at`): the bed days are counted from the true
admission and discharge times (bed_day_rule), and what the discharge and the payment wrote
is moved after it. The bed is cleaned and made ready again, so no past stay holds one."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from smarthis.clinical.service import run_card_check
from smarthis.config import Settings
from smarthis.db import Database, utcnow
from smarthis.demo.backdate import move_visit
from smarthis.inpatient import care
from smarthis.inpatient import service as inpatient
from smarthis.inpatient.models import Bed, Stay, Ward
from smarthis.inpatient.supplies import record_supply_use
from smarthis.insurance.claims.loader_chunk import VERIFIED
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.principal import Principal

if TYPE_CHECKING:
    from smarthis.demo.history import Team

# An oncology hospital admits a few of its outpatients; the demo keeps it small.
ADMISSION_SHARE = 0.03
DAY_CARE_SHARE = 0.01  # direct day-care admissions, per outpatient visit
MIN_VISITS_FOR_STAYS = 10  # below that, a history has no stays
MAX_NIGHTS = 4
WARDS = ("NOI", "NOI", "NGOAI", "XATRI")  # the chemotherapy ward takes most
DAY_CARE_WARD = "NOI"
LISTED_SUPPLIES = ("VT-BKT-5ML", "VT-BKT-10ML", "VT-DAY-TRUYEN", "VT-GAC-10X10", "VT-GANG-KHAM")
RATIO_SUPPLIES = ("VT-DAY-TRUYEN-HC", "VT-KIM-PORT")  # MA_NHOM 11, paid at a ratio
ADMISSION_REASONS = (
    "Hoá trị theo phác đồ",
    "Điều trị triệu chứng, theo dõi",
    "Chuẩn bị phẫu thuật",
)
DAY_CARE_DIAGNOSES = {"female": ("C50.9", "C18.9"), "male": ("C34.9", "C16.9")}
NOTES = (
    care.ProgressNoteInput(
        subjective="Mệt, ăn uống kém",
        assessment="Tình trạng ổn định",
        plan="Điều trị theo phác đồ, theo dõi dấu hiệu sinh tồn",
    ),
    care.ProgressNoteInput(
        subjective="Đỡ mệt, ăn được", assessment="Dung nạp điều trị tốt", plan="Tiếp tục điều trị"
    ),
    care.ProgressNoteInput(subjective="Hết mệt", assessment="Ổn định", plan="Cho ra viện"),
)
Wait = Callable[[int, int], None]  # (visit id, minutes): the next step comes that much later


@dataclass(frozen=True)
class StayPlan:
    admissions: frozenset[tuple[int, int]]  # (day index, visit index) concluded "admit"
    day_care_days: frozenset[int]  # day indices with a referral admitted to day care


def nights_before(day: date, today: date) -> int:
    """The nights a stay that began on `day` may last and still end before today."""
    return min(MAX_NIGHTS, (today - day).days - 1)


def plan_stays(rng: random.Random, days: Sequence[date], per_day: int, today: date) -> StayPlan:
    """Which visits end on a ward (at least one once the history is big enough)."""
    total = len(days) * per_day
    if total < MIN_VISITS_FOR_STAYS:
        return StayPlan(frozenset(), frozenset())
    slots = [
        (index, n)
        for index, day in enumerate(days)
        if nights_before(day, today) >= 1
        for n in range(per_day)
    ]
    admitted = rng.sample(slots, min(len(slots), max(1, round(total * ADMISSION_SHARE))))
    day_care = rng.sample(range(len(days)), min(len(days), max(1, round(total * DAY_CARE_SHARE))))
    return StayPlan(frozenset(admitted), frozenset(day_care))


def _minutes(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


def _care_plan(
    rng: random.Random, admitted: datetime, discharge: datetime, nights: int
) -> list[tuple[datetime, str]]:
    """(when, what) of the stay's care between admission and discharge, in order."""
    steps = [(admitted + timedelta(minutes=rng.randint(15, 40)), "vitals")]
    first_day = admitted.date()
    for n in sorted(rng.sample(range(nights + 1), rng.randint(1, min(3, nights + 1)))):
        if n == 0:  # the admission day's note, once the patient is settled
            at = admitted + timedelta(minutes=rng.randint(45, 120))
        else:  # the morning round, before any discharge
            morning = datetime.combine(first_day + timedelta(days=n), time(7, 0), HOSPITAL_TZ)
            at = morning + timedelta(minutes=rng.randint(0, 50))
        steps.append((at, "note"))
    window = _minutes(discharge, admitted) - 90
    for _ in range(rng.randint(2, 4)):
        steps.append((admitted + timedelta(minutes=45 + rng.randint(0, window)), "supply"))
    return sorted(steps, key=lambda step: step[0])


def _free_bed(
    db: Database, facility: str, ward_codes: Sequence[str], first: date, last: date
) -> tuple[str, str] | None:
    """(ward, bed) of the first ward in `ward_codes` with a bed free now and not taken by
    another stay of the history from day `first` to day `last` (one patient per bed)."""
    start = datetime.combine(first, time(0), HOSPITAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time(0), HOSPITAL_TZ)
    taken = select(Stay.bed_id).where(
        Stay.facility_code == facility,
        Stay.bed_id.is_not(None),
        Stay.admitted_at < end,
        or_(Stay.discharged_at.is_(None), Stay.discharged_at > start),
    )
    with db.session() as s:
        for ward_code in ward_codes:
            bed = s.scalars(
                select(Bed.code)
                .join(Ward, Ward.id == Bed.ward_id)
                .where(Ward.facility_code == facility, Ward.code == ward_code)
                .where(Bed.status == "available", Bed.id.not_in(taken))
                .order_by(Bed.code)
            ).first()
            if bed is not None:
                return ward_code, bed
    return None


class Wards:
    """The wards' part of the history: admissions, the care on the ward, discharges."""

    def __init__(self, db: Database, settings: Settings, portal: BhxhPortalClient, team: Team):
        self.db, self.settings, self.portal, self.team = db, settings, portal, team
        self.facility = settings.facility_code
        self.nurse = team.ward_nurse or team.doctors[0]  # receives, weighs, records supplies
        self.waited = timedelta(0)  # of a day-care stay under way

    def _on_a_ward(self, patient_id: int) -> bool:
        with self.db.session() as s:
            return inpatient.open_stay_of(s, self.nurse, patient_id) is not None

    def bed_for(
        self, rng: random.Random, patient_id: int, day: date, nights: int
    ) -> tuple[str, str] | None:
        """Where a patient admitted on `day` for `nights` would lie; None when they cannot
        be admitted (already on a ward, or no free bed)."""
        if self._on_a_ward(patient_id):
            return None
        first = rng.choice(WARDS)
        wards = [first, *(w for w in WARDS if w != first)]
        return _free_bed(self.db, self.facility, wards, day, day + timedelta(days=nights))

    def admit_from_visit(
        self,
        rng: random.Random,
        visit_id: int,
        doctor: Principal,
        bed: tuple[str, str],
        admitted: datetime,
        nights: int,
        wait: Wait,
    ) -> int:
        """The ward nurse receives the patient the doctor concluded "admit"; the stay then
        runs to its discharge time (see `discharge_and_pay`). Returns the stay id."""
        with self.db.session() as s:
            stay_id = inpatient.admit(
                s,
                self.nurse,
                inpatient.AdmissionInput(
                    ward_code=bed[0],
                    visit_id=visit_id,
                    bed_code=bed[1],
                    attending_doctor=doctor.name,
                    reason=rng.choice(ADMISSION_REASONS),
                ),
            ).id
        local = admitted.astimezone(HOSPITAL_TZ)
        leaves = datetime.combine(
            local.date() + timedelta(days=nights), time(8, 30), HOSPITAL_TZ
        ) + timedelta(minutes=rng.randint(0, 150))
        self._care(rng, stay_id, visit_id, doctor, local, leaves, nights, wait)
        return stay_id

    def _care(
        self,
        rng: random.Random,
        stay_id: int,
        visit_id: int,
        doctor: Principal,
        admitted: datetime,
        leaves: datetime,
        nights: int,
        wait: Wait,
    ) -> None:
        at, notes = admitted, 0
        for when, what in _care_plan(rng, admitted, leaves, nights):
            wait(visit_id, _minutes(when, at))
            at = max(at, when)
            with self.db.session() as s:
                if what == "vitals":
                    care.record_vitals(
                        s,
                        self.nurse,
                        stay_id,
                        care.StayVitalsInput(
                            pulse=rng.randint(68, 96),
                            temperature_c=round(rng.uniform(36.4, 37.3), 1),
                            systolic=rng.randint(105, 140),
                            diastolic=rng.randint(65, 88),
                            respiratory_rate=rng.randint(16, 20),
                            spo2=rng.randint(95, 99),
                            weight_kg=float(rng.randint(42, 70)),
                        ),
                    )
                    care.add_nursing_note(
                        s, self.nurse, stay_id, "Tiếp nhận người bệnh, hướng dẫn nội quy khoa"
                    )
                elif what == "note":
                    note = NOTES[min(notes, len(NOTES) - 1)]
                    care.add_progress_note(s, doctor, stay_id, note)
                    notes += 1
                else:
                    group = RATIO_SUPPLIES if rng.random() < 0.3 else LISTED_SUPPLIES
                    record_supply_use(s, self.nurse, stay_id, rng.choice(group), rng.randint(1, 3))
        wait(visit_id, _minutes(leaves, at))

    def discharge_and_pay(
        self,
        rng: random.Random,
        stay_id: int,
        visit_id: int,
        doctor: Principal,
        delta: timedelta,
        pay: Callable[[int], int],
    ) -> int:
        """Once the visit is on its day (moved by `delta`): the discharge dated there, the
        bed made ready, the bill paid; returns what was paid."""
        written_from = utcnow()
        with self.db.session() as s:
            stay = inpatient.discharge(
                s,
                doctor,
                stay_id,
                inpatient.DischargeInput(
                    kind="recovered_or_improved",
                    summary="Điều trị theo phác đồ, dung nạp tốt, tình trạng ổn định",
                    advice="Tái khám theo hẹn, khám lại ngay khi có dấu hiệu bất thường",
                    at=written_from + delta,
                ),
            )
            bed = s.get(Bed, stay.bed_id) if stay.bed_id is not None else None
            bed_code = bed.code if bed else None
        with self.db.session() as s:  # the bed days and their charges, on the discharge day
            move_visit(s, visit_id, delta, since=written_from)
        if bed_code is not None:
            with self.db.session() as s:  # stripped and cleaned, ready for the next patient
                inpatient.set_bed_status(s, self.nurse, bed_code, "available")
        written_from = utcnow()
        paid = pay(visit_id)
        to_cashier = timedelta(minutes=rng.randint(10, 40))
        with self.db.session() as s:
            move_visit(s, visit_id, delta + to_cashier, since=written_from)
        return paid

    def day_care(
        self,
        rng: random.Random,
        patient: tuple[int, str, bool],
        day: date,
        pay: Callable[[int], int],
    ) -> tuple[int, bool, int] | None:
        """A referred patient admitted straight to day care on `day`, treated and sent home
        the same day; (visit id, claimable on the card, paid), None when not possible."""
        patient_id, sex, _insured = patient
        on_a_ward = self._on_a_ward(patient_id)
        bed = None if on_a_ward else _free_bed(self.db, self.facility, [DAY_CARE_WARD], day, day)
        if bed is None:
            return None
        doctor = rng.choice(self.team.doctors)
        arrival = datetime.combine(day, time(7, 30), HOSPITAL_TZ) + timedelta(
            minutes=rng.randint(0, 90)
        )
        started, self.waited = utcnow(), timedelta(0)
        with self.db.session() as s:
            stay = inpatient.admit(
                s,
                doctor,
                inpatient.AdmissionInput(
                    ward_code=bed[0],
                    admitted_from="referral",
                    patient_id=patient_id,
                    bed_code=bed[1],
                    kind="day_care",
                    icd_code=rng.choice(DAY_CARE_DIAGNOSES["male" if sex == "male" else "female"]),
                    reason="Hoá trị ban ngày theo giấy chuyển tuyến",
                ),
            )
            stay_id, visit_id = stay.id, stay.visit_id
        assert visit_id is not None
        visit = run_card_check(self.db, self.portal, self.settings, visit_id)
        leaves = arrival + timedelta(minutes=rng.randint(270, 420))
        self._care(rng, stay_id, visit_id, doctor, arrival, leaves, 0, self._wait)
        delta = arrival + self.waited - started
        with self.db.session() as s:
            move_visit(s, visit_id, delta)
        paid = self.discharge_and_pay(rng, stay_id, visit_id, doctor, delta, pay)
        claimable = visit.uses_insurance and visit.card_check_status in VERIFIED
        return visit_id, claimable, paid

    def _wait(self, visit_id: int, minutes: int) -> None:
        with self.db.session() as s:
            move_visit(s, visit_id, -timedelta(minutes=minutes))
        self.waited += timedelta(minutes=minutes)
