"""What the inpatient claim reads beyond an outpatient visit's tables, for a chunk of stays'
visits, one query per table: the stay, its wards and beds, bed days, supplies used and
drugs given on the ward, the doctors' progress notes, weighings on the ward and the
consultations held for the visit."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.consultations.models import Consultation
from smarthis.inpatient.charge_models import BedDay, SupplyUse
from smarthis.inpatient.models import (
    OPEN,
    Bed,
    MedicationAdministration,
    ProgressNote,
    Stay,
    StayVitals,
    Ward,
)
from smarthis.insurance.claims.loader_chunk import VERIFIED, EncounterChunk, grouped, month_window

DISCHARGED = "discharged"


def inpatient_visits_of_month(session: Session, facility_code: str, month: str) -> list[int]:
    """The visits of insured stays discharged in the month (hospital time), by discharge,
    then those of stays admitted before the month ended and not discharged yet (they are
    held back: "chưa ra viện")."""
    start, end = month_window(month)
    discharged_in_month = (
        (Stay.status == DISCHARGED) & (Stay.discharged_at >= start) & (Stay.discharged_at < end)
    )
    still_open = (Stay.status == OPEN) & (Stay.admitted_at < end)
    rows = session.execute(
        select(Stay.visit_id)
        .join(Visit, Visit.id == Stay.visit_id)
        .where(
            Stay.facility_code == facility_code,
            Visit.uses_insurance.is_(True),
            Visit.card_check_status.in_(VERIFIED),
            or_(discharged_in_month, still_open),
        )
        .order_by(Stay.status.desc(), Stay.discharged_at, Stay.admitted_at, Stay.id)
    )  # "discharged" sorts before "admitted" when descending
    return list(dict.fromkeys(visit_id for (visit_id,) in rows))


class StayChunk(EncounterChunk):
    def load_tables(self) -> None:
        super().load_tables()
        s, ids = self.session, self.visit_ids
        # A visit leads to one stay; were there two, the latest is the one claimed.
        self.stays: dict[int, Stay] = {
            stay.visit_id: stay
            for stay in s.scalars(
                select(Stay).where(Stay.visit_id.in_(ids)).order_by(Stay.admitted_at, Stay.id)
            )
            if stay.visit_id is not None
        }
        stay_ids = [stay.id for stay in self.stays.values()]
        self.bed_days: dict[int, BedDay] = {
            b.id: b
            for b in s.scalars(
                select(BedDay).where(BedDay.stay_id.in_(stay_ids)).order_by(BedDay.day)
            )
        }
        self.bed_days_of_stay = grouped(self.bed_days.values(), lambda b: b.stay_id)
        supply_ids = [c.source_id for _, c in self.lines if c.source_kind == "supply"]
        self.supply_uses: dict[int, SupplyUse] = {
            u.id: u for u in s.scalars(select(SupplyUse).where(SupplyUse.id.in_(supply_ids)))
        }
        dose_ids = [c.source_id for _, c in self.lines if c.source_kind == "ward_drug"]
        self.ward_doses: dict[int, MedicationAdministration] = {
            d.id: d
            for d in s.scalars(
                select(MedicationAdministration).where(MedicationAdministration.id.in_(dose_ids))
            )
        }
        ward_ids = {stay.ward_id for stay in self.stays.values()}
        ward_ids |= {b.ward_id for b in self.bed_days.values()}
        self.wards = {w.id: w for w in s.scalars(select(Ward).where(Ward.id.in_(ward_ids)))}
        departments = {w.department_code for w in self.wards.values()}
        self.bed_codes = claim_bed_codes(s, departments)
        self.notes = grouped(
            s.scalars(
                select(ProgressNote)
                .where(ProgressNote.stay_id.in_(stay_ids))
                .order_by(ProgressNote.written_at, ProgressNote.id)
            ),
            lambda n: n.stay_id,
        )
        self.stay_weights = {
            v.stay_id: v.weight_kg
            for v in s.scalars(
                select(StayVitals)
                .where(StayVitals.stay_id.in_(stay_ids), StayVitals.weight_kg.is_not(None))
                .order_by(StayVitals.taken_at)
            )
        }  # the last weighing on the ward wins
        self.consultations = grouped(
            s.scalars(
                select(Consultation)
                .where(Consultation.visit_id.in_(ids), Consultation.status == "held")
                .order_by(Consultation.held_at, Consultation.id)
            ),
            lambda c: c.visit_id,
        )

    def logins(self) -> set[str | None]:
        logins = super().logins()
        logins |= {stay.attending_doctor for stay in self.stays.values()}
        logins |= {n.written_by for rows in self.notes.values() for n in rows}
        logins |= {u.used_by for u in self.supply_uses.values()}
        return logins


def claim_bed_codes(session: Session, departments: set[str]) -> dict[int, str]:
    """MA_GIUONG of each bed of these departments: "H" and the bed's number in its
    department, 001 onwards (table 3 of XML 130: planned beds are H001, H002 ... per
    department). Beds are numbered in the order they were set up, so a bed keeps its code."""
    rows = session.execute(
        select(Bed.id, Ward.department_code)
        .join(Ward, Ward.id == Bed.ward_id)
        .where(Ward.department_code.in_(departments))
        .order_by(Ward.department_code, Bed.id)
    ).all()
    codes: dict[int, str] = {}
    numbered: dict[str, int] = {}
    for bed_id, department in rows:
        numbered[department] = numbered.get(department, 0) + 1
        codes[bed_id] = f"H{numbered[department]:03d}"
    return codes
