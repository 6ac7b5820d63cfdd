"""An identity presented through VNeID, the national electronic identification app.

The app shows the same 12-digit personal identification number as the CCCD card; a level-2
account was verified in person against the card, so it may stand in for the card itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from smarthis.patients.identifiers.cccd import CccdInfo, parse_cccd


@dataclass(frozen=True, slots=True)
class VneidIdentity:
    info: CccdInfo
    level2_verified: bool

    @property
    def number(self) -> str:
        return self.info.number

    def as_dict(self) -> dict[str, object]:
        return {**self.info.as_dict(), "level2_verified": self.level2_verified}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def parse_vneid(number: str, level2_verified: bool, *, today: date | None = None) -> VneidIdentity:
    return VneidIdentity(info=parse_cccd(number, today=today), level2_verified=level2_verified)
