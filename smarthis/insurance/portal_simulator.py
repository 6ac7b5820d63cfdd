"""Simulator of the BHXH card-check service, speaking its HTTP JSON over a real socket.

Start it with `smarthis sim bhxh` (or `run_simulator()`); tests build the app with
`create_simulator_app()` and serve it with uvicorn on 127.0.0.1.

Endpoints, as the portal: `POST /api/token/take` and `POST /api/egw/KQNhanLichSuKCB2019`
(see portal_client.py). Credentials default to settings.bhxh_username / bhxh_password.
Wrong credentials -> maKetQua "401"; unknown or expired token -> HTTP 401.

Card data file (JSON): {"cards": [record, ...]}, one record per card:
  maThe (15 characters; may be malformed on purpose to demonstrate 051/052/053),
  hoTen, ngaySinh ("dd/MM/yyyy" or "yyyy"), gioiTinh ("Nam"/"Nữ"), diaChi, maDKBD,
  cqBHXH, gtTheTu, gtTheDen, maKV, ngayDu5Nam, maSoBHXH (default: last 10 digits of
  maThe), maTheCu, maTheMoi, gtTheTuMoi, gtTheDenMoi, maDKBDMoi, tenDKBDMoi, ghiChu,
  history (items of dsLichSuKCB2018, passed through), note (for people reading the file),
  and test behaviours: code (force this maKetQua), delay_s (answer late), fail (answer
  with this HTTP status instead).
Dates may be relative so demo data never rots: "today", "+365d", "-30d". They are
resolved at every lookup against the simulator's "today" (Vietnam time).

How an answer is chosen, in the portal's order: bad or missing parameters -> 205;
code not 15 characters [A-Z]{2}+13 digits nor 10 digits, or unknown group -> 051;
benefit digit not 1-5 -> 053; unknown province -> 052; group QN -> 001, CA -> 002 (the
civil portal holds no data on those cards); not in the file -> 050; then the record's
`code` if any; a record with maTheMoi -> 003 (old card expired) or 004; name differs ->
061 (same first letter) or 060; birth differs -> 070; gtTheDen before today -> 010;
gtTheTu after today -> 054; otherwise 000.

Admin endpoints for tests: POST /_sim/outage {"down": bool} (every portal call -> 503),
POST /_sim/cards {"cards": [...]} (add or replace records), POST /_sim/expire-tokens,
GET /_sim/stats (counts of tokens issued, lookups answered, 401s, lookups per card).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from smarthis.config import Settings, get_settings
from smarthis.insurance.portal_client import (
    LOOKUP_PATH,
    PORTAL_TZ,
    TOKEN_PATH,
    normalise_name,
    portal_password_hash,
)
from smarthis.insurance.result_codes import RESULT_CODES

PACKAGED_CARDS_FILE = Path(__file__).parent / "data" / "sim_cards.json"

# Groups of the card-code list the simulator recognises (Decision 1351/QĐ-BHXH as hospital
# systems list them); enough to tell a typo from a real group, not an authoritative list.
KNOWN_GROUPS = frozenset(
    "DN HX CH NN TK HC XK XB XN TN CS XD MS HT TB NO XV CC CK CB KC HD TE BT HN DT DK TC TQ "  # noqa: SIM905
    "TA TY HG LS PV CN OK HK GB GD HS SV TS XH CY QN CA NK".split()
)
# Province digits 4-5: the 63 province codes before the 2025 reorganisation, plus the
# social security of the Ministry of Defence (97) and of Public Security (98) - unverified.
PROVINCE_CODES = frozenset(
    "01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 "  # noqa: SIM905
    "45 46 48 49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 "
    "92 93 94 95 96 97 98".split()
)
GROUP_ANSWERED_ELSEWHERE = {"QN": "001", "CA": "002"}
# Answers that carry no card details (the portal found none, or failed).
CODES_WITHOUT_DATA = frozenset(
    {"001", "002", "050", "051", "052", "053", "100", "101", "205", "401", "500"}
)
ANSWER_FIELDS = tuple(
    "maThe hoTen ngaySinh gioiTinh diaChi maDKBD cqBHXH gtTheTu gtTheDen maKV ngayDu5Nam "  # noqa: SIM905
    "maSoBHXH maTheCu maTheMoi gtTheTuMoi gtTheDenMoi maDKBDMoi tenDKBDMoi".split()
)
DATE_FIELDS = ("gtTheTu", "gtTheDen", "ngayDu5Nam", "gtTheTuMoi", "gtTheDenMoi")
CHECK_LOG_LENGTH = 10

RELATIVE_DATE_RE = re.compile(r"^(?:today|[+-]\d+d)$")
FULL_DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
CARD_SHAPE_RE = re.compile(r"^(?:[A-Z]{2}\d{13}|\d{10})$")


def resolve_date_text(value: str | None, today: date) -> str | None:
    """A card-file date as the portal writes it (dd/MM/yyyy); relative dates resolved."""
    if value is None or not RELATIVE_DATE_RE.match(value):
        return value
    days = 0 if value == "today" else int(value[:-1])
    return (today + timedelta(days=days)).strftime("%d/%m/%Y")


def _parse_full_date(text: str) -> date | None:
    if not FULL_DATE_RE.match(text):
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


def _check_date_text(value: str | None, *, year_only_allowed: bool = False) -> str | None:
    if value is None or RELATIVE_DATE_RE.match(value) or _parse_full_date(value):
        return value
    if year_only_allowed and re.fullmatch(r"\d{4}", value):
        return value
    raise ValueError(f"not a date (dd/MM/yyyy, today, +Nd, -Nd): {value!r}")


class SimVisit(BaseModel):
    """An item of dsLichSuKCB2018 (timestamps yyyyMMddHHmm, as the portal sends them)."""

    model_config = ConfigDict(extra="forbid")
    maHoSo: str | int
    maCSKCB: str
    ngayVao: str
    ngayRa: str
    tenBenh: str
    tinhTrang: str = "1"
    kqDieuTri: str = "1"
    lyDoVV: str = "1"


class SimCard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    maThe: str = Field(min_length=1)
    hoTen: str = Field(min_length=1)
    ngaySinh: str
    gioiTinh: Literal["Nam", "Nữ"] | None = None
    diaChi: str = ""
    maDKBD: str = ""
    cqBHXH: str = ""
    gtTheTu: str | None = None
    gtTheDen: str | None = None
    maKV: str = ""
    ngayDu5Nam: str | None = None
    maSoBHXH: str | None = None
    maTheCu: str | None = None
    maTheMoi: str | None = None
    gtTheTuMoi: str | None = None
    gtTheDenMoi: str | None = None
    maDKBDMoi: str | None = None
    tenDKBDMoi: str | None = None
    ghiChu: str | None = None
    history: list[SimVisit] = Field(default_factory=list)
    note: str | None = None
    code: str | None = Field(default=None, pattern=r"^\d{3}$")
    delay_s: float = Field(default=0.0, ge=0, le=600)
    fail: int | None = Field(default=None, ge=400, le=599)

    @field_validator("maThe")
    @classmethod
    def _upper_code(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("ngaySinh")
    @classmethod
    def _birth(cls, value: str) -> str | None:
        return _check_date_text(value, year_only_allowed=True)

    @field_validator(*DATE_FIELDS)
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        return _check_date_text(value)

    @property
    def social_insurance_number(self) -> str | None:
        if self.maSoBHXH:
            return self.maSoBHXH
        tail = self.maThe[-10:]
        return tail if len(self.maThe) == 15 and tail.isdigit() else None


class SimCardsFile(BaseModel):
    cards: list[SimCard]


class SimulatorCards:
    """Card records by 15-character code and by 10-digit social insurance number."""

    def __init__(self, cards: Iterable[SimCard] = ()):
        self._by_code: dict[str, SimCard] = {}
        self._by_number: dict[str, SimCard] = {}
        for card in cards:
            self.put(card)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SimulatorCards:
        return cls(SimCardsFile.model_validate(data).cards)

    @classmethod
    def from_file(cls, path: str | Path) -> SimulatorCards:
        return cls.from_data(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def packaged(cls) -> SimulatorCards:
        return cls.from_file(PACKAGED_CARDS_FILE)

    def put(self, card: SimCard) -> None:
        self._by_code[card.maThe] = card
        # A record with a deliberately malformed code only demonstrates 051/052/053; its
        # digits must not make it reachable by number.
        well_formed = _code_shape_result(card.maThe) in (None, *GROUP_ANSWERED_ELSEWHERE.values())
        if card.social_insurance_number and (card.maSoBHXH or well_formed):
            self._by_number[card.social_insurance_number] = card

    def find(self, key: str) -> SimCard | None:
        return self._by_number.get(key) if len(key) == 10 else self._by_code.get(key)

    def __iter__(self) -> Iterator[SimCard]:
        return iter(list(self._by_code.values()))

    def __len__(self) -> int:
        return len(self._by_code)


@dataclass
class _Simulator:
    cards: SimulatorCards
    username: str
    password_hash: str
    token_ttl_s: float
    today: Callable[[], date]
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    down: bool = False
    stats: Counter[str] = field(default_factory=Counter)
    lookups_by_card: Counter[str] = field(default_factory=Counter)
    check_log: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def issue_token(self) -> dict[str, Any]:
        access, id_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = (id_token, time.monotonic() + self.token_ttl_s)
        self.stats["tokens_issued"] += 1
        expires = datetime.now(PORTAL_TZ) + timedelta(seconds=self.token_ttl_s)
        return {
            "access_token": access,
            "id_token": id_token,
            "token_type": "Bearer",
            "username": self.username,
            "expires_in": expires.isoformat(),
        }

    def token_valid(self, params: Mapping[str, str]) -> bool:
        issued = self.tokens.get(params.get("token", ""))
        return (
            issued is not None
            and issued[0] == params.get("id_token")
            and issued[1] > time.monotonic()
            and params.get("username") == self.username
            and params.get("password", "").upper() == self.password_hash
        )


def _valid_birth_text(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", text)) or _parse_full_date(text) is not None


def _bad_parameters(body: Any) -> bool:
    if not isinstance(body, dict):
        return True
    required = ("maThe", "hoTen", "ngaySinh", "hoTenCb", "cccdCb")
    if any(not isinstance(body.get(k), str) or not body[k].strip() for k in required):
        return True
    return not _valid_birth_text(body["ngaySinh"].strip()) or not re.fullmatch(
        r"\d{12}", body["cccdCb"].strip()
    )


def _code_shape_result(card_code: str) -> str | None:
    """051/052/053/001/002 decided from the code alone, before any record lookup."""
    if not CARD_SHAPE_RE.match(card_code):
        return "051"
    if len(card_code) == 10:
        return None
    group, level, province = card_code[:2], card_code[2], card_code[3:5]
    if group not in KNOWN_GROUPS:
        return "051"
    if level not in "12345":
        return "053"
    if province not in PROVINCE_CODES:
        return "052"
    return GROUP_ANSWERED_ELSEWHERE.get(group)


def _birth_matches(given: str, on_record: str) -> bool:
    if len(given) == 10 and len(on_record) == 10:
        return given == on_record
    return given[-4:] == on_record[-4:]


def _name_result(given: str, on_record: str) -> str | None:
    given_key, record_key = normalise_name(given).casefold(), normalise_name(on_record).casefold()
    if given_key == record_key:
        return None
    return "061" if given_key[:1] == record_key[:1] else "060"


def _natural_result(card: SimCard, body: Mapping[str, str], today: date) -> str:
    if card.maTheMoi:
        old_end = _parse_full_date(resolve_date_text(card.gtTheDen, today) or "")
        return "003" if old_end is not None and old_end < today else "004"
    name_result = _name_result(body["hoTen"], card.hoTen)
    if name_result:
        return name_result
    if not _birth_matches(body["ngaySinh"].strip(), resolve_date_text(card.ngaySinh, today) or ""):
        return "070"
    valid_to = _parse_full_date(resolve_date_text(card.gtTheDen, today) or "")
    if valid_to is not None and valid_to < today:
        return "010"
    valid_from = _parse_full_date(resolve_date_text(card.gtTheTu, today) or "")
    if valid_from is not None and valid_from > today:
        return "054"
    return "000"


def _note(code: str, card_data: Mapping[str, Any]) -> str:
    message = RESULT_CODES[code].message_vi if code in RESULT_CODES else "Lỗi không xác định"
    if code != "000":
        return f"{message}!"
    return (
        f"Thẻ còn giá trị sử dụng! Họ tên: {card_data['hoTen']}, Ngày sinh: "
        f"{card_data['ngaySinh']}, Giới tính: {card_data['gioiTinh']}! (ĐC: {card_data['diaChi']}; "
        f"Nơi KCBBĐ: {card_data['maDKBD']}; Hạn thẻ: {card_data['gtTheTu']} - "
        f"{card_data['gtTheDen']}; Thời điểm đủ 5 năm liên tục: {card_data['ngayDu5Nam']})"
    )


def _answer(
    code: str, card: SimCard | None, today: date, checks: list[dict[str, str]]
) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(ANSWER_FIELDS)
    with_data = card is not None and code not in CODES_WITHOUT_DATA
    if with_data:
        for name in ANSWER_FIELDS:
            data[name] = getattr(card, name)
        data["maSoBHXH"] = card.social_insurance_number
        data["ngaySinh"] = resolve_date_text(card.ngaySinh, today)
        for name in DATE_FIELDS:
            data[name] = resolve_date_text(getattr(card, name), today)
    note = card.ghiChu if card is not None and card.ghiChu else _note(code, data)
    history = [v.model_dump() for v in card.history] if with_data and card else []
    return {
        "maKetQua": code,
        "ghiChu": note,
        **data,
        "dsLichSuKCB2018": history or None,
        "dsLichSuKT2018": list(checks) if with_data else None,
    }


async def _json_or_form(request: Request) -> Any:
    """The portal takes JSON, and form posts from older hospital systems."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            return await request.json()
        except ValueError:
            return None
    return dict(await request.form())


def _unavailable() -> JSONResponse:
    return JSONResponse({"message": "Service Unavailable"}, status_code=503)


def create_simulator_app(
    cards: SimulatorCards,
    token_ttl_s: float = 3600.0,
    *,
    username: str | None = None,
    password: str | None = None,
    today: Callable[[], date] | None = None,
) -> FastAPI:
    settings = get_settings()
    sim = _Simulator(
        cards=cards,
        username=username if username is not None else settings.bhxh_username,
        password_hash=portal_password_hash(
            password if password is not None else settings.bhxh_password
        ),
        token_ttl_s=token_ttl_s,
        today=today or (lambda: datetime.now(PORTAL_TZ).date()),
    )
    app = FastAPI(title="BHXH card-check simulator", docs_url=None, redoc_url=None)
    app.state.simulator = sim

    @app.post(TOKEN_PATH)
    async def take_token(request: Request) -> JSONResponse:
        if sim.down:
            return _unavailable()
        body = await _json_or_form(request)
        given = body if isinstance(body, dict) else {}
        if given.get("username") != sim.username or (
            str(given.get("password", "")).upper() != sim.password_hash
        ):
            return JSONResponse({"maKetQua": "401", "APIKey": None})
        return JSONResponse({"maKetQua": "200", "APIKey": sim.issue_token()})

    @app.post(LOOKUP_PATH)
    async def check_card(request: Request) -> JSONResponse:
        if sim.down:
            return _unavailable()
        if not sim.token_valid(request.query_params):
            sim.stats["unauthorised"] += 1
            return JSONResponse({"maKetQua": "401"}, status_code=401)
        sim.stats["lookups"] += 1
        body = await _json_or_form(request)
        today = sim.today()
        if _bad_parameters(body):
            return JSONResponse(_answer("205", None, today, []))
        card_code = re.sub(r"\s+", "", body["maThe"]).upper()
        sim.lookups_by_card[card_code] += 1
        shape_result = _code_shape_result(card_code)
        card = sim.cards.find(card_code) if shape_result is None else None
        if card is None:
            return JSONResponse(_answer(shape_result or "050", None, today, []))
        if card.delay_s:
            await asyncio.sleep(card.delay_s)
        if card.fail:
            return JSONResponse({"message": "simulated failure"}, status_code=card.fail)
        code = (
            GROUP_ANSWERED_ELSEWHERE.get(card.maThe[:2])
            or card.code
            or _natural_result(card, body, today)
        )
        checks = sim.check_log.setdefault(card.maThe, [])
        answer = _answer(code, card, today, checks)
        checks.insert(0, _check_entry(sim.username, code))
        del checks[CHECK_LOG_LENGTH:]
        return JSONResponse(answer)

    @app.post("/_sim/outage")
    async def set_outage(payload: dict[str, bool]) -> dict[str, bool]:
        sim.down = bool(payload.get("down"))
        return {"down": sim.down}

    @app.post("/_sim/cards")
    async def put_cards(payload: SimCardsFile) -> dict[str, int]:
        for card in payload.cards:
            sim.cards.put(card)
        return {"cards": len(sim.cards)}

    @app.post("/_sim/expire-tokens")
    async def expire_tokens() -> dict[str, int]:
        expired = len(sim.tokens)
        sim.tokens.clear()
        return {"expired": expired}

    @app.get("/_sim/stats")
    async def stats() -> dict[str, Any]:
        return {
            "tokens_issued": sim.stats["tokens_issued"],
            "lookups": sim.stats["lookups"],
            "unauthorised": sim.stats["unauthorised"],
            "lookups_by_card": dict(sim.lookups_by_card),
            "down": sim.down,
        }

    return app


def _check_entry(username: str, code: str) -> dict[str, str]:
    message = RESULT_CODES[code].message_vi if code in RESULT_CODES else "Lỗi không xác định"
    return {
        "userKT": username,
        "thoiGianKT": datetime.now(PORTAL_TZ).strftime("%Y%m%d%H%M"),
        "thongBao": message,
        "maLoi": code,
    }


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def installation_cards_path(settings: Settings | None = None) -> Path:
    """Where this installation's card file lives: the configured one, else the file
    `smarthis demo` writes (cards of the demo patients plus the packaged ones)."""
    settings = settings or get_settings()
    return Path(settings.bhxh_sim_cards_file or settings.data_dir / "bhxh_sim_cards.json")


def load_cards(cards_file: str | Path | None = None) -> SimulatorCards:
    """Cards from the given file, else the installation's file if it exists, else the
    packaged demo cards."""
    chosen = Path(cards_file) if cards_file else installation_cards_path()
    return SimulatorCards.from_file(chosen) if chosen.exists() else SimulatorCards.packaged()


def run_simulator(
    host: str = "127.0.0.1",
    port: int = 8081,
    cards_file: str | Path | None = None,
    *,
    allow_remote: bool = False,
    token_ttl_s: float = 3600.0,
) -> None:
    """Serve the simulator until interrupted (blocking)."""
    import uvicorn

    if not allow_remote and not is_loopback_host(host):
        # The admin endpoints can rewrite cards and fake outages: keep them off the network.
        raise ValueError(f"refusing to serve the BHXH simulator on non-loopback host {host!r}")
    app = create_simulator_app(load_cards(cards_file), token_ttl_s=token_ttl_s)
    uvicorn.run(app, host=host, port=port, log_level="info")


def start_simulator_thread(settings: Settings) -> threading.Thread:
    """Serve the simulator beside the app (demo mode: `smarthis serve --with-simulators`)
    at the address settings.bhxh_portal_url names, which must be on loopback."""
    import uvicorn

    url = urlsplit(settings.bhxh_portal_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    if not is_loopback_host(host):
        raise ValueError(f"the portal URL {settings.bhxh_portal_url} is not a loopback address")
    app = create_simulator_app(
        load_cards(), username=settings.bhxh_username, password=settings.bhxh_password
    )
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="bhxh-simulator", daemon=True)
    thread.start()
    return thread
