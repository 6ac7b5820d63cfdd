"""The money fields every drug and service line shares (tables 2 and 3)."""

from __future__ import annotations

from smarthis.insurance.claims.builders.record import RawValue
from smarthis.insurance.claims.inputs import LineAmounts


def amount_fields(a: LineAmounts) -> dict[str, RawValue]:
    return {
        "THANH_TIEN_BV": a.hospital_amount,
        "THANH_TIEN_BH": a.insurance_amount,
        "T_NGUONKHAC_NSNN": a.other_state_budget,
        "T_NGUONKHAC_VTNN": a.other_foreign_aid,
        "T_NGUONKHAC_VTTN": a.other_domestic_aid,
        "T_NGUONKHAC_CL": a.other_remaining,
        "T_NGUONKHAC": a.other_sources,
        "MUC_HUONG": a.share_percent,
        "T_BNTT": a.patient_self_pay,
        "T_BNCCT": a.patient_copay,
        "T_BHTT": a.fund_pays,
    }
