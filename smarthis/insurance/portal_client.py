"""Client of the Vietnam Social Security (BHXH) card-check service, as hospitals call it.

Protocol (the "egw" gateway of the BHXH assessment portal):
  1. POST {base}/api/token/take  JSON {"username", "password": MD5(password) hex, upper case}
     -> {"maKetQua": "200", "APIKey": {"access_token", "id_token", "token_type",
        "username", "expires_in"}}
  2. POST {base}/api/egw/KQNhanLichSuKCB2019?token=..&id_token=..&username=..&password=..
     JSON {"maThe", "hoTen", "ngaySinh", "hoTenCb", "cccdCb"} -> card details, the
     result code `maKetQua`, visit history `dsLichSuKCB2018` and check log `dsLichSuKT2018`.

The token lives in this object's memory: it is a per-process credential, cheap to take
again, and the portal answers 401 when it lapses (we then take a fresh one, once).
Callers treat `PortalUnavailable` as "card not yet verified" and never make a patient
wait on the portal (lookups can take 30 s and more in real life).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import httpx

from smarthis.config import Settings, get_settings
from smarthis.errors import DomainError
from smarthis.insurance.result_codes import ResultCodeInfo, result_code_info

TOKEN_PATH = "/api/token/take"
LOOKUP_PATH = "/api/egw/KQNhanLichSuKCB2019"
# The portal speaks Vietnam time whatever the hospital's own display settings are.
PORTAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Take a new token slightly before the portal's stated expiry to avoid a wasted call.
TOKEN_EARLY_RENEWAL = timedelta(seconds=30)

CARD_CODE_RE = re.compile(r"^(?:[A-Z]{2}\d{13}|\d{10})$")
CCCD_RE = re.compile(r"^\d{12}$")


class PortalUnavailable(Exception):
    """The portal gave no usable answer (time-out, network, 5xx, garbage): card unverified."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"BHXH portal unavailable ({reason}){': ' + detail if detail else ''}")
        self.reason = reason
        self.detail = detail


class PortalAuthenticationFailed(PortalUnavailable):
    """The portal refused our account (wrong credentials, or 401 even with a fresh token)."""

    def __init__(self, detail: str = ""):
        super().__init__("authentication", detail)


def portal_password_hash(password: str) -> str:
    # MD5 is what the portal demands; it is a transport format here, not password storage.
    return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def normalise_name(name: str) -> str:
    """NFC and single spaces: Vietnamese names typed on different keyboards compare equal."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _reject(code: str, field_name: str, message_vi: str, message_en: str) -> DomainError:
    return DomainError(f"insurance.{code}", message_vi, message_en, field=field_name)


@dataclass(frozen=True, slots=True, kw_only=True)
class CardCheckRequest:
    """One card lookup. Give either `date_of_birth` or, for year-only births, `year_of_birth`.

    `staff_name` / `staff_cccd`: the staff member doing the lookup (for a kiosk, the
    receptionist on duty); the portal requires them on every lookup since mid-2024.
    """

    card_code: str
    full_name: str
    staff_name: str
    staff_cccd: str
    date_of_birth: date | None = None
    year_of_birth: int | None = None

    def __post_init__(self) -> None:
        card_code = re.sub(r"\s+", "", self.card_code or "").upper()
        if not CARD_CODE_RE.match(card_code):
            raise _reject(
                "card_code_invalid",
                "card_code",
                "Mã thẻ BHYT phải gồm 15 ký tự (2 chữ cái và 13 chữ số) hoặc là mã số BHXH "
                "10 chữ số.",
                "The card code must be 15 characters (2 letters, 13 digits) or the 10-digit "
                "social insurance number.",
            )
        object.__setattr__(self, "card_code", card_code)
        for name, label_vi, label_en in (
            ("full_name", "Họ tên người bệnh", "The patient's name"),
            ("staff_name", "Họ tên cán bộ tra cứu", "The looking-up staff member's name"),
        ):
            value = normalise_name(getattr(self, name) or "")
            if not value:
                raise _reject(
                    f"{name}_required", name, f"{label_vi} là bắt buộc.", f"{label_en} is required."
                )
            object.__setattr__(self, name, value)
        staff_cccd = (self.staff_cccd or "").strip()
        if not CCCD_RE.match(staff_cccd):
            raise _reject(
                "staff_cccd_invalid",
                "staff_cccd",
                "Số CCCD của cán bộ tra cứu phải gồm 12 chữ số.",
                "The looking-up staff member's CCCD must be 12 digits.",
            )
        object.__setattr__(self, "staff_cccd", staff_cccd)
        self._check_birth()

    def _check_birth(self) -> None:
        if (self.date_of_birth is None) == (self.year_of_birth is None):
            raise _reject(
                "birth_required",
                "date_of_birth",
                "Cần đúng một trong hai: ngày sinh đầy đủ hoặc năm sinh.",
                "Give exactly one of the full date of birth or the year of birth.",
            )
        today = datetime.now(PORTAL_TZ).date()
        year = self.date_of_birth.year if self.date_of_birth else self.year_of_birth
        in_range = year is not None and 1900 <= year <= today.year
        if not in_range or (self.date_of_birth is not None and self.date_of_birth > today):
            raise _reject(
                "birth_out_of_range",
                "date_of_birth",
                "Ngày/năm sinh không hợp lệ.",
                "The date or year of birth is out of range.",
            )

    def portal_birth_text(self) -> str:
        if self.date_of_birth is not None:
            return self.date_of_birth.strftime("%d/%m/%Y")
        return f"{self.year_of_birth:04d}"

    def to_portal_body(self) -> dict[str, str]:
        return {
            "maThe": self.card_code,
            "hoTen": self.full_name,
            "ngaySinh": self.portal_birth_text(),
            "hoTenCb": self.staff_name,
            "cccdCb": self.staff_cccd,
        }


@dataclass(frozen=True, slots=True)
class NewCard:
    """The card issued to replace the looked-up one (codes 003 / 004)."""

    code: str
    valid_from: date | None
    valid_to: date | None
    registered_facility_code: str | None
    registered_facility_name: str | None


@dataclass(frozen=True, slots=True)
class PastVisit:
    """One item of dsLichSuKCB2018: an insured visit somewhere, as claimed to the fund."""

    record_id: str | None  # maHoSo
    facility_code: str | None  # maCSKCB
    admitted_at: datetime | None  # ngayVao
    discharged_at: datetime | None  # ngayRa
    diagnosis: str | None  # tenBenh
    discharge_status: str | None  # tinhTrang
    treatment_result: str | None  # kqDieuTri
    admission_reason: str | None  # lyDoVV


@dataclass(frozen=True, slots=True)
class PastCheck:
    """One item of dsLichSuKT2018: an earlier card check by some facility."""

    user: str | None  # userKT
    checked_at: datetime | None  # thoiGianKT
    message: str | None  # thongBao
    result_code: str | None  # maLoi


@dataclass(frozen=True, slots=True, kw_only=True)
class CardCheckAnswer:
    result: ResultCodeInfo
    note: str | None  # ghiChu, the portal's free-text explanation
    card_code: str | None
    full_name: str | None
    birth_text: str | None  # as the portal wrote it: dd/MM/yyyy, MM/yyyy or yyyy
    birth_date: date | None
    birth_year: int | None
    gender: str | None
    address: str | None
    registered_facility_code: str | None  # maDKBD
    insurance_office: str | None  # cqBHXH
    valid_from: date | None
    valid_to: date | None
    area_code: str | None  # maKV: living-area code (K1/K2/K3) when the card has one
    five_years_from: date | None  # ngayDu5Nam: date of 5 continuous years of cover
    social_insurance_number: str | None  # maSoBHXH
    previous_card_code: str | None  # maTheCu
    new_card: NewCard | None
    visits: tuple[PastVisit, ...]
    checks: tuple[PastCheck, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def code(self) -> str:
        return self.result.code

    @property
    def card_code_to_use(self) -> str | None:
        """The code to register and claim with: the new card's once the old one expired."""
        if self.result.code == "003" and self.new_card is not None:
            return self.new_card.code
        return self.card_code


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


def _parse_timestamp(text: str | None) -> datetime | None:
    """Portal timestamps are yyyyMMddHHmm in Vietnam time."""
    if not text:
        return None
    try:
        return datetime.strptime(text[:12], "%Y%m%d%H%M").replace(tzinfo=PORTAL_TZ)
    except ValueError:
        return None


def _parse_birth(text: str | None) -> tuple[date | None, int | None]:
    if not text:
        return None, None
    full = _parse_date(text)
    if full is not None:
        return full, full.year
    year = text[-4:]
    return None, int(year) if year.isdigit() else None


def _items(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def parse_answer(raw: Mapping[str, Any]) -> CardCheckAnswer:
    """Typed view of a lookup answer; lenient, because the raw answer is kept anyway."""
    birth_text = _text(raw, "ngaySinh")
    birth_date, birth_year = _parse_birth(birth_text)
    new_code = _text(raw, "maTheMoi")
    new_card = None
    if new_code:
        new_card = NewCard(
            code=new_code,
            valid_from=_parse_date(_text(raw, "gtTheTuMoi")),
            valid_to=_parse_date(_text(raw, "gtTheDenMoi")),
            registered_facility_code=_text(raw, "maDKBDMoi"),
            registered_facility_name=_text(raw, "tenDKBDMoi"),
        )
    visits = tuple(
        PastVisit(
            record_id=_text(item, "maHoSo"),
            facility_code=_text(item, "maCSKCB"),
            admitted_at=_parse_timestamp(_text(item, "ngayVao")),
            discharged_at=_parse_timestamp(_text(item, "ngayRa")),
            diagnosis=_text(item, "tenBenh"),
            discharge_status=_text(item, "tinhTrang"),
            treatment_result=_text(item, "kqDieuTri"),
            admission_reason=_text(item, "lyDoVV"),
        )
        for item in _items(raw, "dsLichSuKCB2018")
    )
    checks = tuple(
        PastCheck(
            user=_text(item, "userKT"),
            checked_at=_parse_timestamp(_text(item, "thoiGianKT")),
            message=_text(item, "thongBao"),
            result_code=_text(item, "maLoi"),
        )
        for item in _items(raw, "dsLichSuKT2018")
    )
    return CardCheckAnswer(
        result=result_code_info(raw.get("maKetQua")),
        note=_text(raw, "ghiChu"),
        card_code=_text(raw, "maThe"),
        full_name=_text(raw, "hoTen"),
        birth_text=birth_text,
        birth_date=birth_date,
        birth_year=birth_year,
        gender=_text(raw, "gioiTinh"),
        address=_text(raw, "diaChi"),
        registered_facility_code=_text(raw, "maDKBD"),
        insurance_office=_text(raw, "cqBHXH"),
        valid_from=_parse_date(_text(raw, "gtTheTu")),
        valid_to=_parse_date(_text(raw, "gtTheDen")),
        area_code=_text(raw, "maKV"),
        five_years_from=_parse_date(_text(raw, "ngayDu5Nam")),
        social_insurance_number=_text(raw, "maSoBHXH"),
        previous_card_code=_text(raw, "maTheCu"),
        new_card=new_card,
        visits=visits,
        checks=checks,
        raw=dict(raw),
    )


@runtime_checkable
class CardCheckPortal(Protocol):
    """What the domain needs from the portal; the real client and test doubles fit it."""

    def check_card(self, request: CardCheckRequest) -> CardCheckAnswer: ...


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str
    id_token: str
    expires_at: datetime | None

    def is_fresh(self) -> bool:
        if self.expires_at is None:
            return True
        return datetime.now(PORTAL_TZ) < self.expires_at - TOKEN_EARLY_RENEWAL


def _token_expiry(value: Any) -> datetime | None:
    """`expires_in` is seen both as seconds and as an ISO timestamp; unknown means "until 401"."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.now(PORTAL_TZ) + timedelta(seconds=float(value))
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=PORTAL_TZ)
    return None


SECRET_QUERY_PARAMS = ("token", "id_token", "password")


class _RedactPortalSecrets(logging.Filter):
    """httpx logs each request URL at INFO, and the portal wants its token and our password
    hash (which is the credential itself) in the query string: mask them in those logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _redacted(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


def _redacted(url: httpx.URL) -> httpx.URL:
    for key in SECRET_QUERY_PARAMS:
        if key in url.params:
            url = url.copy_set_param(key, "REDACTED")
    return url


def _install_log_redaction() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactPortalSecrets) for f in httpx_logger.filters):
        httpx_logger.addFilter(_RedactPortalSecrets())


class BhxhPortalClient:
    """Synchronous client (lookups run in background workers, never on a kiosk's request)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout_s: float = 3.0,
        transport: httpx.BaseTransport | None = None,
    ):
        _install_log_redaction()
        self._username = username
        self._password_hash = portal_password_hash(password)
        self._token: _Token | None = None
        self._timeout_s = timeout_s
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> BhxhPortalClient:
        settings = settings or get_settings()
        return cls(
            settings.bhxh_portal_url,
            settings.bhxh_username,
            settings.bhxh_password,
            timeout_s=settings.bhxh_timeout_s,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BhxhPortalClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def check_card(self, request: CardCheckRequest) -> CardCheckAnswer:
        # One deadline for the whole check (token, lookup, refresh): reception waits at most
        # timeout_s, however many requests the portal makes us send.
        deadline = time.monotonic() + self._timeout_s
        status, body = self._lookup(self._valid_token(deadline), request, deadline)
        if status == 401 or _result_code(body) == "401":
            # Tokens lapse on the portal's schedule, not ours: take a fresh one, once.
            self._token = None
            status, body = self._lookup(self._valid_token(deadline), request, deadline)
            if status == 401:
                raise PortalAuthenticationFailed("lookup refused a freshly taken token")
        return parse_answer(body)

    def _valid_token(self, deadline: float) -> _Token:
        if self._token is None or not self._token.is_fresh():
            self._token = self._take_token(deadline)
        return self._token

    def _take_token(self, deadline: float) -> _Token:
        payload = {"username": self._username, "password": self._password_hash}
        status, body = self._post(TOKEN_PATH, payload, deadline)
        if status == 401 or _result_code(body) == "401":
            raise PortalAuthenticationFailed("token request refused (check bhxh_username/password)")
        api_key = body.get("APIKey")
        if _result_code(body) != "200" or not isinstance(api_key, Mapping):
            raise PortalUnavailable("bad_response", f"token answer maKetQua={body.get('maKetQua')}")
        access, id_token = api_key.get("access_token"), api_key.get("id_token")
        if not access or not id_token:
            raise PortalUnavailable("bad_response", "token answer without access_token/id_token")
        return _Token(str(access), str(id_token), _token_expiry(api_key.get("expires_in")))

    def _lookup(
        self, token: _Token, request: CardCheckRequest, deadline: float
    ) -> tuple[int, dict[str, Any]]:
        params = {
            "token": token.access_token,
            "id_token": token.id_token,
            "username": self._username,
            "password": self._password_hash,
        }
        return self._post(LOOKUP_PATH, request.to_portal_body(), deadline, params)

    def _post(
        self,
        path: str,
        payload: dict[str, str],
        deadline: float,
        params: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST and decode; anything but a JSON object (or a bare 401) is PortalUnavailable."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PortalUnavailable("timeout", f"no time left for {path}")
        try:
            response = self._http.post(path, json=payload, params=params, timeout=remaining)
        except httpx.TimeoutException as exc:
            raise PortalUnavailable("timeout", type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise PortalUnavailable("connection", type(exc).__name__) from exc
        if response.status_code == 401:
            return 401, {}
        if response.status_code >= 400:
            raise PortalUnavailable("http_status", f"HTTP {response.status_code} on {path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise PortalUnavailable("bad_response", f"non-JSON answer on {path}") from exc
        if not isinstance(body, dict) or "maKetQua" not in body:
            raise PortalUnavailable("bad_response", f"answer without maKetQua on {path}")
        return response.status_code, body


def _result_code(body: Mapping[str, Any]) -> str:
    value = body.get("maKetQua")
    return "" if value is None else str(value).strip()
