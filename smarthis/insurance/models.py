"""Cached answers of the social-security card-check portal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, UTCDateTime


class CardCheckCache(Base):
    """The portal rate-limits each hospital account: a card's answer is reused for a few
    minutes, from any app process, because the cache lives in the database."""

    __tablename__ = "card_check_cache"

    facility_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    # SHA-256 of card code + folded name + birth: the portal's answer depends on all three.
    card_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_code: Mapped[str] = mapped_column(String(8))
    answer_json: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
