"""What a backup file says about itself: read before anything is restored from it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from smarthis.ops.errors import BackupError

# Raised when the archive layout or the manifest's meaning changes; a reader refuses newer.
FORMAT_VERSION = 1
KINDS = ("sqlite", "postgresql")


@dataclass
class Manifest:
    kind: str
    created_at: str
    facility_code: str
    # Alembic revisions stamped in the database when it was copied (several while heads
    # are not yet merged).
    alembic_revisions: list[str]
    row_counts: dict[str, int]
    payload_name: str
    payload_sha256: str
    payload_bytes: int
    # PostgreSQL only: the one schema the dump holds (a restore recreates that schema).
    schema: str | None = None
    format_version: int = FORMAT_VERSION
    tool: dict[str, str] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data: Any = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BackupError("backup_manifest", "manifest.json is not valid JSON") from exc
        if not isinstance(data, dict):
            raise BackupError("backup_manifest", "manifest.json is not a JSON object")
        version = data.get("format_version")
        if not isinstance(version, int):
            raise BackupError("backup_manifest", "manifest.json has no format_version")
        if version > FORMAT_VERSION:
            raise BackupError(
                "backup_format_newer",
                f"backup format {version} is newer than this SmartHIS reads ({FORMAT_VERSION});"
                " upgrade SmartHIS first",
                f"định dạng bản sao lưu {version} mới hơn phiên bản SmartHIS này; hãy nâng cấp",
            )
        try:
            manifest = cls(**data)
        except TypeError as exc:
            raise BackupError("backup_manifest", f"manifest.json fields: {exc}") from exc
        manifest._check_types()
        return manifest

    def _check_types(self) -> None:
        if self.kind not in KINDS:
            raise BackupError("backup_manifest", f"unknown database kind {self.kind!r}")
        counts_ok = isinstance(self.row_counts, dict) and all(
            isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in self.row_counts.items()
        )
        revisions_ok = isinstance(self.alembic_revisions, list) and all(
            isinstance(r, str) for r in self.alembic_revisions
        )
        if not (counts_ok and revisions_ok and isinstance(self.payload_sha256, str)):
            raise BackupError("backup_manifest", "manifest.json has malformed fields")
        if self.kind == "postgresql" and not self.schema:
            raise BackupError("backup_manifest", "a PostgreSQL backup must name its schema")
