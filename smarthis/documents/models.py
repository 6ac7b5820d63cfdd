"""The patient's document registry: signed PDFs, their versions and their signatures.

Rules the schema keeps:
- A document's content is never overwritten. A *content* correction is a new row (the
  next `version` of the same `series_key`) whose `supersedes_id` names the version it
  corrects; the old row and its bytes stay, readable and verifiable. A version can be
  superseded only once (unique `supersedes_id`) and a series has each version number once
  (unique `series_key`, `version`): two people correcting at the same moment cannot both win.
- A *signature* is not a new version: PAdES appends it to the file as an incremental
  update, so the signed bytes only grow and every earlier byte stays as it was. The service
  checks that the new bytes begin with the old ones before it stores them, and each
  `document_signatures` row records how long the file was once that signature was added
  (`signed_length`): cutting the file there gives the revision that signer saw.
- The PDF lives in the database (`pdf`, a BLOB/BYTEA column loaded only when asked for),
  not in a file: it commits in the same transaction as its row and its audit entry, every
  app node reads it without a shared disk, and `smarthis backup` carries it. Clinical
  papers are tens of kilobytes; scans would argue for object storage later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smarthis.db import Base, BigId, UTCDateTime, utcnow

DOCUMENT_KINDS_VI: dict[str, str] = {
    "visit_record": "Phiếu khám bệnh",
    "order_sheet": "Phiếu chỉ định",
    "result_report": "Phiếu kết quả",
    "prescription": "Đơn thuốc",
    "discharge_paper": "Giấy ra viện",
    "progress_note": "Tờ điều trị",
    "consultation_minutes": "Biên bản hội chẩn",
    "other": "Tài liệu khác",
}


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("series_key", "version"),
        UniqueConstraint("supersedes_id"),
        Index("ix_documents_facility_patient", "facility_code", "patient_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    # Every version of one paper shares this key (a UUID given to version 1).
    series_key: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # Of the bytes as they are now (signatures appended), and as they were registered.
    sha256: Mapped[str] = mapped_column(String(64))
    original_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentSignature(Base):
    __tablename__ = "document_signatures"
    __table_args__ = (
        UniqueConstraint("document_id", "position"),
        UniqueConstraint("document_id", "field_name"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(10))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    position: Mapped[int] = mapped_column(Integer)  # 1 = first signature on the file
    field_name: Mapped[str] = mapped_column(String(100))
    staff_login: Mapped[str] = mapped_column(String(64))
    signer_name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[str] = mapped_column(String(32))  # doctor, head_of_department, ...
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    certificate_serial: Mapped[str] = mapped_column(String(64))
    signed_length: Mapped[int] = mapped_column(Integer)
