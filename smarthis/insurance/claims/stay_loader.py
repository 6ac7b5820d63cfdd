"""Inpatient stays read from the database as `ClaimVisit`s: MA_LOAI_KCB "03" (inpatient) or
"04" (day care), one claim per treatment episode (the stay's visit, with the examination,
orders and drugs that led to it), in the month of discharge.

A stay is claimable when it is discharged, its visit used a card the portal verified, every
active charge of the visit sits on a settled invoice, and every progress note's writer has
a practising certificate on record (XML5 names them). Bed days become XML3 lines with the
bed's claim code (MA_GIUONG, H001... per department) and the ward's department; supplies
become XML3 lines with MA_VAT_TU; doses given on the ward become XML2 lines (ward_drug_line.py);
the progress notes become the clinical course (XML5).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from smarthis.billing.models import Charge, InvoiceLine
from smarthis.db import Database
from smarthis.errors import NotFound
from smarthis.inpatient.charge_catalog import find_supply
from smarthis.inpatient.models import ProgressNote
from smarthis.insurance.claims.claim_lines import EncounterClaim, line_amounts, local
from smarthis.insurance.claims.inputs import (
    ClaimVisit,
    ClinicalCourseEntry,
    DrugLine,
    ServiceLine,
)
from smarthis.insurance.claims.loader_chunk import (
    CHUNK,
    CertificateLookup,
    LoadedMonth,
    practising_certificates,
)
from smarthis.insurance.claims.stay_chunk import (
    DISCHARGED,
    StayChunk,
    inpatient_visits_of_month,
)
from smarthis.insurance.claims.ward_drug_line import WARD_DRUG, ward_drug_line
from smarthis.queueing.clock import HOSPITAL_TZ

INPATIENT_KIND, DAY_CARE_KIND = "03", "04"  # MA_LOAI_KCB
# KET_QUA_DTRI (1 khỏi, 2 đỡ, 3 không thay đổi, 5 tử vong, 7 chưa xác định) and MA_LOAI_RV
# (1 ra viện, 2 chuyển tuyến theo yêu cầu chuyên môn, 3 trốn viện, 4 xin ra viện) of each
# discharge kind (Bảng 1 of the 4750 tables). "Recovered or improved" cannot tell 1 from 2:
# the claim says improved.
RESULT_OF_DISCHARGE = {
    "recovered_or_improved": 2,
    "against_advice": 7,
    "transferred": 3,
    "absconded": 7,
    "deceased": 5,
}
TYPE_OF_DISCHARGE = {
    "recovered_or_improved": 1,
    "against_advice": 4,
    "transferred": 2,
    "absconded": 3,
    "deceased": 1,
}
REASON_OF_ORIGIN = {"emergency": "Cấp cứu", "referral": "Tuyến dưới chuyển đến"}
SOAP = (("subjective", "S"), ("objective", "O"), ("assessment", "A"), ("plan", "P"))


def _supply_tender(code: str) -> str | None:
    """TT_THAU of a supply, when the catalogue carries it (the validator names it missing
    for a group-10 supply otherwise)."""
    try:
        return find_supply(code).tender_info
    except NotFound:
        return None


class _StayClaim(EncounterClaim):
    """The stay of one visit of a loaded chunk made into a ClaimVisit."""

    DRUG_KINDS = frozenset({"drug", WARD_DRUG})

    def __init__(self, chunk: StayChunk, visit_id: int):
        super().__init__(chunk, visit_id)
        self.chunk = chunk
        self.stay = chunk.stays[visit_id]
        self.bed_days = chunk.bed_days_of_stay.get(self.stay.id, [])  # by day
        # Drugs of the episode were prescribed by the examining doctor when there was an
        # examination; ward orders without one of their own name the attending doctor.
        self.prescriber = self.exam.concluded_by if self.exam else self.stay.attending_doctor
        self.default_orderer = self.stay.attending_doctor

    def weight(self) -> float | None:
        on_ward = self.chunk.stay_weights.get(self.stay.id)
        return on_ward if on_ward is not None else super().weight()

    def _within_stay(self, day: date) -> datetime:
        """A bed day's order time: the day's start, but not before admission nor after
        discharge (the validator keeps every line inside NGAY_VAO..NGAY_RA)."""
        at = datetime.combine(day, time(0), tzinfo=HOSPITAL_TZ)
        at = max(at, self.stay.admitted_at.astimezone(HOSPITAL_TZ))
        if self.stay.discharged_at is not None:
            at = min(at, self.stay.discharged_at.astimezone(HOSPITAL_TZ))
        return at

    def ward_on(self, at: datetime) -> int:
        """The ward the patient lay in that day; the stay's ward when no bed day says."""
        wards = [b.ward_id for b in self.bed_days if b.day == at.date()]
        return wards[0] if wards else self.stay.ward_id

    def doctor_codes(self, login: str | None) -> tuple[str, ...]:
        return self._doctor(login)

    def drug_line(self, line: InvoiceLine, charge: Charge, share: Decimal) -> DrugLine | None:
        if charge.source_kind == WARD_DRUG:
            return ward_drug_line(self, line, charge, share)
        return super().drug_line(line, charge, share)

    def ward_department(self, ward_id: int) -> str:
        ward = self.chunk.wards.get(ward_id)
        if ward is None or not ward.department_code:
            self.problems.append(f"chưa rõ khoa của buồng điều trị số {ward_id}")
            return ""
        return ward.department_code

    def _bed_day(self, line: InvoiceLine, charge: Charge, share: Decimal) -> ServiceLine:
        bed_day = self.chunk.bed_days.get(charge.source_id)
        if bed_day is None:
            self.problems.append(f"không tìm thấy ngày giường của khoản {charge.name}")
            return self._service(line, charge, share)
        bed = self.chunk.bed_codes.get(bed_day.bed_id) if bed_day.bed_id is not None else None
        if bed is None:
            self.problems.append(f"ngày giường {bed_day.day:%d/%m/%Y} chưa có mã giường")
        at = self._within_stay(bed_day.day)
        return ServiceLine(
            service_code=charge.national_code or charge.item_code,
            service_name=charge.name,
            cost_group=charge.cost_group,
            unit=charge.unit,
            quantity=Decimal(charge.quantity),
            hospital_price=Decimal(charge.hospital_price_vnd),
            insurance_price=Decimal(charge.insurance_price_vnd),
            amounts=line_amounts(line, share),
            department_code=self.ward_department(bed_day.ward_id),
            doctor_codes=self._doctor(self.stay.attending_doctor),
            ordered_at=at,
            performed_at=at,
            bed_code=bed,
            scope=1 if charge.in_benefit_list else 2,
            ratio_service=Decimal(charge.ratio_service),
            ratio_insurance=Decimal(charge.ratio_insurance),
        )

    def _supply(self, line: InvoiceLine, charge: Charge, share: Decimal) -> ServiceLine:
        use = self.chunk.supply_uses.get(charge.source_id)
        if use is None:
            self.problems.append(f"không tìm thấy lần dùng vật tư của khoản {charge.name}")
            return self._service(line, charge, share)
        used_at = local(use.used_at)
        assert used_at is not None
        ward_id = self.ward_on(used_at)
        return ServiceLine(
            supply_code=charge.national_code or charge.item_code,
            supply_name=charge.name,
            cost_group=charge.cost_group,
            unit=charge.unit,
            quantity=Decimal(charge.quantity),
            hospital_price=Decimal(charge.hospital_price_vnd),
            insurance_price=Decimal(charge.insurance_price_vnd),
            amounts=line_amounts(line, share),
            department_code=self.ward_department(ward_id),
            doctor_codes=self._doctor(self.stay.attending_doctor),
            ordered_at=used_at,
            performed_at=used_at,
            performer_codes=self._known_doctor(use.used_by),
            tender_info=_supply_tender(charge.item_code),
            scope=1 if charge.in_benefit_list else 2,
            ratio_service=Decimal(charge.ratio_service),
            ratio_insurance=Decimal(charge.ratio_insurance),
        )

    def service_line(self, line: InvoiceLine, charge: Charge, share: Decimal) -> ServiceLine:
        if charge.source_kind == "bed_day":
            return self._bed_day(line, charge, share)
        if charge.source_kind == "supply":
            return self._supply(line, charge, share)
        return self._service(line, charge, share)

    def _consultations_by_note(self, notes: list[ProgressNote]) -> dict[int, list[str]]:
        """Each held consultation's conclusion goes with the first note written after it
        (the course that followed it), else with the last note."""
        found: dict[int, list[str]] = {}
        for held in self.chunk.consultations.get(self.visit.id, []):
            text = "; ".join(part for part in (held.conclusion, held.treatment_plan) if part)
            if not text or not notes:
                continue
            after = [n for n in notes if held.held_at and n.written_at >= held.held_at]
            found.setdefault((after[0] if after else notes[-1]).id, []).append(text)
        return found

    def _course(self) -> tuple[ClinicalCourseEntry, ...]:
        notes = self.chunk.notes.get(self.stay.id, [])
        if not notes:
            self.problems.append("chưa có tờ điều trị (diễn biến lâm sàng, XML5)")
        consulted = self._consultations_by_note(notes)
        entries = []
        for note in notes:
            parts = [(tag, getattr(note, name)) for name, tag in SOAP if getattr(note, name)]
            entries.append(
                ClinicalCourseEntry(
                    course="; ".join(f"{tag}: {text}" for tag, text in parts),
                    at=local(note.written_at),  # type: ignore[arg-type]
                    performer_codes=self._doctor(note.written_by),
                    consultation="; ".join(consulted.get(note.id, [])) or None,
                )
            )
        return tuple(entries)

    def _departments(self) -> tuple[str, ...]:
        """MA_KHOA: the departments the patient was treated in, in order, the discharging
        ward's last."""
        ward_ids = [b.ward_id for b in self.bed_days if b.ward_id != self.stay.ward_id]
        ward_ids.append(self.stay.ward_id)
        codes = [self.ward_department(w) for w in ward_ids]
        return tuple(dict.fromkeys(code for code in codes if code))

    def build(self) -> ClaimVisit | None:
        visit, exam, stay = self.visit, self.exam, self.stay
        if stay.status != DISCHARGED or stay.discharged_at is None:
            self.problems.append("chưa ra viện")
            return None
        shared = self.shared_fields()
        course = self._course()
        departments = self._departments()
        if self.problems:
            return None
        main_code = stay.discharge_icd_code or stay.admission_icd_code
        diagnoses = self.c.diagnoses.get(visit.id, [])
        others = {d.icd_code: d.name_vi for d in diagnoses if d.icd_code != main_code}
        main_text = f"{main_code} - {stay.discharge_diagnosis or stay.admission_diagnosis}"
        discharged = local(stay.discharged_at)
        assert discharged is not None
        reason = (exam.reason if exam else None) or REASON_OF_ORIGIN.get(stay.admitted_from)
        return ClaimVisit(
            **shared,
            record_number=stay.stay_number,
            visit_kind=DAY_CARE_KIND if stay.kind == "day_care" else INPATIENT_KIND,
            admitted_at=local(visit.registered_at),  # type: ignore[arg-type]
            inpatient_from=local(stay.admitted_at),
            discharged_at=discharged,
            reason_for_visit=reason or stay.admission_reason or "Khám bệnh",
            inpatient_reason=stay.admission_reason or stay.admission_diagnosis,
            admission_diagnosis=f"{stay.admission_icd_code} - {stay.admission_diagnosis}",
            discharge_diagnosis="; ".join(
                [main_text, *(f"{code} - {name}" for code, name in others.items())]
            ),
            main_icd10=main_code.replace(".", ""),
            other_icd10=tuple(code.replace(".", "") for code in others),
            department_codes=departments,
            treatment_result=RESULT_OF_DISCHARGE.get(stay.discharge_kind or "", 7),
            discharge_type=TYPE_OF_DISCHARGE.get(stay.discharge_kind or "", 1),
            settlement_year=discharged.year,
            settlement_month=discharged.month,
            treatment_method=stay.discharge_summary,
            doctor_advice=stay.discharge_advice,
            course=course,
        )


def load_stays(
    session: Session, visit_ids: Sequence[int], certificates: CertificateLookup | None = None
) -> LoadedMonth:
    """ClaimVisits of the stays of the given visits, in their order; the others held back
    with why. `certificates` finds MA_BAC_SI by login (default: the staff records)."""
    loaded = LoadedMonth()
    chunk = StayChunk(session, visit_ids, certificates or practising_certificates)
    chunk.load()
    for visit_id in visit_ids:
        if visit_id not in chunk.visits or visit_id not in chunk.stays:
            continue
        claim = _StayClaim(chunk, visit_id)
        built = claim.build()
        if built is None:
            number = chunk.visits[visit_id][0].visit_number
            loaded.held_back.append(
                {
                    "visit": number,
                    "stay": chunk.stays[visit_id].stay_number,
                    "reasons": sorted(set(claim.problems)),
                }
            )
        else:
            loaded.claims.append(built)
    return loaded


def month_stay_claims(
    db: Database, facility_code: str, month: str, held_back: list[dict[str, object]] | None = None
) -> Iterator[ClaimVisit]:
    """The month's inpatient claims, read chunk by chunk; stays not ready go to `held_back`."""
    with db.session() as session:
        visit_ids = inpatient_visits_of_month(session, facility_code, month)
    for start in range(0, len(visit_ids), CHUNK):
        with db.session() as session:
            loaded = load_stays(session, visit_ids[start : start + CHUNK])
        if held_back is not None:
            held_back.extend(loaded.held_back)
        yield from loaded.claims
