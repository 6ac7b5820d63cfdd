"""Table 3 (XML3): one record per technical service, examination, bed day or supply."""

from __future__ import annotations

from smarthis.insurance.claims.builders.lines import amount_fields
from smarthis.insurance.claims.builders.record import Record, flag, make_record
from smarthis.insurance.claims.formats import joined, timestamp
from smarthis.insurance.claims.inputs import ClaimVisit, ServiceLine


def service_records(visit: ClaimVisit) -> list[Record]:
    return [
        _record(visit.claim_code, visit.main_icd10, stt, s)
        for stt, s in enumerate(visit.services, start=1)
    ]


def _record(claim_code: str, main_icd10: str, stt: int, s: ServiceLine) -> Record:
    return make_record(
        "XML3",
        {
            "MA_LK": claim_code,
            "STT": stt,
            "MA_DICH_VU": s.service_code,
            "MA_PTTT_QT": joined(s.procedure_codes),
            "MA_VAT_TU": s.supply_code,
            "MA_NHOM": s.cost_group,
            "GOI_VTYT": s.supply_package,
            "TEN_VAT_TU": s.supply_name,
            "TEN_DICH_VU": s.service_name,
            "MA_XANG_DAU": s.fuel_code,
            "DON_VI_TINH": s.unit,
            "PHAM_VI": s.scope,
            "SO_LUONG": s.quantity,
            "DON_GIA_BV": s.hospital_price,
            "DON_GIA_BH": s.insurance_price,
            "TT_THAU": s.tender_info,
            "TYLE_TT_DV": s.ratio_service,
            "TYLE_TT_BH": s.ratio_insurance,
            **amount_fields(s.amounts),
            "T_TRANTT": s.ceiling,
            "MA_KHOA": s.department_code,
            "MA_GIUONG": s.bed_code,
            "MA_BAC_SI": joined(s.doctor_codes),
            "NGUOI_THUC_HIEN": joined(s.performer_codes),
            # Empty would mean "for the main diagnosis", but pre-submission checkers require
            # the field: write the main diagnosis out.
            "MA_BENH": joined(s.icd10_codes) or main_icd10,
            "NGAY_YL": timestamp(s.ordered_at),
            "NGAY_TH_YL": timestamp(s.performed_at),
            "NGAY_KQ": timestamp(s.result_at),
            "MA_PTTT": s.payment_method,
            "VET_THUONG_TP": flag(s.recurrent_wound),
            "PP_VO_CAM": s.anaesthesia,
            "VI_TRI_TH_DVKT": s.body_site,
            "MA_MAY": joined(s.machine_codes),
            "MA_HIEU_SP": s.product_code,
            "TAI_SU_DUNG": flag(s.reusable),
        },
    )
