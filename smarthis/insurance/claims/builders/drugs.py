"""Table 2 (XML2): one record per drug line."""

from __future__ import annotations

from smarthis.insurance.claims.builders.lines import amount_fields
from smarthis.insurance.claims.builders.record import Record, flag, make_record
from smarthis.insurance.claims.formats import joined, timestamp
from smarthis.insurance.claims.inputs import ClaimVisit, DrugLine


def drug_records(visit: ClaimVisit) -> list[Record]:
    return [_record(visit.claim_code, stt, d) for stt, d in enumerate(visit.drugs, start=1)]


def _record(claim_code: str, stt: int, d: DrugLine) -> Record:
    return make_record(
        "XML2",
        {
            "MA_LK": claim_code,
            "STT": stt,
            "MA_THUOC": d.drug_code,
            "MA_PP_CHEBIEN": d.preparation_codes,
            "MA_CSKCB_THUOC": d.source_facility,
            "MA_NHOM": d.cost_group,
            "TEN_THUOC": d.name,
            "DON_VI_TINH": d.unit,
            "HAM_LUONG": d.strength,
            "DUONG_DUNG": d.route_code,
            "DANG_BAO_CHE": d.dosage_form,
            "LIEU_DUNG": d.dosage,
            "CACH_DUNG": d.usage,
            "SO_DANG_KY": d.registration_number,
            "TT_THAU": d.tender_info,
            "PHAM_VI": d.scope,
            "TYLE_TT_BH": d.ratio_insurance,
            "SO_LUONG": d.quantity,
            "DON_GIA": d.unit_price,
            **amount_fields(d.amounts),
            "MA_KHOA": d.department_code,
            "MA_BAC_SI": joined(d.doctor_codes),
            "MA_DICH_VU": joined(d.service_codes),
            "NGAY_YL": timestamp(d.ordered_at),
            "NGAY_TH_YL": timestamp(d.given_at),
            "MA_PTTT": d.payment_method,
            "NGUON_CTRA": d.funding_source,
            "VET_THUONG_TP": flag(d.recurrent_wound),
        },
    )
