"""The interface monitor's rules: what HL7 traffic there was, and sending a message again.

Lists show no message content (it names patients); opening one message shows its text and
is audited like any read of patient data, and so is a resend, with who asked for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.db import MAX_ID
from smarthis.errors import Conflict, NotFound
from smarthis.integrations import outbox
from smarthis.integrations.hl7.models import Hl7InboundMessage
from smarthis.integrations.hl7.outbound import CHANNEL
from smarthis.integrations.outbox import OutboxMessage
from smarthis.orders.models import Order
from smarthis.security import audit
from smarthis.security.principal import Principal

STATUS_NAMES_VI = {
    "pending": "Chờ gửi",
    "sent": "Đang gửi",
    "acked": "LIS đã nhận",
    "failed": "Lỗi — cần xử lý",
    "accepted": "Đã nhận",
    "error": "Lỗi (AE)",
    "rejected": "Từ chối (AR)",
}


@dataclass(frozen=True)
class Summary:
    outbound: dict[str, int]  # by status
    retried: int  # sent more than once
    inbound: dict[str, int]  # by status
    repeats: int  # received again after being applied (ignored)


@dataclass(frozen=True)
class TrafficRow:
    direction: str  # "out" | "in"
    id: int
    message_type: str
    control_id: str
    status: str
    status_vi: str
    attempts: int  # sends (out) or receptions (in)
    at: datetime
    last_error: str | None
    reference: str | None


def summary(session: Session, actor: Principal) -> Summary:
    out = dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(
                OutboxMessage.facility_code == actor.facility_code,
                OutboxMessage.channel == CHANNEL,
            )
            .group_by(OutboxMessage.status)
        ).all()
    )
    retried = session.execute(
        select(func.count()).where(
            OutboxMessage.facility_code == actor.facility_code,
            OutboxMessage.channel == CHANNEL,
            OutboxMessage.attempts > 1,
        )
    ).scalar_one()
    inbound = dict(
        session.execute(
            select(Hl7InboundMessage.status, func.count())
            .where(Hl7InboundMessage.facility_code == actor.facility_code)
            .group_by(Hl7InboundMessage.status)
        ).all()
    )
    repeats = session.execute(
        select(func.coalesce(func.sum(Hl7InboundMessage.times_received - 1), 0)).where(
            Hl7InboundMessage.facility_code == actor.facility_code,
            Hl7InboundMessage.status == "accepted",
        )
    ).scalar_one()
    return Summary(
        {s: int(out.get(s, 0)) for s in outbox.STATUSES},
        int(retried),
        {s: int(inbound.get(s, 0)) for s in ("accepted", "error", "rejected")},
        int(repeats),
    )


def traffic(
    session: Session, actor: Principal, *, status: str | None = None, limit: int = 100
) -> list[TrafficRow]:
    """The newest messages both ways, newest first; `status` filters either direction."""
    out_query = select(OutboxMessage).where(
        OutboxMessage.facility_code == actor.facility_code, OutboxMessage.channel == CHANNEL
    )
    in_query = select(Hl7InboundMessage).where(
        Hl7InboundMessage.facility_code == actor.facility_code
    )
    if status:
        out_query = out_query.where(OutboxMessage.status == status)
        in_query = in_query.where(Hl7InboundMessage.status == status)
    outbound = session.execute(out_query.order_by(OutboxMessage.id.desc()).limit(limit)).scalars()
    inbound = session.execute(in_query.order_by(Hl7InboundMessage.id.desc()).limit(limit)).scalars()
    rows = [
        TrafficRow(
            "out",
            m.id,
            m.message_type,
            m.message_control_id,
            m.status,
            STATUS_NAMES_VI.get(m.status, m.status),
            m.attempts,
            m.updated_at,
            m.last_error,
            m.reference,
        )
        for m in outbound
    ] + [
        TrafficRow(
            "in",
            m.id,
            m.message_type or "—",
            m.message_control_id,
            m.status,
            STATUS_NAMES_VI.get(m.status, m.status),
            m.times_received,
            m.received_at,
            m.error,
            f"items:{m.order_item_ids}" if m.order_item_ids else None,
        )
        for m in inbound
    ]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]


def _not_found(what: str, message_id: int) -> NotFound:
    return NotFound(
        "hl7_message_not_found",
        f"Không có tin nhắn HL7 {what} số {message_id}",
        f"No {what} HL7 message {message_id}",
        field="message_id",
    )


def _outbound(session: Session, actor: Principal, message_id: int) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id) if 1 <= message_id <= MAX_ID else None
    if row is None or row.facility_code != actor.facility_code or row.channel != CHANNEL:
        raise _not_found("gửi đi", message_id)
    return row


def _patient_of(session: Session, reference: str | None) -> int | None:
    if reference and reference.startswith("order:") and reference[6:].isdigit():
        order = session.get(Order, int(reference[6:]))
        return order.patient_id if order is not None else None
    return None


def read_outbound(session: Session, actor: Principal, message_id: int) -> OutboxMessage:
    row = _outbound(session, actor, message_id)
    audit.record(
        session,
        actor,
        "interface.read",
        patient_id=_patient_of(session, row.reference),
        detail={"direction": "out", "control_id": row.message_control_id},
    )
    return row


def read_inbound(session: Session, actor: Principal, message_id: int) -> Hl7InboundMessage:
    row = session.get(Hl7InboundMessage, message_id) if 1 <= message_id <= MAX_ID else None
    if row is None or row.facility_code != actor.facility_code:
        raise _not_found("nhận về", message_id)
    audit.record(
        session,
        actor,
        "interface.read",
        detail={"direction": "in", "control_id": row.message_control_id},
    )
    return row


def resend(session: Session, actor: Principal, message_id: int) -> OutboxMessage:
    """Queue the message again with its own control ID: a LIS that already took it
    acknowledges the repeat and ignores it, so a resend never doubles an order."""
    row = _outbound(session, actor, message_id)
    # Lock it: a worker settling its answer at this moment waits, then sees the requeue.
    session.execute(select(OutboxMessage.id).where(OutboxMessage.id == row.id).with_for_update())
    session.refresh(row)
    if row.status == "sent":
        raise Conflict(
            "hl7_message_in_flight",
            "Tin nhắn đang được gửi: chờ LIS trả lời rồi hãy gửi lại",
            "The message is being sent: wait for the LIS's answer before resending",
            field="message_id",
        )
    previous = row.status
    outbox.requeue(session, row)
    audit.record(
        session,
        actor,
        "interface.resend",
        patient_id=_patient_of(session, row.reference),
        detail={
            "control_id": row.message_control_id,
            "previous_status": previous,
            "resent_by": actor.name,
        },
    )
    return row
