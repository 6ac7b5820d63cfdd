"""Domain errors: specific, translated, and mapped to 4xx at the HTTP edge."""

from __future__ import annotations


class DomainError(Exception):
    """A rule the input broke. `code` is stable for programs, messages are for people."""

    status_code = 422

    def __init__(self, code: str, message_vi: str, message_en: str, field: str | None = None):
        super().__init__(message_en)
        self.code = code
        self.field = field
        self.message_vi = message_vi
        self.message_en = message_en

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message_vi,
            "message_en": self.message_en,
        }


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403
