"""A CCCD card as read from its QR code or its chip, checked against its own number."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from smarthis.errors import DomainError
from smarthis.patients.identifiers.card_fields import Sex, reject_future
from smarthis.patients.identifiers.cccd import CccdInfo, check_cccd_consistency
from smarthis.text import tidy

# The old identity card (CMND) number: 9 digits, or 12 for the last generation of CMND.
_OLD_ID_NUMBER = re.compile(r"[0-9]{9}|[0-9]{12}")


@dataclass(frozen=True, slots=True)
class CardFieldNames:
    """What each value is called in the input, so an error points at what the sender sent."""

    number: str
    old_id_number: str
    full_name: str
    date_of_birth: str
    sex: str
    issue_date: str
    address: str


@dataclass(frozen=True, slots=True)
class CccdCard:
    info: CccdInfo  # what the number encodes
    full_name: str  # diacritics kept, NFC, single spaces
    date_of_birth: date
    sex: Sex
    old_id_number: str | None = None
    address: str | None = None  # place of residence
    issue_date: date | None = None
    source: Literal["qr", "chip"] = "qr"
    # Only the chip carries these.
    date_of_expiry: date | None = None  # None also for cards valid for life ("Không thời hạn")
    expired: bool = False  # an expired card still identifies its holder: flag, not refuse
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = None
    father_name: str | None = None
    mother_name: str | None = None

    @property
    def number(self) -> str:
        return self.info.number

    def as_dict(self) -> dict[str, object]:
        return {
            **self.info.as_dict(),
            "name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "old_id_number": self.old_id_number,
            "address": self.address,
            "issue_date": _iso(self.issue_date),
            "date_of_expiry": _iso(self.date_of_expiry),
            "expired": self.expired,
            "nationality": self.nationality,
            "ethnicity": self.ethnicity,
            "religion": self.religion,
            "place_of_origin": self.place_of_origin,
            "father_name": self.father_name,
            "mother_name": self.mother_name,
            "source": self.source,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class CheckedIdentity:
    info: CccdInfo
    full_name: str
    old_id_number: str | None


def check_identity(
    *,
    info: CccdInfo,
    old_id_number: str | None,
    full_name: str,
    date_of_birth: date,
    sex: Sex,
    issue_date: date | None,
    names: CardFieldNames,
    today: date,
) -> CheckedIdentity:
    """The checks a QR text and a chip payload share, once each value has been read."""
    old_id = (old_id_number or "").strip() or None
    if old_id is not None and _OLD_ID_NUMBER.fullmatch(old_id) is None:
        raise DomainError(
            "cccd_old_id_number",
            f"Số CMND cũ {old_id!r} phải có 9 hoặc 12 chữ số",
            f"Old ID number {old_id!r} must have 9 or 12 digits",
            names.old_id_number,
        )
    name = tidy(full_name)
    if not name:
        raise DomainError("cccd_full_name", "Họ tên trống", "Full name is empty", names.full_name)
    reject_future(date_of_birth, today, names.date_of_birth)
    if issue_date is not None:
        reject_future(issue_date, today, names.issue_date)
        if issue_date < date_of_birth:
            raise DomainError(
                "cccd_issue_date_before_birth",
                "Ngày cấp trước ngày sinh",
                "Issue date is before the date of birth",
                names.issue_date,
            )
    check_cccd_consistency(
        info, date_of_birth, sex, date_field=names.date_of_birth, sex_field=names.sex
    )
    return CheckedIdentity(info=info, full_name=name, old_id_number=old_id)
