"""The QR code printed on the CCCD card, as a scanner types it into the kiosk.

`number|old ID number|full name|ddMMyyyy birth|Nam/Nữ|address|ddMMyyyy issue`; cards of
the first series omit the issue date, and the old ID number is empty for people who never
had one.
"""

from __future__ import annotations

from datetime import date

from smarthis.errors import DomainError
from smarthis.patients.identifiers.card_fields import parse_card_date, parse_sex
from smarthis.patients.identifiers.cccd import parse_cccd
from smarthis.patients.identifiers.cccd_card import CardFieldNames, CccdCard, check_identity
from smarthis.text import tidy

QR_FIELDS = CardFieldNames(
    number="number",
    old_id_number="old_id_number",
    full_name="full_name",
    date_of_birth="date_of_birth",
    sex="sex",
    issue_date="issue_date",
    address="address",
)


def parse_cccd_qr(text: str, *, today: date | None = None) -> CccdCard:
    # Scanners in keyboard mode add CR/LF; text pasted from files may start with a BOM.
    fields = [field.strip() for field in text.replace("\ufeff", "").strip().split("|")]
    if len(fields) not in (6, 7):
        raise DomainError(
            "cccd_qr_fields",
            f"Mã QR CCCD phải có 6 hoặc 7 trường ngăn bởi '|' (nhận được {len(fields)})",
            f"CCCD QR text must have 6 or 7 '|'-separated fields (got {len(fields)})",
            "qr",
        )
    number, old_id_number, full_name, birth_text, sex_text, address = fields[:6]
    issue_text = fields[6] if len(fields) == 7 else ""
    reference_day = today or date.today()
    info = parse_cccd(number, field=QR_FIELDS.number, today=reference_day)
    date_of_birth = parse_card_date(birth_text, QR_FIELDS.date_of_birth)
    sex = parse_sex(sex_text, QR_FIELDS.sex)
    issue_date = parse_card_date(issue_text, QR_FIELDS.issue_date) if issue_text else None
    checked = check_identity(
        info=info,
        old_id_number=old_id_number,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        issue_date=issue_date,
        names=QR_FIELDS,
        today=reference_day,
    )
    return CccdCard(
        info=checked.info,
        full_name=checked.full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        old_id_number=checked.old_id_number,
        address=tidy(address) or None,
        issue_date=issue_date,
        source="qr",
    )
