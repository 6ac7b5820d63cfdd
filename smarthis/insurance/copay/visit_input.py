"""The visit as JSON (the `smarthis insurance split` input) to a `Visit`, and the split back.

Every refusal names the field the way the JSON spells it (`lines[0].quantity`), so a
cashier's tool or a test can point at the exact mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from smarthis.errors import DomainError
from smarthis.insurance.copay.visit import ChargeLine, Visit, VisitSplit

_VISIT_FIELDS = {
    "visit_date",
    "benefit_level",
    "category",
    "inpatient",
    "five_years_reached_on",
    "copay_paid_this_year",
    "copay_paid_before_salary_change",
    "lines",
}
_LINE_FIELDS = {
    "quantity",
    "hospital_price",
    "insurance_price",
    "ratio_service",
    "ratio_insurance",
    "in_benefit_list",
}
# Far beyond any hospital bill; refuses numbers whose exact arithmetic would crawl.
_LARGEST = Decimal(10) ** 15
_FINEST_EXPONENT = -20


class BadField(DomainError):
    status_code = 422

    def __init__(self, field: str, message_en: str, message_vi: str):
        super().__init__("copay_bad_field", message_vi, message_en, field=field)


def parse_visit(data: Any) -> Visit:
    if not isinstance(data, Mapping):
        raise BadField("(root)", "must be a JSON object", "phải là một đối tượng JSON")
    _refuse_unknown(data, _VISIT_FIELDS, "")
    raw_lines = _required(data, "lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise BadField("lines", "must be a non-empty list", "phải là danh sách có ít nhất 1 dòng")
    copay_paid = _whole_vnd(data, "copay_paid_this_year", default=0)
    before_change = _whole_vnd(data, "copay_paid_before_salary_change", default=None)
    if before_change is not None and before_change > copay_paid:
        raise BadField(
            "copay_paid_before_salary_change",
            "must not exceed copay_paid_this_year",
            "không được lớn hơn copay_paid_this_year",
        )
    return Visit(
        visit_date=_date(data, "visit_date", required=True),  # type: ignore[arg-type]
        benefit_level=_benefit_level(data),
        category=_category(data),
        inpatient=_bool(data, "inpatient", "inpatient", default=False),
        lines=tuple(_line(raw, f"lines[{index}]") for index, raw in enumerate(raw_lines)),
        five_years_reached_on=_date(data, "five_years_reached_on", required=False),
        copay_paid_this_year=copay_paid,  # type: ignore[arg-type]
        copay_paid_before_salary_change=before_change,
    )


def split_to_json(split: VisitSplit) -> dict[str, Any]:
    totals = split.totals
    return {
        "muc_huong": _json_number(split.muc_huong),
        "totals": {
            "hospital_total": totals.hospital_total,
            "insurance_scope_total": totals.insurance_scope_total,
            "fund_pays": totals.fund_pays,
            "patient_copay": totals.patient_copay,
            "patient_self_pay": totals.patient_self_pay,
        },
        "lines": [
            {
                "hospital_amount": line.hospital_amount,
                "insurance_scope": line.insurance_scope,
                "fund_pays": line.fund_pays,
                "patient_copay": line.patient_copay,
                "patient_self_pay": line.patient_self_pay,
                "explanation_vi": line.explanation_vi,
            }
            for line in split.lines
        ],
        "explanation_vi": split.explanation_vi,
        "warnings_vi": list(split.warnings_vi),
    }


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _refuse_unknown(data: Mapping[str, Any], known: set[str], prefix: str) -> None:
    # A misspelt optional field (ratio_servce) would otherwise silently take its default.
    for key in data:
        if key not in known:
            raise BadField(f"{prefix}{key}", "unknown field", "trường không được hỗ trợ")


def _required(data: Mapping[str, Any], key: str, path: str | None = None) -> Any:
    if key not in data or data[key] is None:
        raise BadField(path or key, "is required", "bắt buộc phải có")
    return data[key]


def _date(data: Mapping[str, Any], key: str, *, required: bool) -> date | None:
    value = _required(data, key) if required else data.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadField(key, "must be a date YYYY-MM-DD", "phải là ngày dạng YYYY-MM-DD") from None


def _benefit_level(data: Mapping[str, Any]) -> int:
    value = _required(data, "benefit_level")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise BadField("benefit_level", "must be an integer 1 to 5", "phải là số nguyên từ 1 đến 5")
    return value


def _category(data: Mapping[str, Any]) -> str:
    value = _required(data, "category")
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise BadField(
            "category",
            'must be a MA_DOITUONG_KCB code such as "1.1"',
            'phải là mã đối tượng KCB, ví dụ "1.1"',
        )
    return str(value).strip()


def _bool(data: Mapping[str, Any], key: str, path: str, *, default: bool) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadField(path, "must be true or false", "phải là true hoặc false")
    return value


def _number(value: Any, path: str, *, positive: bool, at_most: Decimal | None = None) -> Decimal:
    wanted_en = "a positive number" if positive else "a number not below 0"
    wanted_vi = "một số dương" if positive else "một số không âm"
    if at_most is not None:
        wanted_en = f"a number from 0 to {at_most}"
        wanted_vi = f"một số từ 0 đến {at_most}"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise BadField(path, f"must be {wanted_en}", f"phải là {wanted_vi}")
    # A float (from a caller that parsed JSON itself) is taken as its shortest decimal form.
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise BadField(path, f"must be {wanted_en}", f"phải là {wanted_vi}")
    too_fine = int(number.as_tuple().exponent) < _FINEST_EXPONENT  # type: ignore[arg-type]
    out_of_range = (
        number < 0
        or (positive and number == 0)
        or (at_most is not None and number > at_most)
        or number >= _LARGEST
    )
    if too_fine or out_of_range:
        raise BadField(path, f"must be {wanted_en}", f"phải là {wanted_vi}")
    return number


def _whole_vnd(data: Mapping[str, Any], key: str, *, default: int | None) -> int | None:
    value = data.get(key)
    if value is None:
        return default
    number = _number(value, key, positive=False)
    if number != number.to_integral_value():
        raise BadField(key, "must be a whole number of VND", "phải là số đồng nguyên")
    return int(number)


def _line(raw: Any, path: str) -> ChargeLine:
    if not isinstance(raw, Mapping):
        raise BadField(path, "must be a JSON object", "phải là một đối tượng JSON")
    _refuse_unknown(raw, _LINE_FIELDS, f"{path}.")

    def field(key: str, *, positive: bool = False, at_most: Decimal | None = None) -> Decimal:
        value = _required(raw, key, f"{path}.{key}")
        return _number(value, f"{path}.{key}", positive=positive, at_most=at_most)

    def optional_ratio(key: str) -> Decimal:
        if raw.get(key) is None:
            return Decimal(100)
        return field(key, at_most=Decimal(100))

    return ChargeLine(
        quantity=field("quantity", positive=True),
        hospital_price=field("hospital_price"),
        insurance_price=field("insurance_price"),
        ratio_service=optional_ratio("ratio_service"),
        ratio_insurance=optional_ratio("ratio_insurance"),
        in_benefit_list=_bool(raw, "in_benefit_list", f"{path}.in_benefit_list", default=True),
    )
