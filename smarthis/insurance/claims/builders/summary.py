"""Table 1 (XML1, TONG_HOP): the visit's summary, one record per claim."""

from __future__ import annotations

from smarthis.insurance.claims.builders.record import Record, make_record
from smarthis.insurance.claims.formats import birth, day, joined, local, number, timestamp
from smarthis.insurance.claims.inputs import ClaimVisit

# SO_NGAY_DTRI by MA_LOAI_KCB (4750 amendment): no days for an examination, a drug pick-up
# by appointment or an inpatient stay under 4 hours; calendar days, both ends counted, for
# outpatient and inpatient treatment. Kinds 05 and 08 count drug or service days: the
# caller gives those.
ZERO_DAY_KINDS = frozenset({"01", "07", "09"})
CALENDAR_DAY_KINDS = frozenset({"02", "03", "04", "06"})


def treatment_days(visit: ClaimVisit) -> int | None:
    if visit.treatment_days is not None:
        return visit.treatment_days
    if visit.visit_kind in ZERO_DAY_KINDS:
        return 0
    if visit.visit_kind in CALENDAR_DAY_KINDS:
        return (local(visit.discharged_at).date() - local(visit.admitted_at).date()).days + 1
    return None


def summary_record(visit: ClaimVisit) -> Record:
    patient, cards, totals = visit.patient, visit.cards, visit.totals
    return make_record(
        "XML1",
        {
            "MA_LK": visit.claim_code,
            "STT": 1,
            "MA_BN": patient.patient_code,
            "HO_TEN": patient.full_name,
            "SO_CCCD": patient.citizen_id,
            "NGAY_SINH": birth(patient.birth_date, patient.birth_year),
            "GIOI_TINH": patient.sex,
            "NHOM_MAU": patient.blood_group,
            "MA_QUOCTICH": patient.nationality_code,
            "MA_DANTOC": patient.ethnicity_code,
            "MA_NGHE_NGHIEP": patient.occupation_code,
            "DIA_CHI": patient.address,
            "MATINH_CU_TRU": patient.province_code,
            "MAHUYEN_CU_TRU": patient.district_code,
            "MAXA_CU_TRU": patient.ward_code,
            "DIEN_THOAI": patient.phone,
            "MA_THE_BHYT": joined(c.code for c in cards),
            "MA_DKBD": joined(c.registered_facility for c in cards),
            "GT_THE_TU": joined(day(c.valid_from) for c in cards),
            "GT_THE_DEN": joined(day(c.valid_to) for c in cards),
            "NGAY_MIEN_CCT": day(visit.copay_exempt_from),
            "LY_DO_VV": visit.reason_for_visit,
            "LY_DO_VNT": visit.inpatient_reason,
            "MA_LY_DO_VNT": visit.inpatient_reason_code,
            "CHAN_DOAN_VAO": visit.admission_diagnosis,
            "CHAN_DOAN_RV": visit.discharge_diagnosis,
            "MA_BENH_CHINH": visit.main_icd10,
            "MA_BENH_KT": joined(visit.other_icd10),
            "MA_BENH_YHCT": joined(visit.traditional_codes),
            "MA_PTTT_QT": joined(visit.procedure_codes),
            "MA_DOITUONG_KCB": visit.category,
            "MA_NOI_DI": visit.referred_from,
            "MA_NOI_DEN": visit.referred_to,
            "MA_TAI_NAN": visit.accident_code,
            "NGAY_VAO": timestamp(visit.admitted_at),
            "NGAY_VAO_NOI_TRU": timestamp(visit.inpatient_from),
            "NGAY_RA": timestamp(visit.discharged_at),
            "GIAY_CHUYEN_TUYEN": visit.referral_paper,
            "SO_NGAY_DTRI": treatment_days(visit),
            "PP_DIEU_TRI": visit.treatment_method,
            "KET_QUA_DTRI": visit.treatment_result,
            "MA_LOAI_RV": visit.discharge_type,
            "GHI_CHU": visit.doctor_advice,
            "NGAY_TTOAN": timestamp(visit.paid_at),
            "T_THUOC": totals.drugs,
            "T_VTYT": totals.supplies,
            "T_TONGCHI_BV": totals.hospital_total,
            "T_TONGCHI_BH": totals.insurance_total,
            "T_BNTT": totals.patient_self_pay,
            "T_BNCCT": totals.patient_copay,
            "T_BHTT": totals.fund_pays,
            "T_NGUONKHAC": totals.other_sources,
            "T_BHTT_GDV": totals.fund_pays_fee_for_service,
            "NAM_QT": visit.settlement_year,
            "THANG_QT": visit.settlement_month,
            "MA_LOAI_KCB": visit.visit_kind,
            "MA_KHOA": joined(visit.department_codes),
            "MA_CSKCB": visit.facility_code,
            "MA_KHUVUC": visit.area_code,
            # A string field in the table, written with 2 decimals.
            "CAN_NANG": number(patient.weight_kg, 2),
            "CAN_NANG_CON": joined(number(w, 0) for w in visit.newborn_weights_g),
            "NAM_NAM_LIEN_TUC": day(visit.five_years_from),
            "NGAY_TAI_KHAM": joined(day(d) for d in visit.follow_up_dates),
            "MA_HSBA": visit.record_number,
            "MA_TTDV": visit.head_signatory_id,
        },
    )
