"""The JSON a chip-card reader posts after reading a CCCD chip, keys as common readers name them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from smarthis.errors import DomainError
from smarthis.patients.identifiers.card_fields import parse_card_date, parse_sex
from smarthis.patients.identifiers.cccd import parse_cccd
from smarthis.patients.identifiers.cccd_card import CardFieldNames, CccdCard, check_identity
from smarthis.text import fold, tidy

CHIP_FIELDS = CardFieldNames(
    number="id_card",
    old_id_number="old_id_card",
    full_name="full_name",
    date_of_birth="date_of_birth",
    sex="gender",
    issue_date="date_of_issue",
    address="place_of_residence",
)
# Cards issued to people over 60 are valid for life and say so instead of a date.
_VALID_FOR_LIFE = "khong thoi han"


def _text(payload: Mapping[str, object], key: str, *, required: bool = False) -> str | None:
    value = payload.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(
                "chip_missing_field",
                f"Dữ liệu đầu đọc thiếu trường {key}",
                f"The reader's data lacks the field {key}",
                key,
            )
        return None
    if not isinstance(value, str):
        # A number sent as a JSON number loses its leading zeros (001... -> 1...).
        raise DomainError(
            "chip_field_type",
            f"Trường {key} phải là chuỗi ký tự",
            f"Field {key} must be a string",
            key,
        )
    return value.strip()


def _optional_tidy(payload: Mapping[str, object], key: str) -> str | None:
    value = _text(payload, key)
    return tidy(value) if value is not None else None


def _expiry(payload: Mapping[str, object]) -> date | None:
    value = _text(payload, "date_of_expiry")
    if value is None or fold(value) == _VALID_FOR_LIFE:
        return None
    return parse_card_date(value, "date_of_expiry")


def parse_chip_reader(payload: Mapping[str, object], *, today: date | None = None) -> CccdCard:
    if not isinstance(payload, Mapping):
        raise DomainError(
            "chip_payload",
            "Dữ liệu đầu đọc phải là một đối tượng JSON",
            "The reader's data must be a JSON object",
            None,
        )
    reference_day = today or date.today()
    number = _text(payload, CHIP_FIELDS.number, required=True) or ""
    info = parse_cccd(number, field=CHIP_FIELDS.number, today=reference_day)
    full_name = _text(payload, CHIP_FIELDS.full_name, required=True) or ""
    birth_text = _text(payload, CHIP_FIELDS.date_of_birth, required=True) or ""
    date_of_birth = parse_card_date(birth_text, CHIP_FIELDS.date_of_birth)
    sex = parse_sex(_text(payload, CHIP_FIELDS.sex, required=True) or "", CHIP_FIELDS.sex)
    issue_text = _text(payload, CHIP_FIELDS.issue_date)
    issue_date = parse_card_date(issue_text, CHIP_FIELDS.issue_date) if issue_text else None
    date_of_expiry = _expiry(payload)
    checked = check_identity(
        info=info,
        old_id_number=_text(payload, CHIP_FIELDS.old_id_number),
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        issue_date=issue_date,
        names=CHIP_FIELDS,
        today=reference_day,
    )
    return CccdCard(
        info=checked.info,
        full_name=checked.full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        old_id_number=checked.old_id_number,
        address=_optional_tidy(payload, CHIP_FIELDS.address),
        issue_date=issue_date,
        source="chip",
        date_of_expiry=date_of_expiry,
        expired=date_of_expiry is not None and date_of_expiry < reference_day,
        nationality=_optional_tidy(payload, "nationality"),
        ethnicity=_optional_tidy(payload, "race"),
        religion=_optional_tidy(payload, "religion"),
        place_of_origin=_optional_tidy(payload, "place_of_origin"),
        father_name=_optional_tidy(payload, "father_name"),
        mother_name=_optional_tidy(payload, "mother_name"),
    )
