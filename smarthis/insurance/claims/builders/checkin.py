"""The check-in table (bảng check-in, XML0): sent when the patient arrives, before any claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from smarthis.insurance.claims.builders.record import Record, make_record
from smarthis.insurance.claims.formats import birth, day, timestamp
from smarthis.insurance.claims.inputs import ClaimCard, ClaimPatient, ClaimVisit


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstCharge:
    """The first cost at the treating department: an examination or service, a drug, or a
    supply (the table carries exactly one of the three codes)."""

    kind: Literal["service", "drug", "supply"]
    code: str
    name: str
    ordered_at: datetime  # NGAY_YL


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckIn:
    claim_code: str  # MA_LK
    facility_code: str  # MA_CSKCB
    patient: ClaimPatient
    category: str  # MA_DOITUONG_KCB
    visit_kind: str  # MA_LOAI_KCB
    admitted_at: datetime  # NGAY_VAO
    first_charge: FirstCharge
    card: ClaimCard | None = None
    inpatient_from: datetime | None = None  # NGAY_VAO_NOI_TRU
    inpatient_reason: str | None = None  # LY_DO_VNT
    inpatient_reason_code: str | None = None  # MA_LY_DO_VNT

    @classmethod
    def from_claim(cls, visit: ClaimVisit) -> CheckIn:
        return cls(
            claim_code=visit.claim_code,
            facility_code=visit.facility_code,
            patient=visit.patient,
            category=visit.category,
            visit_kind=visit.visit_kind,
            admitted_at=visit.admitted_at,
            first_charge=first_charge(visit),
            card=visit.cards[0] if visit.cards else None,
            inpatient_from=visit.inpatient_from,
            inpatient_reason=visit.inpatient_reason,
            inpatient_reason_code=visit.inpatient_reason_code,
        )


def first_charge(visit: ClaimVisit) -> FirstCharge:
    """The earliest ordered line of the visit (services first on a tie: the examination)."""
    candidates: list[tuple[datetime, int, FirstCharge]] = []
    for s in visit.services:
        if s.is_supply and s.supply_code:
            charge = FirstCharge(
                kind="supply", code=s.supply_code, name=s.supply_name or "", ordered_at=s.ordered_at
            )
        else:
            charge = FirstCharge(
                kind="service",
                code=s.service_code or "",
                name=s.service_name or "",
                ordered_at=s.ordered_at,
            )
        candidates.append((s.ordered_at, 0, charge))
    for d in visit.drugs:
        charge = FirstCharge(kind="drug", code=d.drug_code, name=d.name, ordered_at=d.ordered_at)
        candidates.append((d.ordered_at, 1, charge))
    if not candidates:
        raise ValueError(f"visit {visit.claim_code} has no line to report at check-in")
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


def checkin_records(checkins: list[CheckIn]) -> list[Record]:
    return [_record(stt, c) for stt, c in enumerate(checkins, start=1)]


def _record(stt: int, c: CheckIn) -> Record:
    patient, card, charge = c.patient, c.card, c.first_charge
    return make_record(
        "XML0",
        {
            "MA_LK": c.claim_code,
            "STT": stt,
            "MA_BN": patient.patient_code,
            "HO_TEN": patient.full_name,
            "SO_CCCD": patient.citizen_id,
            "NGAY_SINH": birth(patient.birth_date, patient.birth_year),
            "GIOI_TINH": patient.sex,
            "MA_THE_BHYT": card.code if card else None,
            "MA_DKBD": card.registered_facility if card else None,
            "GT_THE_TU": day(card.valid_from) if card else None,
            "GT_THE_DEN": day(card.valid_to) if card else None,
            "MA_DOITUONG_KCB": c.category,
            "NGAY_VAO": timestamp(c.admitted_at),
            "NGAY_VAO_NOI_TRU": timestamp(c.inpatient_from),
            "LY_DO_VNT": c.inpatient_reason,
            "MA_LY_DO_VNT": c.inpatient_reason_code,
            "MA_LOAI_KCB": c.visit_kind,
            "MA_CSKCB": c.facility_code,
            "MA_DICH_VU": charge.code if charge.kind == "service" else None,
            "TEN_DICH_VU": charge.name if charge.kind == "service" else None,
            "MA_THUOC": charge.code if charge.kind == "drug" else None,
            "TEN_THUOC": charge.name if charge.kind == "drug" else None,
            "MA_VAT_TU": charge.code if charge.kind == "supply" else None,
            "TEN_VAT_TU": charge.name if charge.kind == "supply" else None,
            "NGAY_YL": timestamp(charge.ordered_at),
        },
    )
