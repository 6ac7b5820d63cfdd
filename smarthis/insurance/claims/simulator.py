"""Simulator of the BHXH receiving portal for XML 130 files, over a real HTTP socket.

`smarthis sim claims` serves it on 127.0.0.1; tests build it with `create_claims_simulator`.
Endpoints as in portal.py: POST /api/token/take, /api/qd130/checkInKcbQd4750,
/api/qd130/guiHoSoXmlQD4750. A file is checked as the portal's receiving step does
(structure, envelope, every field against the tables, the sums) and answered accepted
(maKetQua "200" + maGiaoDich) or rejected (maKetQua "400" + thongDiep with the reasons).
A claim (MA_LK) received again gets its first transaction code back: a retry after a lost
answer must not count twice.

Admin endpoints for tests and demos: POST /_sim/outage {"down": bool} (every call -> 503),
POST /_sim/reject {"MA_LK": ..., "reason": ...} (refuse that claim as the fund would, e.g.
an invalid card), POST /_sim/expire-tokens, GET /_sim/stats, GET /_sim/received.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from smarthis.insurance.claims.envelope import EnvelopeError, parse_envelope
from smarthis.insurance.claims.formats import CLAIMS_TZ
from smarthis.insurance.claims.portal import (
    CHECKIN_KIND,
    CHECKIN_PATH,
    CLAIM_KIND,
    SUBMIT_PATH,
)
from smarthis.insurance.claims.structure import CLAIM_TABLES
from smarthis.insurance.claims.validation import (
    ValidationIssue,
    validate_checkin,
    validate_tables,
)
from smarthis.insurance.claims.xml_io import ClaimXmlError, parse_table
from smarthis.insurance.portal_client import TOKEN_PATH, portal_password_hash

REJECTED = "400"
REASONS_SHOWN = 5


class Rejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _ClaimsPortal:
    username: str
    password_hash: str
    facility_code: str
    token_ttl_s: float
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    down: bool = False
    forced_rejections: dict[str, str] = field(default_factory=dict)
    received: dict[str, str] = field(default_factory=dict)  # MA_LK -> maGiaoDich
    checkins: dict[str, str] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)

    def issue_token(self) -> dict[str, Any]:
        access, id_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = (id_token, time.monotonic() + self.token_ttl_s)
        expires = datetime.now(CLAIMS_TZ) + timedelta(seconds=self.token_ttl_s)
        return {
            "access_token": access,
            "id_token": id_token,
            "token_type": "Bearer",
            "username": self.username,
            "expires_in": expires.isoformat(),
        }

    def authorised(self, request: Request) -> bool:
        issued = self.tokens.get(request.headers.get("accessToken", ""))
        return (
            issued is not None
            and issued[0] == request.headers.get("tokenId")
            and issued[1] > time.monotonic()
            and request.headers.get("passwordHash", "").upper() == self.password_hash
        )


def _reasons(issues: list[ValidationIssue]) -> str:
    shown = "; ".join(str(i) for i in issues[:REASONS_SHOWN])
    more = f" (+{len(issues) - REASONS_SHOWN} lỗi khác)" if len(issues) > REASONS_SHOWN else ""
    return f"Hồ sơ không hợp lệ: {shown}{more}"


def _decoded(form: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(str(form.get("fileHSBase64", "")), validate=True)
    except binascii.Error as exc:
        raise Rejected("fileHSBase64 không phải base64 / fileHSBase64 is not base64") from exc


def _check_form(form: dict[str, Any], kind: str, portal: _ClaimsPortal) -> None:
    if form.get("username") != portal.username:
        raise Rejected("username không khớp tài khoản / username does not match the account")
    if form.get("loaiHoSo") != kind:
        raise Rejected(f"loaiHoSo phải là {kind} / loaiHoSo must be {kind}")
    if form.get("maCSKCB") != portal.facility_code or not form.get("maTinh"):
        raise Rejected("maCSKCB hoặc maTinh không hợp lệ / maCSKCB or maTinh invalid")
    if not form.get("fileHSBase64"):
        raise Rejected("thiếu fileHSBase64 / fileHSBase64 missing")


def _claim_codes(content: bytes, portal: _ClaimsPortal) -> list[str]:
    """MA_LK of every claim in a valid envelope, or Rejected with the reasons."""
    try:
        envelope = parse_envelope(content)
    except EnvelopeError as exc:
        raise Rejected(f"GIAMDINHHS không hợp lệ / invalid envelope: {exc}") from exc
    if envelope.facility_code != portal.facility_code:
        raise Rejected("MACSKCB khác tài khoản gửi / MACSKCB differs from the account")
    codes = []
    for files in envelope.claims:
        unknown = sorted(set(files) - set(CLAIM_TABLES))
        if unknown:
            raise Rejected(f"LOAIHOSO chưa hỗ trợ / unsupported LOAIHOSO: {', '.join(unknown)}")
        try:
            tables = {key: parse_table(key, content) for key, content in files.items()}
        except ClaimXmlError as exc:
            raise Rejected(str(exc)) from exc
        issues = validate_tables(tables, parsed=True)
        if issues:
            raise Rejected(_reasons(issues))
        codes.append(tables["XML1"][0]["MA_LK"])
    return codes


def _answer(code: str, transaction: str | None, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "maKetQua": code,
            "maGiaoDich": transaction,
            "thoiGianTiepNhan": datetime.now(CLAIMS_TZ).strftime("%Y%m%d%H%M%S"),
            "thongDiep": message,
        }
    )


def create_claims_simulator(
    *, username: str, password: str, facility_code: str, token_ttl_s: float = 3600.0
) -> FastAPI:
    portal = _ClaimsPortal(username, portal_password_hash(password), facility_code, token_ttl_s)
    app = FastAPI(title="BHXH XML 130 receiving portal simulator", docs_url=None, redoc_url=None)
    app.state.portal = portal

    def unavailable() -> JSONResponse:
        return JSONResponse({"message": "Service Unavailable"}, status_code=503)

    @app.post(TOKEN_PATH)
    async def take_token(request: Request) -> JSONResponse:
        if portal.down:
            return unavailable()
        try:
            given = await request.json()
        except ValueError:
            given = {}
        given = given if isinstance(given, dict) else {}
        if given.get("username") != portal.username or (
            str(given.get("password", "")).upper() != portal.password_hash
        ):
            return JSONResponse({"maKetQua": "401", "APIKey": None})
        portal.stats["tokens_issued"] += 1
        return JSONResponse({"maKetQua": "200", "APIKey": portal.issue_token()})

    @app.post(CHECKIN_PATH)
    async def check_in(request: Request) -> JSONResponse:
        if portal.down:
            return unavailable()
        if not portal.authorised(request):
            portal.stats["unauthorised"] += 1
            return JSONResponse({"maKetQua": "401"}, status_code=401)
        form = dict(await request.form())
        try:
            _check_form(form, CHECKIN_KIND, portal)
            records = parse_table("XML0", _decoded(form))
            issues = validate_checkin(records, parsed=True)
            if issues or not records:
                raise Rejected(_reasons(issues) if issues else "Bảng check-in trống")
        except (Rejected, ClaimXmlError) as exc:
            portal.stats["checkins_rejected"] += 1
            return _answer(REJECTED, None, getattr(exc, "reason", str(exc)))
        transaction = f"CI{secrets.token_hex(6).upper()}"
        for record in records:
            portal.checkins.setdefault(record["MA_LK"], transaction)
        portal.stats["checkins_accepted"] += 1
        return _answer("200", transaction, "Tiếp nhận bảng check-in thành công")

    @app.post(SUBMIT_PATH)
    async def submit(request: Request) -> JSONResponse:
        if portal.down:
            return unavailable()
        if not portal.authorised(request):
            portal.stats["unauthorised"] += 1
            return JSONResponse({"maKetQua": "401"}, status_code=401)
        form = dict(await request.form())
        try:
            _check_form(form, CLAIM_KIND, portal)
            codes = _claim_codes(_decoded(form), portal)
            forced = [portal.forced_rejections[c] for c in codes if c in portal.forced_rejections]
            if forced:
                raise Rejected(forced[0])
        except Rejected as exc:
            portal.stats["claims_rejected"] += 1
            return _answer(REJECTED, None, exc.reason)
        known = [portal.received[c] for c in codes if c in portal.received]
        transaction = known[0] if known and len(codes) == 1 else f"GD{secrets.token_hex(8).upper()}"
        for code in codes:
            portal.received.setdefault(code, transaction)
        portal.stats["claims_accepted"] += 1
        return _answer("200", transaction, f"Tiếp nhận {len(codes)} hồ sơ thành công")

    @app.post("/_sim/outage")
    async def set_outage(payload: dict[str, bool]) -> dict[str, bool]:
        portal.down = bool(payload.get("down"))
        return {"down": portal.down}

    @app.post("/_sim/reject")
    async def force_rejection(payload: dict[str, str]) -> dict[str, int]:
        portal.forced_rejections[payload["MA_LK"]] = payload.get("reason") or "Từ chối"
        return {"rejections": len(portal.forced_rejections)}

    @app.post("/_sim/expire-tokens")
    async def expire_tokens() -> dict[str, int]:
        expired = len(portal.tokens)
        portal.tokens.clear()
        return {"expired": expired}

    @app.get("/_sim/stats")
    async def stats() -> dict[str, Any]:
        return {**portal.stats, "down": portal.down}

    @app.get("/_sim/received")
    async def received() -> dict[str, Any]:
        return {"claims": dict(portal.received), "checkins": dict(portal.checkins)}

    return app
