"""Request and response shapes of the document registry's routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from smarthis.documents.signing import SigningCapacity


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capacity: SigningCapacity


class SignatureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    position: int
    field_name: str
    staff_login: str
    signer_name: str
    capacity: str
    signed_at: datetime
    certificate_serial: str
    signed_length: int


class DocumentOut(BaseModel):
    id: int
    patient_id: int
    visit_id: int | None
    kind: str
    kind_name: str
    title: str
    series_key: str
    version: int
    supersedes_id: int | None
    superseded: bool
    correction_reason: str | None
    sha256: str
    original_sha256: str
    size_bytes: int
    created_by: str
    created_at: datetime
    signatures: list[SignatureOut] = Field(default_factory=list)


class VerificationOut(BaseModel):
    document_id: int
    ok: bool
    status: str
    registry_problems: list[str]
    signatures: list[dict[str, Any]]
