"""What a failed check reports, and the catalogue of rules with their bilingual wording."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    vi: str  # templates: {field}, {value}, {expected}, {detail}
    en: str


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    file: str  # XML0 ... XML5, or ENVELOPE
    record: int | None  # 1-based position of the record in its file
    field: str | None
    rule: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" #{self.record}" if self.record else "")
        where += f" {self.field}" if self.field else ""
        return f"{where} [{self.rule}]: {self.message_vi} / {self.message_en}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "record": self.record,
            "field": self.field,
            "rule": self.rule,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


_RULES = [
    # Field rules: from the packaged tables.
    Rule("required", "Trường {field} là bắt buộc.", "Field {field} is required."),
    Rule(
        "required_if",
        "Trường {field} là bắt buộc khi {detail}.",
        "Field {field} is required when {detail}.",
    ),
    Rule(
        "max_size",
        "Trường {field} dài {value} ký tự, tối đa {expected}.",
        "Field {field} is {value} characters long, at most {expected} allowed.",
    ),
    Rule(
        "type_number",
        "Trường {field} phải là số (dấu chấm thập phân), nhận được '{value}'.",
        "Field {field} must be a number with '.' as decimal point, got '{value}'.",
    ),
    Rule(
        "decimals",
        "Trường {field} có quá {expected} chữ số thập phân: '{value}'.",
        "Field {field} has more than {expected} decimal places: '{value}'.",
    ),
    Rule(
        "format_date",
        "Trường {field} phải có dạng yyyyMMdd, nhận được '{value}'.",
        "Field {field} must be a date yyyyMMdd, got '{value}'.",
    ),
    Rule(
        "format_datetime",
        "Trường {field} phải có dạng yyyyMMddHHmm, nhận được '{value}'.",
        "Field {field} must be a time yyyyMMddHHmm, got '{value}'.",
    ),
    Rule(
        "format_birth",
        "Trường {field} phải gồm 12 chữ số yyyyMMddHHmm (ngày, tháng, giờ chưa rõ ghi 0), "
        "nhận được '{value}'.",
        "Field {field} must be 12 digits yyyyMMddHHmm (unknown parts as zeros), got '{value}'.",
    ),
    Rule(
        "unknown_field",
        "Trường {field} không có trong bảng {detail}.",
        "Field {field} is not defined in table {detail}.",
    ),
    Rule(
        "value_domain",
        "Giá trị '{value}' của trường {field} không hợp lệ: {expected}.",
        "Value '{value}' of field {field} is not allowed: {expected}.",
    ),
    Rule(
        "time_order",
        "Trường {field} ({value}) phải không sớm hơn {expected}.",
        "Field {field} ({value}) must not be earlier than {expected}.",
    ),
    # Catalogue: ICD-10 of Decision 4469/QĐ-BYT.
    Rule(
        "icd10_unknown",
        "Mã bệnh '{value}' của trường {field} không có trong danh mục ICD-10 (QĐ 4469).",
        "Code '{value}' of field {field} is not in the ICD-10 catalogue (Decision 4469).",
    ),
    Rule(
        "icd10_not_main",
        "Mã '{value}' không được dùng làm bệnh chính (phụ lục A2, QĐ 4469).",
        "Code '{value}' may not be the main diagnosis (appendix A2, Decision 4469).",
    ),
    Rule(
        "icd10_sex",
        "Mã '{value}' của trường {field} chỉ dùng cho người bệnh {expected}.",
        "Code '{value}' of field {field} is for patients of the other sex only ({expected}).",
    ),
    # Formulas: lines.
    Rule(
        "line_amount",
        "{field} = {value} nhưng theo công thức {detail} phải là {expected}.",
        "{field} = {value} but the formula {detail} gives {expected}.",
    ),
    # Formulas: totals of table 1 against the lines.
    Rule(
        "total",
        "{field} = {value} nhưng {detail} = {expected}.",
        "{field} = {value} but {detail} = {expected}.",
    ),
    Rule(
        "treatment_days",
        "SO_NGAY_DTRI = {value} nhưng với MA_LOAI_KCB {detail} phải là {expected}.",
        "SO_NGAY_DTRI = {value} but for MA_LOAI_KCB {detail} it must be {expected}.",
    ),
    # Across files.
    Rule(
        "file_missing",
        "Thiếu bảng {field}: {detail}.",
        "Table {field} is missing: {detail}.",
    ),
    Rule(
        "single_record",
        "Bảng XML1 phải có đúng 1 bản ghi, có {value}.",
        "Table XML1 must hold exactly 1 record, it holds {value}.",
    ),
    Rule(
        "ma_lk_mismatch",
        "MA_LK '{value}' khác MA_LK của bảng XML1 '{expected}'.",
        "MA_LK '{value}' differs from table XML1's '{expected}'.",
    ),
    Rule(
        "stt_sequence",
        "STT = {value}, phải tăng dần từ 1: cần {expected}.",
        "STT = {value}, must count up from 1: expected {expected}.",
    ),
    Rule(
        "outside_stay",
        "Trường {field} ({value}) nằm ngoài thời gian điều trị {expected}.",
        "Field {field} ({value}) is outside the stay {expected}.",
    ),
]
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}

# Checks of the validation-rules sheet for XML0-XML5 that this validator does not make, and
# why. Catalogue checks need the national catalogues the portal holds.
NOT_CHECKED: dict[str, str] = {
    "catalogue codes": (
        "'Check Danh mục' rows other than ICD-10 (MA_DOITUONG_KCB, MA_KHOA against appendix 5 "
        "of 5937, drug, supply and service codes, MA_DKBD, MA_NOI_DI/DEN facility codes): the "
        "shared catalogues are held by the portal; ICD-10 codes are checked"
    ),
    "4210 carry-overs": (
        "required flags written 'Như QĐ 4210' / 'Giữ nguyên như 4210' (XML2 SO_DANG_KY, "
        "MA_BAC_SI, MA_DICH_VU): the 4210 condition is not stated in the sheet"
    ),
    "T_NGUONKHAC allocation": (
        "the order in which other funding sources are deducted (T_BNTT, T_BNCCT, T_BHTT): "
        "with other sources only the line balance is checked"
    ),
    "MA_LY_DO_VNT": "the list of inpatient-admission reasons is not issued yet",
    "card validity": (
        "GT_THE_TU / GT_THE_DEN against the visit dates: the card check at reception decides "
        "(and a stay may run up to 15 days past expiry)"
    ),
    "practising certificates": "MA_BAC_SI / NGUOI_THUC_HIEN against the registered staff list",
    "ICD-10 age rules": "appendices A3.x of 4469 were not extracted into the catalogue",
    "MA_BENH_YHCT": "traditional-medicine disease codes: no catalogue in the product",
    "NGAY_KQ after 7 days": "results entered on the portal by hand after 7 days",
    "digital signature": "CHUKYDONVI is left empty (needs the facility's certificate)",
}


def issue(
    file: str,
    record: int | None,
    field: str | None,
    rule: str,
    **values: object,
) -> ValidationIssue:
    template = RULES[rule]
    words = {"field": field or "", "value": "", "expected": "", "detail": "", **values}
    return ValidationIssue(
        file=file,
        record=record,
        field=field,
        rule=rule,
        message_vi=template.vi.format(**words),
        message_en=template.en.format(**words),
    )
