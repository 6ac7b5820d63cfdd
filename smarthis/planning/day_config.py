"""The hospital a day is simulated in: rooms and how many of each, how long each service
takes, when patients arrive and where they are sent. Read from JSON or TOML; the defaults
are shaped like the demo hospital (a provincial oncology hospital, ~600 visits a day)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class PlanningConfigError(ValueError):
    """A config the simulator cannot run: names the field and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceTime(_Strict):
    """Minutes one service takes. Lognormal (right-skewed: most quick, a few long) suits
    desk work and examinations; exponential is the textbook case; fixed for machines."""

    dist: Literal["lognormal", "exponential", "fixed", "triangular"] = "lognormal"
    mean_min: float = Field(gt=0)
    # Coefficient of variation (standard deviation / mean), lognormal only.
    cv: float = Field(default=0.5, gt=0)
    # Triangular only: the shortest and longest (mean_min is then the mode).
    min_min: float | None = Field(default=None, ge=0)
    max_min: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _triangle_bounds(self) -> ServiceTime:
        if self.dist == "triangular" and not (
            self.min_min is not None
            and self.max_min is not None
            and self.min_min <= self.mean_min <= self.max_min
        ):
            raise ValueError("triangular needs min_min <= mean_min (the mode) <= max_min")
        return self


class Station(_Strict):
    """A kind of room or desk: `servers` of them share one line."""

    name: str
    servers: int = Field(ge=1)
    service: ServiceTime


class Specialty(_Strict):
    name: str
    rooms: int = Field(ge=1)
    # Share of the day's patients examined in this specialty (normalised over all).
    share: float = Field(gt=0)


class ParaclinicalRoute(_Strict):
    """A paraclinical service some examined patients are sent to."""

    station: str
    probability: float = Field(ge=0, le=1)


class Routing(_Strict):
    # Patients the kiosk cannot register alone (first visit without a chip CCCD, card
    # problems) who go on to a reception counter.
    reception: float = Field(default=0.35, ge=0, le=1)
    tests: list[ParaclinicalRoute]
    # Of patients sent to tests, those who pay before them (fee-paying, not insured).
    pay_before_tests: float = Field(default=0.4, ge=0, le=1)
    # Patients who pay at the cashier after the conclusion (co-payment, services).
    pay_after: float = Field(default=0.5, ge=0, le=1)
    # Patients who collect medicines at the hospital's pharmacy counter.
    pharmacy: float = Field(default=0.55, ge=0, le=1)


class DayConfig(_Strict):
    visits: int = Field(default=600, ge=1, le=50_000)
    # Share of the day's arrivals in each clock hour (normalised); the first listed hour
    # is when the doors open.
    arrivals_by_hour: dict[int, float]
    stations: dict[str, Station]
    specialties: dict[str, Specialty]
    examination: ServiceTime
    # Back in the examination room with the results: a shorter visit.
    conclusion: ServiceTime
    routing: Routing

    @model_validator(mode="after")
    def _consistent(self) -> DayConfig:
        for hour, weight in self.arrivals_by_hour.items():
            if not 0 <= hour <= 23 or weight < 0:
                raise ValueError(f"arrivals_by_hour: hour {hour} weight {weight} is invalid")
        if sum(self.arrivals_by_hour.values()) <= 0:
            raise ValueError("arrivals_by_hour: no arrivals at all")
        needed = {"kiosk", "reception", "cashier", "pharmacy"}
        needed |= {test.station for test in self.routing.tests}
        missing = sorted(needed - set(self.stations))
        if missing:
            raise ValueError(f"stations: missing {', '.join(missing)}")
        if not self.specialties:
            raise ValueError("specialties: at least one is needed")
        return self

    @property
    def opening_hour(self) -> int:
        return min(self.arrivals_by_hour)

    def with_servers(self, changes: dict[str, int]) -> DayConfig:
        """The same hospital with other counts of rooms: `kiosk=4`, `exam:VU=3`."""
        stations = dict(self.stations)
        specialties = dict(self.specialties)
        for key, count in changes.items():
            if key.startswith("exam:") and key[5:] in specialties:
                specialties[key[5:]] = specialties[key[5:]].model_copy(update={"rooms": count})
            elif key in stations:
                stations[key] = stations[key].model_copy(update={"servers": count})
            else:
                known = sorted(stations) + [f"exam:{code}" for code in sorted(specialties)]
                raise PlanningConfigError(f"unknown room kind {key!r}; known: {', '.join(known)}")
        return _validated(self.model_dump() | {"stations": stations, "specialties": specialties})


def _validated(data: object) -> DayConfig:
    try:
        return DayConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "config"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise PlanningConfigError(f"{where}: {message}") from None


def load_config(path: Path | None) -> DayConfig:
    """The demo hospital, or a JSON/TOML file over it: a file's `stations` add to or
    replace the demo's stations one by one; any other top-level key (visits, specialties,
    routing, arrivals_by_hour, ...) replaces the demo's whole."""
    base = default_config_data()
    if path is None:
        return _validated(base)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode()) if path.suffix == ".toml" else json.loads(raw)
    except FileNotFoundError:
        raise PlanningConfigError(f"config file {path} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlanningConfigError(f"{path}: not valid {path.suffix[1:] or 'JSON'}: {exc}") from None
    if not isinstance(data, dict):
        raise PlanningConfigError(f"{path}: the top level must be an object")
    stations = data.get("stations", {})
    if not isinstance(stations, dict):
        raise PlanningConfigError(f"{path}: stations must be an object")
    merged = base | data | {"stations": base["stations"] | stations}
    return _validated(merged)


def _service(mean: float, cv: float = 0.5, dist: str = "lognormal") -> dict[str, object]:
    return {"dist": dist, "mean_min": mean, "cv": cv}


def default_config_data() -> dict[str, Any]:
    """The demo hospital's outpatient department (smarthis/demo/hospital.py): its counters,
    examination rooms by specialty and paraclinical rooms. Service times are typical of
    Vietnamese provincial outpatient departments, to be replaced by measured ones."""
    return {
        "visits": 600,
        # 40% of the day's patients arrive in the first two hours; a lull over lunch.
        "arrivals_by_hour": {
            6: 0.18,
            7: 0.22,
            8: 0.14,
            9: 0.11,
            10: 0.08,
            11: 0.04,
            12: 0.02,
            13: 0.09,
            14: 0.07,
            15: 0.04,
            16: 0.01,
        },  # fmt: skip
        "stations": {
            "kiosk": {"name": "Kiosk đăng ký", "servers": 4, "service": _service(1.5, 0.4)},
            "reception": {"name": "Quầy tiếp đón", "servers": 3, "service": _service(4, 0.5)},
            "lab": {"name": "Lấy mẫu xét nghiệm", "servers": 3, "service": _service(3, 0.4)},
            "xray": {"name": "X-quang", "servers": 2, "service": _service(5, 0.4)},
            "ultrasound": {"name": "Siêu âm", "servers": 2, "service": _service(8, 0.4)},
            "ct": {"name": "Chụp CT", "servers": 1, "service": _service(15, 0.3)},
            "endoscopy": {"name": "Nội soi", "servers": 1, "service": _service(20, 0.3)},
            "ecg": {"name": "Điện tim", "servers": 1, "service": _service(5, 0.3)},
            "cashier": {"name": "Thu ngân", "servers": 2, "service": _service(2, 0.5)},
            "pharmacy": {"name": "Phát thuốc BHYT", "servers": 2, "service": _service(2.5, 0.5)},
        },
        "specialties": {
            "DC": {"name": "Ung bướu đầu cổ", "rooms": 1, "share": 0.11},
            "VU": {"name": "Ung bướu vú - phụ khoa", "rooms": 2, "share": 0.24},
            "TH": {"name": "Ung bướu tiêu hóa", "rooms": 1, "share": 0.13},
            "PH": {"name": "Ung bướu phổi", "rooms": 1, "share": 0.12},
            "NTQ": {"name": "Nội tổng quát", "rooms": 1, "share": 0.16},
            "HH": {"name": "Huyết học", "rooms": 1, "share": 0.10},
            "NHI": {"name": "Nhi - Ung bướu", "rooms": 1, "share": 0.08},
        },
        "examination": _service(4, 0.6),
        "conclusion": _service(2.5, 0.6),
        "routing": {
            "reception": 0.35,
            "tests": [
                {"station": "lab", "probability": 0.55},
                {"station": "xray", "probability": 0.25},
                {"station": "ultrasound", "probability": 0.2},
                {"station": "ct", "probability": 0.05},
                {"station": "endoscopy", "probability": 0.04},
                {"station": "ecg", "probability": 0.1},
            ],
            "pay_before_tests": 0.4,
            "pay_after": 0.5,
            "pharmacy": 0.55,
        },
    }
