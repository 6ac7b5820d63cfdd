"""Rules within one record: conditional required fields, allowed values, time order.

Conditions come from the validation-rules sheet ('Bắt buộc' column) and allowed values from
the field descriptions of Decision 130/4750.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.validation.issues import ValidationIssue, issue
from smarthis.insurance.claims.validation.values import moment

RecordRule = Callable[[str, int, Record], list[ValidationIssue]]


def _group(record: Record) -> int | None:
    text = record.get("MA_NHOM", "")
    return int(text) if text.isdigit() else None


def _required_if(field: str, condition: Callable[[Record], bool], detail: str) -> RecordRule:
    def rule(file: str, position: int, record: Record) -> list[ValidationIssue]:
        if record.get(field) or not condition(record):
            return []
        return [issue(file, position, field, "required_if", detail=detail)]

    return rule


def _one_of(fields: tuple[str, ...]) -> RecordRule:
    detail = " / ".join(fields)

    def rule(file: str, position: int, record: Record) -> list[ValidationIssue]:
        if any(record.get(f) for f in fields):
            return []
        return [issue(file, position, fields[0], "required_if", detail=f"{detail} đều trống")]

    return rule


def _allowed(field: str, values: frozenset[str], wording: str) -> RecordRule:
    def rule(file: str, position: int, record: Record) -> list[ValidationIssue]:
        text = record.get(field)
        if not text or text in values:
            return []
        return [issue(file, position, field, "value_domain", value=text, expected=wording)]

    return rule


def _pattern(field: str, pattern: str, wording: str, *, listed: bool = False) -> RecordRule:
    """The value (each item of a ";" list when `listed`) must match `pattern`."""
    compiled = re.compile(pattern)

    def rule(file: str, position: int, record: Record) -> list[ValidationIssue]:
        text = record.get(field)
        items = text.split(";") if text and listed else [text]
        if not text or all(compiled.fullmatch(item or "") for item in items):
            return []
        return [issue(file, position, field, "value_domain", value=text, expected=wording)]

    return rule


def _percent(field: str) -> RecordRule:
    def rule(file: str, position: int, record: Record) -> list[ValidationIssue]:
        text = record.get(field, "")
        try:
            if not text or 0 <= float(text) <= 100:
                return []
        except ValueError:
            return []  # the type check reports it
        return [issue(file, position, field, "value_domain", value=text, expected="0-100")]

    return rule


def _not_before(later: str, earlier: str) -> RecordRule:
    def rule(file: str, position: int, record: Record) -> list[ValidationIssue]:
        end, start = moment(record.get(later)), moment(record.get(earlier))
        if end is None or start is None or end >= start:
            return []
        return [issue(file, position, later, "time_order", value=record[later], expected=earlier)]

    return rule


def _codes(*values: int | str) -> frozenset[str]:
    return frozenset(str(v) for v in values)


CCCD = _pattern(
    "SO_CCCD", r"\d{9}|\d{12}|[A-Z]\d{7}", "9 hoặc 12 chữ số, hoặc 1 chữ in hoa + 7 chữ số"
)
# 15-character card codes: group, benefit level 1-5, province, social-insurance number.
CARD_CODE = r"[A-Z]{2}[1-5]\d{12}"
CARD_WORDING = "15 ký tự: 2 chữ cái, mức hưởng 1-5, 12 chữ số"
SEX = _allowed("GIOI_TINH", _codes(1, 2, 3), "1, 2, 3")
PAYMENT = _allowed("MA_PTTT", _codes(1, 2, 3), "1, 2, 3")
SCOPE = _allowed("PHAM_VI", _codes(1, 2, 3), "1, 2, 3")
RECURRENT = _allowed("VET_THUONG_TP", _codes(1), "1 hoặc để trống")
SERVICE_GROUPS_WITH_PERFORMER = frozenset({1, 2, 3, 8, 18})

RECORD_RULES: dict[str, tuple[RecordRule, ...]] = {
    "XML0": (
        _one_of(("MA_DICH_VU", "MA_THUOC", "MA_VAT_TU")),
        _required_if("TEN_DICH_VU", lambda r: bool(r.get("MA_DICH_VU")), "có MA_DICH_VU"),
        _required_if("TEN_THUOC", lambda r: bool(r.get("MA_THUOC")), "có MA_THUOC"),
        _required_if("TEN_VAT_TU", lambda r: bool(r.get("MA_VAT_TU")), "có MA_VAT_TU"),
        _required_if("LY_DO_VNT", lambda r: bool(r.get("NGAY_VAO_NOI_TRU")), "có NGAY_VAO_NOI_TRU"),
        _not_before("NGAY_VAO_NOI_TRU", "NGAY_VAO"),
        _pattern("MA_THE_BHYT", CARD_CODE, CARD_WORDING),
        _pattern("MA_DKBD", r"[0-9A-Z]{5}", "5 ký tự"),
        CCCD,
        SEX,
    ),
    "XML1": (
        _required_if("LY_DO_VNT", lambda r: bool(r.get("NGAY_VAO_NOI_TRU")), "có NGAY_VAO_NOI_TRU"),
        _not_before("NGAY_VAO_NOI_TRU", "NGAY_VAO"),
        _not_before("NGAY_RA", "NGAY_VAO"),
        _pattern("MA_THE_BHYT", CARD_CODE, CARD_WORDING, listed=True),
        _pattern("MA_DKBD", r"[0-9A-Z]{5}", "5 ký tự mỗi mã", listed=True),
        CCCD,
        SEX,
        _allowed("KET_QUA_DTRI", _codes(*range(1, 9)), "1-8"),
        _allowed("MA_LOAI_RV", _codes(*range(1, 6)), "1-5"),
        _allowed("THANG_QT", _codes(*range(1, 13)), "1-12"),
        _pattern("MA_TTDV", r"\d{10}", "10 chữ số"),
        _pattern("MA_KHUVUC", r"K[123]", "K1, K2, K3"),
    ),
    "XML2": (
        _required_if("TT_THAU", lambda r: _group(r) not in (7, 17), "MA_NHOM khác 7 và 17"),
        _not_before("NGAY_TH_YL", "NGAY_YL"),
        SCOPE,
        PAYMENT,
        RECURRENT,
        _percent("TYLE_TT_BH"),
        _percent("MUC_HUONG"),
    ),
    "XML3": (
        _one_of(("MA_DICH_VU", "MA_VAT_TU")),
        _required_if("TEN_DICH_VU", lambda r: bool(r.get("MA_DICH_VU")), "có MA_DICH_VU"),
        _required_if("TEN_VAT_TU", lambda r: bool(r.get("MA_VAT_TU")), "có MA_VAT_TU"),
        _required_if("MA_XANG_DAU", lambda r: _group(r) == 12, "MA_NHOM = 12"),
        _required_if("TT_THAU", lambda r: _group(r) == 10, "MA_NHOM = 10"),
        _required_if(
            "NGUOI_THUC_HIEN",
            lambda r: _group(r) in SERVICE_GROUPS_WITH_PERFORMER,
            "MA_NHOM = 1, 2, 3, 8, 18",
        ),
        _required_if(
            "NGAY_TH_YL",
            lambda r: _group(r) in SERVICE_GROUPS_WITH_PERFORMER,
            "MA_NHOM = 1, 2, 3, 8, 18",
        ),
        _not_before("NGAY_TH_YL", "NGAY_YL"),
        _not_before("NGAY_KQ", "NGAY_YL"),
        SCOPE,
        PAYMENT,
        RECURRENT,
        _allowed("TAI_SU_DUNG", _codes(1), "1 hoặc để trống"),
        _allowed("PP_VO_CAM", _codes(1, 2, 3, 4), "1-4"),
        _pattern("GOI_VTYT", r"G[1-9]\d{0,2}", "G + số từ 1 đến 999"),
        _percent("TYLE_TT_DV"),
        _percent("TYLE_TT_BH"),
        _percent("MUC_HUONG"),
    ),
    "XML4": (_required_if("NGAY_KQ", lambda r: bool(r.get("GIA_TRI")), "có GIA_TRI"),),
    "XML5": (),
}


def check_record(file: str, position: int, record: Record) -> list[ValidationIssue]:
    found: list[ValidationIssue] = []
    for rule in RECORD_RULES.get(file, ()):
        found.extend(rule(file, position, record))
    return found
