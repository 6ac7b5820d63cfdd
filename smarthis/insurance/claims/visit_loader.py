"""Finished outpatient visits read from the database as `ClaimVisit`s (MA_LOAI_KCB "01"):
the loader of the monthly export and of the submission worker.

A visit is claimable when it used insurance with a card the portal verified, the doctor
concluded it, and every active charge sits on a settled invoice (paid, or nothing to pay).
A visit that led to an inpatient stay is claimed once, as the stay's claim (stay_loader.py).
What is read and how lines are made is shared with the inpatient loader: loader_chunk.py
and claim_lines.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from smarthis.clinical.examination_models import Examination
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.inpatient.models import Stay
from smarthis.insurance.claims.claim_lines import EncounterClaim, local
from smarthis.insurance.claims.inputs import ClaimVisit
from smarthis.insurance.claims.loader_chunk import (
    CHUNK,
    VERIFIED,
    CertificateLookup,
    EncounterChunk,
    LoadedMonth,
    month_window,
    practising_certificates,
)

__all__ = ["LoadedMonth", "concluded_insured_visits", "load_visits", "month_window"]

EXAMINATION_KIND = "01"  # MA_LOAI_KCB: outpatient examination
# KET_QUA_DTRI (2: improved) and MA_LOAI_RV (1: discharged, 2: referred) of a conclusion.
RESULT_OF_CONCLUSION = {"home": 2, "follow_up": 2, "referral": 3, "admit": 3}
DISCHARGE_OF_CONCLUSION = {"home": 1, "follow_up": 1, "referral": 2, "admit": 1}


def concluded_insured_visits(session: Session, facility_code: str, month: str) -> list[int]:
    """Visits with a verified card concluded in the month (hospital time), oldest first,
    without an inpatient stay (those are claimed with the stay)."""
    start, end = month_window(month)
    rows = session.execute(
        select(Visit.id)
        .join(Examination, Examination.visit_id == Visit.id)
        .where(
            Visit.facility_code == facility_code,
            Visit.uses_insurance.is_(True),
            Visit.card_check_status.in_(VERIFIED),
            Examination.concluded_at >= start,
            Examination.concluded_at < end,
            ~exists().where(Stay.visit_id == Visit.id),
        )
        .order_by(Examination.concluded_at, Visit.id)
    )
    return [row.id for row in rows]


class _VisitClaim(EncounterClaim):
    """One outpatient visit of a loaded chunk made into a ClaimVisit."""

    def __init__(self, chunk: EncounterChunk, visit_id: int):
        super().__init__(chunk, visit_id)
        assert self.exam is not None  # the month's visits are the examined ones
        self.prescriber = self.exam.concluded_by
        self.default_orderer = self.exam.started_by

    def build(self) -> ClaimVisit | None:
        visit, exam = self.visit, self.exam
        assert exam is not None
        shared = self.shared_fields()
        diagnoses = self.c.diagnoses.get(visit.id, [])
        main = next((d for d in diagnoses if d.is_main), None)
        if main is None:
            self.problems.append("chưa có chẩn đoán chính")
        department = self._department(exam.concluded_by)
        if self.problems or main is None:
            return None
        concluded = local(exam.concluded_at)
        assert concluded is not None
        text = "; ".join(f"{d.icd_code} - {d.name_vi}" for d in diagnoses)
        return ClaimVisit(
            **shared,
            record_number=visit.visit_number,
            visit_kind=EXAMINATION_KIND,
            admitted_at=local(visit.registered_at),  # type: ignore[arg-type]
            discharged_at=concluded,
            reason_for_visit=exam.reason or "Khám bệnh",
            admission_diagnosis=text,
            discharge_diagnosis=text,
            main_icd10=main.icd_code.replace(".", ""),
            other_icd10=tuple(d.icd_code.replace(".", "") for d in diagnoses if not d.is_main),
            department_codes=(department,),
            treatment_result=RESULT_OF_CONCLUSION.get(exam.conclusion or "", 7),
            discharge_type=DISCHARGE_OF_CONCLUSION.get(exam.conclusion or "", 1),
            settlement_year=concluded.year,
            settlement_month=concluded.month,
            doctor_advice=exam.advice,
            follow_up_dates=(exam.follow_up_date,) if exam.follow_up_date else (),
        )


def load_visits(
    session: Session, visit_ids: Sequence[int], certificates: CertificateLookup | None = None
) -> LoadedMonth:
    """ClaimVisits of the given visits, in their order; the others held back with why.
    `certificates` finds MA_BAC_SI by login (default: the staff records)."""
    loaded = LoadedMonth()
    chunk = EncounterChunk(session, visit_ids, certificates or practising_certificates)
    chunk.load()
    for visit_id in visit_ids:
        if visit_id not in chunk.visits or chunk.visits[visit_id][1] is None:
            continue
        claim = _VisitClaim(chunk, visit_id)
        built = claim.build()
        if built is None:
            number = chunk.visits[visit_id][0].visit_number
            loaded.held_back.append({"visit": number, "reasons": sorted(set(claim.problems))})
        else:
            loaded.claims.append(built)
    return loaded


def month_claims(
    db: Database, facility_code: str, month: str, held_back: list[dict[str, object]] | None = None
) -> Iterator[ClaimVisit]:
    """The month's outpatient claims, read chunk by chunk; visits not ready go to
    `held_back`. batch.month_claims adds the inpatient ones."""
    with db.session() as session:
        visit_ids = concluded_insured_visits(session, facility_code, month)
    for start in range(0, len(visit_ids), CHUNK):
        with db.session() as session:
            loaded = load_visits(session, visit_ids[start : start + CHUNK])
        if held_back is not None:
            held_back.extend(loaded.held_back)
        yield from loaded.claims
