"""One received result message, start to end: read it, apply it in one transaction, log it
by control ID, and answer. Write first, acknowledge after: AA only once it is committed."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.config import Settings
from smarthis.db import Database, utcnow
from smarthis.integrations.hl7.ack import (
    APPLICATION_INTERNAL_ERROR,
    DATA_TYPE_ERROR,
    Hl7Problem,
    Received,
    build_ack,
)
from smarthis.integrations.hl7.models import Hl7InboundMessage
from smarthis.integrations.hl7.result_message import (
    ResultMessage,
    parse_result_message,
    received_of,
)
from smarthis.integrations.hl7.results import apply_result_message
from smarthis.security.principal import system_principal

log = logging.getLogger(__name__)
MAX_LOGGED_PAYLOAD = 100_000


class InboundHandler:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.facility_code = settings.facility_code

    def _ack(self, received: Received, code: str, problem: Hl7Problem | None = None) -> str:
        return build_ack(
            received,
            code,
            our_application=self.settings.lis_sending_application,
            our_facility=self.settings.lis_sending_facility or self.facility_code,
            problem=problem,
        )

    def handle(self, raw: str, peer: str) -> str:
        if "\x00" in raw:
            return self._refuse_nul(raw, peer)
        received = received_of(raw.replace("\n", "\r"))
        try:
            message = parse_result_message(raw)
        except Hl7Problem as problem:
            self._log_failure(received, "", raw, peer, problem)
            return self._ack(received, problem.ack_code, problem)
        try:
            duplicate = self._apply(message, raw, peer)
        except Hl7Problem as problem:
            self._log_failure(received, message.message_type, raw, peer, problem)
            return self._ack(received, problem.ack_code, problem)
        except Exception:
            log.exception("HL7 message %s could not be applied", received.control_id)
            problem = Hl7Problem(
                "AE",
                APPLICATION_INTERNAL_ERROR,
                None,
                "Lỗi hệ thống khi ghi kết quả: xin gửi lại sau",
                "Internal error while recording the results: send again later",
            )
            self._log_failure(received, message.message_type, raw, peer, problem)
            return self._ack(received, "AE", problem)
        if duplicate:
            log.info("HL7 message %s repeated: acknowledged, ignored", received.control_id)
        return self._ack(received, "AA")

    def _refuse_nul(self, raw: str, peer: str) -> str:
        """HL7 text has no use for NUL and PostgreSQL text cannot hold it (applying or even
        logging such a message failed there, so the peer got no answer at all): refuse it,
        logging a copy with the NULs made visible."""
        visible = raw.replace("\x00", "\ufffd")
        received = received_of(visible.replace("\n", "\r"))
        problem = Hl7Problem(
            "AR",
            DATA_TYPE_ERROR,
            None,
            "Tin nhắn chứa ký tự NUL (0x00)",
            "The message contains a NUL (0x00) character",
        )
        self._log_failure(received, "", visible, peer, problem)
        return self._ack(received, "AR", problem)

    def _logged(self, session: Session, control_id: str) -> Hl7InboundMessage | None:
        return session.execute(
            select(Hl7InboundMessage)
            .where(
                Hl7InboundMessage.facility_code == self.facility_code,
                Hl7InboundMessage.message_control_id == control_id,
            )
            .with_for_update()
        ).scalar_one_or_none()

    def _apply(self, message: ResultMessage, raw: str, peer: str) -> bool:
        """True when the control ID was already applied (then nothing changes)."""
        control_id = message.received.control_id
        actor = system_principal(self.facility_code, source=f"hl7:{peer}"[:100])
        try:
            with self.db.session() as session:
                row = self._logged(session, control_id)
                if row is not None and row.status == "accepted":
                    row.times_received += 1
                    return True
                items = apply_result_message(session, actor, message)
                row = row or Hl7InboundMessage(
                    facility_code=self.facility_code, message_control_id=control_id
                )
                self._fill(row, message.message_type, raw, peer, "accepted", "AA", None)
                row.order_item_ids = " ".join(str(i.id) for i in items)[:400]
                session.add(row)
            return False
        except IntegrityError:
            # The same message on two connections at once: the other one applied it. Any
            # other conflict is not a duplicate and must not be acknowledged as applied.
            with self.db.session() as session:
                row = self._logged(session, control_id)
                if row is not None and row.status == "accepted":
                    return True
            raise

    def _fill(
        self,
        row: Hl7InboundMessage,
        message_type: str,
        raw: str,
        peer: str,
        status: str,
        ack_code: str,
        error: str | None,
    ) -> None:
        row.message_type = message_type[:32]
        row.sending_application = self._sender(raw)[:64]
        row.peer = peer[:64]
        row.status = status
        row.ack_code = ack_code
        row.error = error
        row.payload = raw[:MAX_LOGGED_PAYLOAD]
        row.received_at = utcnow()

    @staticmethod
    def _sender(raw: str) -> str:
        return received_of(raw.replace("\n", "\r")).sending_application

    def _log_failure(
        self, received: Received, message_type: str, raw: str, peer: str, problem: Hl7Problem
    ) -> None:
        """Refused messages are logged too (for the monitor), unless they carry no control
        ID to log them by; a later good copy of the same ID replaces the entry."""
        if not received.control_id:
            log.warning("HL7 message without control ID refused: %s", problem.message_en)
            return
        status = "rejected" if problem.ack_code == "AR" else "error"
        error = f"{problem.error_code} {problem.message_vi} / {problem.message_en}"
        try:
            with self.db.session() as session:
                row = self._logged(session, received.control_id[:40])
                if row is not None and row.status == "accepted":
                    return
                if row is None:
                    row = Hl7InboundMessage(
                        facility_code=self.facility_code,
                        message_control_id=received.control_id[:40],
                        times_received=0,
                    )
                    session.add(row)
                row.times_received = (row.times_received or 0) + 1
                self._fill(row, message_type, raw, peer, status, problem.ack_code, error)
        except IntegrityError:
            pass
