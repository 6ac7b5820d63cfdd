"""VietQR: the NAPAS profile of the EMVCo merchant-presented QR, for bank transfers to the
hospital's account with the invoice reference in the transfer's purpose.

Payload (root tags): 00 format "01"; 01 point of initiation, "12" dynamic (an amount for one
invoice) or "11" static; 38 merchant account (00 GUID A000000727, 01 beneficiary
organisation {00 bank BIN, 01 account number}, 02 service QRIBFTTA to an account or
QRIBFTTC to a card); 53 currency 704; 54 amount; 58 country VN; 62 additional data {08
purpose}; 63 CRC-16/CCITT-FALSE over everything before its value, uppercase hex.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from smarthis.billing import emv_tlv
from smarthis.billing.crc16 import crc16_ccitt_false
from smarthis.errors import DomainError

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC, DYNAMIC = "11", "12"

# EMVCo root tags: 02-51 merchant account templates, 52-64 defined objects, 80-99 unreserved
# templates. 65-79 are reserved for future use: a payload carrying one is not one we know.
_KNOWN_ROOT = {f"{n:02d}" for n in (*range(0, 65), *range(80, 100))}
_KNOWN_MERCHANT = {"00", "01", "02"}
_KNOWN_BENEFICIARY = {"00", "01"}
# Additional data: 01-09 defined (bill number ... purpose), 50-99 templates; 10-49 reserved.
_KNOWN_ADDITIONAL = {f"{n:02d}" for n in (*range(1, 10), *range(50, 100))}
_MANDATORY_ROOT = ("00", "38", "53", "58", "63")

_BIN = re.compile(r"\d{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
_AMOUNT = re.compile(r"[1-9]\d{0,12}")  # whole VND, at most 13 characters as EMVCo allows
_PURPOSE_MAX = 25  # NAPAS: purpose of transaction, up to 25 characters
_STROKED_D = str.maketrans({"đ": "d", "Đ": "D"})


class VietQRError(DomainError):
    """A payload or a request for one that breaks the VietQR rules; `field` is the tag path."""

    status_code = 422


def _error(code: str, message_vi: str, message_en: str, field: str | None) -> VietQRError:
    return VietQRError(code, message_vi, message_en, field=field)


@dataclass(frozen=True, slots=True)
class VietQRPayment:
    bin: str  # the beneficiary bank's NAPAS BIN, e.g. 970436 (Vietcombank)
    account: str
    amount: int | None  # whole VND; None lets the payer type it
    purpose: str | None  # carries the invoice reference
    currency: str = CURRENCY_VND
    country: str = COUNTRY_VN
    service: str = SERVICE_TO_ACCOUNT
    point_of_initiation: str = DYNAMIC

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "bin": self.bin,
            "account": self.account,
            "amount": self.amount,
            "purpose": self.purpose,
            "currency": self.currency,
            "country": self.country,
            "service": self.service,
            "point_of_initiation": self.point_of_initiation,
        }


def ascii_purpose(text: str) -> str:
    """Bank apps show the purpose as ASCII: drop diacritics, keep case, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED_D))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def make_payload(
    bin: str, account: str, amount: int | None = None, purpose: str | None = None
) -> str:
    """The payload for one invoice: dynamic (12) when it carries an amount, static (11) if not."""
    if not _BIN.fullmatch(bin):
        raise _error(
            "vietqr_bad_bin", "BIN ngân hàng phải gồm 6 chữ số", "BIN must be 6 digits", "bin"
        )
    if not _ACCOUNT.fullmatch(account):
        raise _error(
            "vietqr_bad_account",
            "Số tài khoản phải gồm 1-19 chữ số hoặc chữ cái không dấu",
            "account must be 1-19 letters or digits",
            "account",
        )
    if amount is not None and (isinstance(amount, bool) or not _AMOUNT.fullmatch(str(amount))):
        raise _error(
            "vietqr_bad_amount",
            "Số tiền phải là số nguyên dương, tối đa 13 chữ số",
            "amount must be a positive whole number of VND, at most 13 digits",
            "amount",
        )
    clean_purpose = ascii_purpose(purpose) if purpose else ""
    if purpose is not None and not _printable_ascii(clean_purpose, _PURPOSE_MAX):
        raise _error(
            "vietqr_bad_purpose",
            f"Nội dung chuyển khoản phải có 1-{_PURPOSE_MAX} ký tự in được",
            f"purpose must be 1-{_PURPOSE_MAX} printable characters",
            "purpose",
        )
    beneficiary = emv_tlv.encode("00", bin) + emv_tlv.encode("01", account)
    merchant = (
        emv_tlv.encode("00", NAPAS_GUID)
        + emv_tlv.encode("01", beneficiary)
        + emv_tlv.encode("02", SERVICE_TO_ACCOUNT)
    )
    body = (
        emv_tlv.encode("00", "01")
        + emv_tlv.encode("01", DYNAMIC if amount is not None else STATIC)
        + emv_tlv.encode("38", merchant)
        + emv_tlv.encode("53", CURRENCY_VND)
        + (emv_tlv.encode("54", str(amount)) if amount is not None else "")
        + emv_tlv.encode("58", COUNTRY_VN)
        + (emv_tlv.encode("62", emv_tlv.encode("08", clean_purpose)) if clean_purpose else "")
        + "6304"
    )
    return body + crc16_ccitt_false(body)


def _printable_ascii(text: str, max_length: int) -> bool:
    return 1 <= len(text) <= max_length and all(" " <= char <= "~" for char in text)


def decode_payload(payload: str) -> VietQRPayment:
    """Parse and check a VietQR payload; refuses with a specific `VietQRError` code."""
    payload = payload.strip()
    _check_crc(payload)
    # The CRC object is the last 8 characters (checked above); parsing the rest on its own
    # makes a length that overruns point at its own tag rather than at the CRC.
    root = emv_tlv.parse(payload[:-8], "", _error)
    if "63" in root:
        raise _error(
            "vietqr_duplicate_tag", "Thẻ 63 xuất hiện hai lần", "tag 63 appears twice", "63"
        )
    root["63"] = payload[-4:]
    _refuse_unknown(root, _KNOWN_ROOT, "")
    for tag in _MANDATORY_ROOT:
        if tag not in root:
            raise _missing(tag)
    if next(iter(root)) != "00" or root["00"] != "01":
        raise _error(
            "vietqr_bad_format_indicator",
            "Thẻ 00 (Payload Format Indicator) phải đứng đầu và có giá trị 01",
            "tag 00 (payload format indicator) must come first with value 01",
            "00",
        )
    initiation = root.get("01", STATIC)
    if initiation not in (STATIC, DYNAMIC):
        raise _error(
            "vietqr_bad_initiation",
            "Thẻ 01 (phương thức khởi tạo) phải là 11 hoặc 12",
            "tag 01 (point of initiation) must be 11 or 12",
            "01",
        )
    bin, account, service = _merchant(root["38"])
    _expect(root, "53", CURRENCY_VND, "vietqr_bad_currency", "mã tiền tệ", "currency code")
    _expect(root, "58", COUNTRY_VN, "vietqr_bad_country", "mã quốc gia", "country code")
    return VietQRPayment(
        bin=bin,
        account=account,
        amount=_amount(root.get("54")),
        purpose=_purpose(root.get("62")),
        currency=root["53"],
        country=root["58"],
        service=service,
        point_of_initiation=initiation,
    )


def _check_crc(payload: str) -> None:
    # The CRC must be the last object (6304 + 4 hex digits) and covers everything before it.
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise _missing("63")
    stated, computed = payload[-4:].upper(), crc16_ccitt_false(payload[:-4])
    if stated != computed:
        raise _error(
            "vietqr_bad_crc",
            f"Mã kiểm tra CRC sai: mã QR ghi {payload[-4:]}, tính được {computed}",
            f"bad CRC: the payload says {payload[-4:]}, computed {computed}",
            "63",
        )


def _merchant(value: str) -> tuple[str, str, str]:
    merchant = emv_tlv.parse(value, "38.", _error)
    _refuse_unknown(merchant, _KNOWN_MERCHANT, "38.")
    for tag in ("00", "01", "02"):
        if tag not in merchant:
            raise _missing(f"38.{tag}")
    if merchant["00"] != NAPAS_GUID:
        raise _error(
            "vietqr_wrong_guid",
            f"GUID {merchant['00']} không phải của NAPAS ({NAPAS_GUID})",
            f"GUID {merchant['00']} is not the NAPAS GUID {NAPAS_GUID}",
            "38.00",
        )
    if merchant["02"] not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
        raise _error(
            "vietqr_bad_service",
            f"Mã dịch vụ {merchant['02']} không phải QRIBFTTA hoặc QRIBFTTC",
            f"service code {merchant['02']} is neither QRIBFTTA nor QRIBFTTC",
            "38.02",
        )
    beneficiary = emv_tlv.parse(merchant["01"], "38.01.", _error)
    _refuse_unknown(beneficiary, _KNOWN_BENEFICIARY, "38.01.")
    for tag in ("00", "01"):
        if tag not in beneficiary:
            raise _missing(f"38.01.{tag}")
    if not _BIN.fullmatch(beneficiary["00"]):
        raise _error(
            "vietqr_bad_bin",
            "BIN ngân hàng phải gồm 6 chữ số",
            "BIN must be 6 digits",
            "38.01.00",
        )
    if not _ACCOUNT.fullmatch(beneficiary["01"]):
        raise _error(
            "vietqr_bad_account",
            "Số tài khoản phải gồm 1-19 chữ số hoặc chữ cái",
            "account must be 1-19 letters or digits",
            "38.01.01",
        )
    return beneficiary["00"], beneficiary["01"], merchant["02"]


def _amount(value: str | None) -> int | None:
    if value is None:
        return None
    if not _AMOUNT.fullmatch(value):
        raise _error(
            "vietqr_bad_amount",
            f"Số tiền '{value}' không phải số nguyên dương",
            f"amount '{value}' is not a positive whole number",
            "54",
        )
    return int(value)


def _purpose(value: str | None) -> str | None:
    if value is None:
        return None
    additional = emv_tlv.parse(value, "62.", _error)
    _refuse_unknown(additional, _KNOWN_ADDITIONAL, "62.")
    return additional.get("08")


def _expect(root: dict[str, str], tag: str, wanted: str, code: str, vi: str, en: str) -> None:
    if root[tag] != wanted:
        raise _error(
            code,
            f"Thẻ {tag} ({vi}) phải là {wanted}, không phải {root[tag]}",
            f"tag {tag} ({en}) must be {wanted}, not {root[tag]}",
            tag,
        )


def _refuse_unknown(objects: dict[str, str], known: set[str], where: str) -> None:
    for tag in objects:
        if tag not in known:
            raise _error(
                "vietqr_unknown_tag",
                f"Thẻ {where}{tag} không có trong chuẩn",
                f"unknown tag {where}{tag}",
                f"{where}{tag}",
            )


def _missing(tag: str) -> VietQRError:
    return _error(
        "vietqr_missing_tag",
        f"Thiếu thẻ bắt buộc {tag}",
        f"missing mandatory tag {tag}",
        tag,
    )
