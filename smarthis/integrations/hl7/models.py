"""The log of HL7 messages received: the database, not memory, remembers which control IDs
were already applied, so a repeat (a LIS retrying after a lost ACK) changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow


class Hl7InboundMessage(Base):
    __tablename__ = "hl7_inbound_messages"
    __table_args__ = (UniqueConstraint("facility_code", "message_control_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    message_control_id: Mapped[str] = mapped_column(String(40))
    message_type: Mapped[str] = mapped_column(String(32))  # "ORU^R01"
    sending_application: Mapped[str] = mapped_column(String(64))
    peer: Mapped[str] = mapped_column(String(64))  # the address it came from
    # accepted (applied; a repeat is ignored) | error (AE) | rejected (AR): may come again.
    status: Mapped[str] = mapped_column(String(16))
    ack_code: Mapped[str] = mapped_column(String(2))
    error: Mapped[str | None] = mapped_column(Text)
    # The order items the results went to ("12 13"), for the monitor.
    order_item_ids: Mapped[str | None] = mapped_column(String(400))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    times_received: Mapped[int] = mapped_column(default=1)


class LisOrderLink(Base):
    """The LIS's own number (filler order number) for one of our order items, learnt from
    its first result: a later message naming only that number (a correction) finds the item."""

    __tablename__ = "lis_order_links"
    __table_args__ = (UniqueConstraint("facility_code", "filler_order_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), unique=True)
    filler_order_number: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
