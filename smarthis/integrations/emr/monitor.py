"""What reached the EMR portal: each visit's document, its status, tries, last error and
the portal's receipt; and sending one again by hand (audited, like the HL7 monitor)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smarthis.db import MAX_ID
from smarthis.errors import Conflict, NotFound
from smarthis.integrations import outbox
from smarthis.integrations.emr.outbound import CHANNEL
from smarthis.integrations.outbox import OutboxMessage
from smarthis.security import audit
from smarthis.security.principal import Principal

STATUS_NAMES_VI = {
    "pending": "Chờ gửi",
    "sent": "Đang gửi",
    "acked": "Cổng EMR đã nhận",
    "failed": "Lỗi — cần xử lý",
}


@dataclass(frozen=True)
class Delivery:
    id: int
    message_id: str
    visit_id: int | None
    status: str
    status_vi: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    acked_at: datetime | None
    receipt: str | None
    last_error: str | None


def _receipt(response: str | None) -> str | None:
    try:
        body = json.loads(response) if response else None
    except ValueError:
        return None
    return body.get("receipt") if isinstance(body, dict) else None


def _visit_id(reference: str | None) -> int | None:
    if reference and reference.startswith("visit:") and reference[6:].isdigit():
        return int(reference[6:])
    return None


def _delivery(row: OutboxMessage) -> Delivery:
    return Delivery(
        id=row.id,
        message_id=row.message_control_id,
        visit_id=_visit_id(row.reference),
        status=row.status,
        status_vi=STATUS_NAMES_VI.get(row.status, row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        acked_at=row.acked_at,
        receipt=_receipt(row.response),
        last_error=row.last_error,
    )


def summary(session: Session, actor: Principal) -> dict[str, int]:
    return dict(
        session.execute(
            select(OutboxMessage.status, func.count())
            .where(
                OutboxMessage.facility_code == actor.facility_code,
                OutboxMessage.channel == CHANNEL,
            )
            .group_by(OutboxMessage.status)
        ).all()
    )


def deliveries(
    session: Session, actor: Principal, *, status: str | None = None, limit: int = 100
) -> list[Delivery]:
    """Newest first; no document content (it names patients)."""
    query = select(OutboxMessage).where(
        OutboxMessage.facility_code == actor.facility_code, OutboxMessage.channel == CHANNEL
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit)).scalars()
    return [_delivery(row) for row in rows]


def resend(session: Session, actor: Principal, row_id: int) -> Delivery:
    row = session.get(OutboxMessage, row_id, with_for_update=True) if row_id <= MAX_ID else None
    if row is None or row.channel != CHANNEL or row.facility_code != actor.facility_code:
        raise NotFound(
            "emr_message_not_found",
            f"Không có hồ sơ gửi cổng EMR số {row_id}",
            f"No EMR delivery {row_id}",
            field="message_id",
        )
    if row.status == "acked":
        raise Conflict(
            "emr_message_acked",
            "Cổng EMR đã nhận hồ sơ này, không gửi lại",
            "The portal already received this document",
            field="message_id",
        )
    outbox.requeue(session, row)
    visit_id = _visit_id(row.reference)
    patient_id = None
    if visit_id is not None:
        from smarthis.clinical.models import Visit

        visit = session.get(Visit, visit_id)
        patient_id = visit.patient_id if visit else None
    audit.record(
        session,
        actor,
        "emr.export.resend",
        patient_id=patient_id,
        detail={"message": row.message_control_id},
    )
    return _delivery(row)
