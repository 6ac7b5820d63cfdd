"""Client of the BHXH receiving portal for XML 130 data (cổng tiếp nhận dữ liệu giám định).

Protocol, as hospitals call the portal's 4750 services:
  1. POST {base}/api/token/take  JSON {"username", "password": MD5 upper hex} ->
     {"maKetQua": "200", "APIKey": {"access_token", "id_token", "expires_in", ...}}
     (the same login as the card check).
  2. POST {base}/api/qd130/checkInKcbQd4750 (check-in table, loaiHoSo "0") or
     POST {base}/api/qd130/guiHoSoXmlQD4750 (GIAMDINHHS envelope, loaiHoSo "130"),
     form-urlencoded body {username, loaiHoSo, maTinh, maCSKCB, fileHSBase64}, headers
     accessToken / tokenId / passwordHash ->
     {"maKetQua", "maGiaoDich", "thoiGianTiepNhan" (yyyyMMddHHmmss), "thongDiep"}.
maKetQua "200" is a receipt (accepted, the transaction code is kept for reconciliation);
"401" or HTTP 401 means the token lapsed (taken again, once); any other code is a
rejection whose thongDiep says why. No answer at all raises PortalUnavailable: the claim
stays pending and is sent again later.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from smarthis.config import Settings, get_settings
from smarthis.insurance.claims.formats import CLAIMS_TZ
from smarthis.insurance.portal_client import (
    TOKEN_PATH,
    PortalAuthenticationFailed,
    PortalUnavailable,
    portal_password_hash,
)

CHECKIN_PATH = "/api/qd130/checkInKcbQd4750"
SUBMIT_PATH = "/api/qd130/guiHoSoXmlQD4750"
CHECKIN_KIND = "0"
CLAIM_KIND = "130"
ACCEPTED = "200"
TOKEN_EARLY_RENEWAL = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class PortalReceipt:
    """The portal's answer to one file."""

    accepted: bool
    result_code: str  # maKetQua
    transaction_code: str | None  # maGiaoDich
    received_at: datetime | None  # thoiGianTiepNhan
    message: str  # thongDiep: the reason when rejected


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str
    id_token: str
    expires_at: datetime | None

    def is_fresh(self) -> bool:
        return self.expires_at is None or datetime.now(CLAIMS_TZ) < (
            self.expires_at - TOKEN_EARLY_RENEWAL
        )


def _expiry(value: Any) -> datetime | None:
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.now(CLAIMS_TZ) + timedelta(seconds=float(value))
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=CLAIMS_TZ)
    return None


def _received_at(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y%m%d%H%M%S").replace(tzinfo=CLAIMS_TZ)
    except ValueError:
        return None


class ClaimsPortalClient:
    """Synchronous: used by the submission worker, never on a user's request."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        province_code: str,
        facility_code: str,
        timeout_s: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self._username = username
        self._password_hash = portal_password_hash(password)
        self._province_code = province_code
        self.facility_code = facility_code
        self._timeout_s = timeout_s
        self._token: _Token | None = None
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ClaimsPortalClient:
        settings = settings or get_settings()
        return cls(
            settings.claims_portal_url,
            settings.claims_username,
            settings.claims_password,
            province_code=settings.claims_province_code,
            facility_code=settings.facility_code,
            timeout_s=settings.claims_timeout_s,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClaimsPortalClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def check_in(self, checkin_xml: bytes) -> PortalReceipt:
        return self._send(CHECKIN_PATH, CHECKIN_KIND, checkin_xml)

    def submit(self, envelope_xml: bytes) -> PortalReceipt:
        return self._send(SUBMIT_PATH, CLAIM_KIND, envelope_xml)

    def _send(self, path: str, kind: str, content: bytes) -> PortalReceipt:
        deadline = time.monotonic() + self._timeout_s
        form = {
            "username": self._username,
            "loaiHoSo": kind,
            "maTinh": self._province_code,
            "maCSKCB": self.facility_code,
            "fileHSBase64": base64.b64encode(content).decode("ascii"),
        }
        status, body = self._post_file(path, form, self._valid_token(deadline), deadline)
        if status == 401 or str(body.get("maKetQua")) == "401":
            # Tokens lapse on the portal's schedule: take a fresh one, once.
            self._token = None
            status, body = self._post_file(path, form, self._valid_token(deadline), deadline)
            if status == 401 or str(body.get("maKetQua")) == "401":
                raise PortalAuthenticationFailed("the portal refused a freshly taken token")
        code = str(body.get("maKetQua", "")).strip()
        transaction = body.get("maGiaoDich")
        return PortalReceipt(
            accepted=code == ACCEPTED,
            result_code=code,
            transaction_code=str(transaction) if transaction else None,
            received_at=_received_at(body.get("thoiGianTiepNhan")),
            message=str(body.get("thongDiep") or ""),
        )

    def _valid_token(self, deadline: float) -> _Token:
        if self._token is None or not self._token.is_fresh():
            self._token = self._take_token(deadline)
        return self._token

    def _take_token(self, deadline: float) -> _Token:
        payload = {"username": self._username, "password": self._password_hash}
        response = self._request(TOKEN_PATH, deadline, json=payload)
        body = _json_body(response, TOKEN_PATH)
        api_key = body.get("APIKey")
        if str(body.get("maKetQua")) == "401" or response.status_code == 401:
            raise PortalAuthenticationFailed("token request refused (check the claims account)")
        if str(body.get("maKetQua")) != "200" or not isinstance(api_key, Mapping):
            raise PortalUnavailable("bad_response", f"token answer maKetQua={body.get('maKetQua')}")
        access, id_token = api_key.get("access_token"), api_key.get("id_token")
        if not access or not id_token:
            raise PortalUnavailable("bad_response", "token answer without access_token/id_token")
        return _Token(str(access), str(id_token), _expiry(api_key.get("expires_in")))

    def _post_file(
        self, path: str, form: dict[str, str], token: _Token, deadline: float
    ) -> tuple[int, dict[str, Any]]:
        headers = {
            "accessToken": token.access_token,
            "tokenId": token.id_token,
            "passwordHash": self._password_hash,
        }
        response = self._request(path, deadline, data=form, headers=headers)
        if response.status_code == 401:
            return 401, {}
        return response.status_code, _json_body(response, path)

    def _request(self, path: str, deadline: float, **kwargs: Any) -> httpx.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PortalUnavailable("timeout", f"no time left for {path}")
        try:
            response = self._http.post(path, timeout=remaining, **kwargs)
        except httpx.TimeoutException as exc:
            raise PortalUnavailable("timeout", type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise PortalUnavailable("connection", type(exc).__name__) from exc
        if response.status_code >= 500:
            raise PortalUnavailable("http_status", f"HTTP {response.status_code} on {path}")
        return response


def _json_body(response: httpx.Response, path: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise PortalUnavailable("bad_response", f"non-JSON answer on {path}") from exc
    if not isinstance(body, dict) or "maKetQua" not in body:
        raise PortalUnavailable("bad_response", f"answer without maKetQua on {path}")
    return body
