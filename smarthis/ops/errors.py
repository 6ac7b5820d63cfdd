"""The one error of backup and restore: a code, the reason in English and in Vietnamese."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore refused or failed; nothing was changed unless the message says so."""

    def __init__(self, code: str, message: str, message_vi: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_vi = message_vi

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        return f"{text} — {self.message_vi}" if self.message_vi else text
