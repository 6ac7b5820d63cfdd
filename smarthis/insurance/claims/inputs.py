"""What a finished visit's claim is made of: the interface the visit and billing domains
fill (from the database, the co-payment engine's split, the orders and results).

Names are English; each field says which XML 130 field it becomes. Money is `Decimal` VND
(whole VND from the co-payment engine fits), quantities and prices as the cashier typed
them; times are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimPatient:
    patient_code: str  # MA_BN
    full_name: str  # HO_TEN
    sex: int  # GIOI_TINH: 1 male, 2 female, 3 undetermined
    birth_date: date | datetime | None = None  # NGAY_SINH (datetime for newborns)
    birth_year: int | None = None  # NGAY_SINH when only the year is known
    citizen_id: str | None = None  # SO_CCCD (CCCD, passport or VNeID account)
    nationality_code: str = "000"  # MA_QUOCTICH (Circular 07/2016/TT-BCA, appendix 2)
    ethnicity_code: str = "01"  # MA_DANTOC (01: Kinh)
    occupation_code: str = "00000"  # MA_NGHE_NGHIEP (Decision 34/2020/QĐ-TTg)
    address: str = ""  # DIA_CHI
    province_code: str = ""  # MATINH_CU_TRU
    district_code: str = ""  # MAHUYEN_CU_TRU
    ward_code: str = ""  # MAXA_CU_TRU
    phone: str | None = None  # DIEN_THOAI
    blood_group: str | None = None  # NHOM_MAU
    weight_kg: Decimal | None = None  # CAN_NANG


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimCard:
    """One insurance card used during the stay; a stay may span a card renewal."""

    code: str  # MA_THE_BHYT (15 characters)
    registered_facility: str  # MA_DKBD
    valid_from: date  # GT_THE_TU
    valid_to: date | None  # GT_THE_DEN


@dataclass(frozen=True, slots=True, kw_only=True)
class LineAmounts:
    """One line's split, as the co-payment engine computes it."""

    hospital_amount: Decimal  # THANH_TIEN_BV
    insurance_amount: Decimal  # THANH_TIEN_BH
    share_percent: Decimal  # MUC_HUONG
    fund_pays: Decimal  # T_BHTT
    patient_copay: Decimal  # T_BNCCT
    patient_self_pay: Decimal  # T_BNTT
    other_state_budget: Decimal = Decimal(0)  # T_NGUONKHAC_NSNN
    other_foreign_aid: Decimal = Decimal(0)  # T_NGUONKHAC_VTNN
    other_domestic_aid: Decimal = Decimal(0)  # T_NGUONKHAC_VTTN
    other_remaining: Decimal = Decimal(0)  # T_NGUONKHAC_CL

    @property
    def other_sources(self) -> Decimal:  # T_NGUONKHAC
        return (
            self.other_state_budget
            + self.other_foreign_aid
            + self.other_domestic_aid
            + self.other_remaining
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DrugLine:
    """A drug, infusion, blood product, oxygen ... (table XML2)."""

    drug_code: str  # MA_THUOC (active ingredient code of the shared catalogue)
    cost_group: int  # MA_NHOM (appendix 3 of Decision 5937/QĐ-BYT)
    name: str  # TEN_THUOC
    unit: str  # DON_VI_TINH
    strength: str  # HAM_LUONG
    route_code: str  # DUONG_DUNG
    dosage: str  # LIEU_DUNG
    quantity: Decimal  # SO_LUONG
    unit_price: Decimal  # DON_GIA
    amounts: LineAmounts
    department_code: str  # MA_KHOA
    doctor_codes: tuple[str, ...]  # MA_BAC_SI
    ordered_at: datetime  # NGAY_YL
    scope: int = 1  # PHAM_VI: 1 in the benefit list, 2 outside, 3 outside but paid
    ratio_insurance: Decimal = Decimal(100)  # TYLE_TT_BH
    dosage_form: str | None = None  # DANG_BAO_CHE
    usage: str | None = None  # CACH_DUNG
    registration_number: str | None = None  # SO_DANG_KY
    tender_info: str | None = None  # TT_THAU
    preparation_codes: str | None = None  # MA_PP_CHEBIEN
    source_facility: str | None = None  # MA_CSKCB_THUOC
    service_codes: tuple[str, ...] = ()  # MA_DICH_VU (services the drug was used in)
    given_at: datetime | None = None  # NGAY_TH_YL
    payment_method: int = 1  # MA_PTTT: 1 fee for service, 2 capitation, 3 DRG
    funding_source: int = 1  # NGUON_CTRA
    recurrent_wound: bool = False  # VET_THUONG_TP


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceLine:
    """A technical service, examination, bed day, transport or medical supply (XML3).
    A supply used in a service carries both codes (service_code and supply_code)."""

    cost_group: int  # MA_NHOM
    unit: str  # DON_VI_TINH
    quantity: Decimal  # SO_LUONG
    hospital_price: Decimal  # DON_GIA_BV
    insurance_price: Decimal  # DON_GIA_BH
    amounts: LineAmounts
    department_code: str  # MA_KHOA
    doctor_codes: tuple[str, ...]  # MA_BAC_SI
    ordered_at: datetime  # NGAY_YL
    service_code: str | None = None  # MA_DICH_VU
    service_name: str | None = None  # TEN_DICH_VU
    supply_code: str | None = None  # MA_VAT_TU
    supply_name: str | None = None  # TEN_VAT_TU
    supply_package: str | None = None  # GOI_VTYT (G1, G2 ...)
    fuel_code: str | None = None  # MA_XANG_DAU (transport)
    scope: int = 1  # PHAM_VI
    tender_info: str | None = None  # TT_THAU
    ratio_service: Decimal = Decimal(100)  # TYLE_TT_DV
    ratio_insurance: Decimal = Decimal(100)  # TYLE_TT_BH
    ceiling: Decimal | None = None  # T_TRANTT
    bed_code: str | None = None  # MA_GIUONG
    performer_codes: tuple[str, ...] = ()  # NGUOI_THUC_HIEN
    icd10_codes: tuple[str, ...] = ()  # MA_BENH (empty: ordered for the main diagnosis)
    procedure_codes: tuple[str, ...] = ()  # MA_PTTT_QT (ICD-9-CM)
    performed_at: datetime | None = None  # NGAY_TH_YL
    result_at: datetime | None = None  # NGAY_KQ
    payment_method: int = 1  # MA_PTTT
    recurrent_wound: bool = False  # VET_THUONG_TP
    anaesthesia: int | None = None  # PP_VO_CAM
    body_site: int | None = None  # VI_TRI_TH_DVKT
    machine_codes: tuple[str, ...] = ()  # MA_MAY
    product_code: str | None = None  # MA_HIEU_SP
    reusable: bool = False  # TAI_SU_DUNG

    @property
    def is_supply(self) -> bool:
        return bool(self.supply_code)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParaclinicalResult:
    """One indicator of a lab, imaging or function test result (XML4)."""

    indicator_name: str  # TEN_CHI_SO
    service_code: str | None = None  # MA_DICH_VU
    indicator_code: str | None = None  # MA_CHI_SO
    value: str | None = None  # GIA_TRI
    unit: str | None = None  # DON_VI_DO
    description: str | None = None  # MO_TA
    conclusion: str | None = None  # KET_LUAN
    result_at: datetime | None = None  # NGAY_KQ
    reading_doctor_codes: tuple[str, ...] = ()  # MA_BS_DOC_KQ


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicalCourseEntry:
    """One entry of the clinical course (XML5): inpatient and day-care stays need them."""

    course: str  # DIEN_BIEN_LS
    at: datetime  # THOI_DIEM_DBLS
    performer_codes: tuple[str, ...]  # NGUOI_THUC_HIEN
    stage: str | None = None  # GIAI_DOAN_BENH
    consultation: str | None = None  # HOI_CHAN
    surgery: str | None = None  # PHAU_THUAT


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimTotals:
    """The visit's totals, from the co-payment engine (table 1 repeats them)."""

    drugs: Decimal  # T_THUOC
    supplies: Decimal  # T_VTYT
    hospital_total: Decimal  # T_TONGCHI_BV
    insurance_total: Decimal  # T_TONGCHI_BH
    patient_self_pay: Decimal  # T_BNTT
    patient_copay: Decimal  # T_BNCCT
    fund_pays: Decimal  # T_BHTT
    other_sources: Decimal  # T_NGUONKHAC
    fund_pays_fee_for_service: Decimal  # T_BHTT_GDV


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimVisit:
    """One finished visit (an outpatient visit or an inpatient stay) to be claimed."""

    claim_code: str  # MA_LK: unique per visit and facility
    facility_code: str  # MA_CSKCB
    record_number: str  # MA_HSBA
    patient: ClaimPatient
    category: str  # MA_DOITUONG_KCB (e.g. "1.1", "1.18", "2")
    visit_kind: str  # MA_LOAI_KCB ("01" examination, "03" inpatient ...)
    admitted_at: datetime  # NGAY_VAO
    discharged_at: datetime  # NGAY_RA
    reason_for_visit: str  # LY_DO_VV
    admission_diagnosis: str  # CHAN_DOAN_VAO
    discharge_diagnosis: str  # CHAN_DOAN_RV
    main_icd10: str  # MA_BENH_CHINH (code without dot, as claims write it)
    department_codes: tuple[str, ...]  # MA_KHOA, in the order the patient went through
    treatment_result: int  # KET_QUA_DTRI
    discharge_type: int  # MA_LOAI_RV
    settlement_year: int  # NAM_QT
    settlement_month: int  # THANG_QT
    totals: ClaimTotals
    visit_id: int | None = None  # SmartHIS visit, for the submission status
    cards: tuple[ClaimCard, ...] = ()  # empty: the visit does not use insurance
    area_code: str | None = None  # MA_KHUVUC (K1/K2/K3)
    copay_exempt_from: date | None = None  # NGAY_MIEN_CCT
    five_years_from: date | None = None  # NAM_NAM_LIEN_TUC
    inpatient_from: datetime | None = None  # NGAY_VAO_NOI_TRU
    inpatient_reason: str | None = None  # LY_DO_VNT
    inpatient_reason_code: str | None = None  # MA_LY_DO_VNT
    other_icd10: tuple[str, ...] = ()  # MA_BENH_KT
    traditional_codes: tuple[str, ...] = ()  # MA_BENH_YHCT
    procedure_codes: tuple[str, ...] = ()  # MA_PTTT_QT
    referred_from: str | None = None  # MA_NOI_DI
    referred_to: str | None = None  # MA_NOI_DEN
    referral_paper: str | None = None  # GIAY_CHUYEN_TUYEN
    accident_code: int | None = None  # MA_TAI_NAN
    treatment_days: int | None = None  # SO_NGAY_DTRI (None: computed from the kind)
    treatment_method: str | None = None  # PP_DIEU_TRI
    doctor_advice: str | None = None  # GHI_CHU
    paid_at: datetime | None = None  # NGAY_TTOAN
    newborn_weights_g: tuple[Decimal, ...] = ()  # CAN_NANG_CON
    follow_up_dates: tuple[date, ...] = ()  # NGAY_TAI_KHAM
    head_signatory_id: str | None = None  # MA_TTDV
    drugs: tuple[DrugLine, ...] = field(default=())
    services: tuple[ServiceLine, ...] = field(default=())
    results: tuple[ParaclinicalResult, ...] = field(default=())
    course: tuple[ClinicalCourseEntry, ...] = field(default=())
