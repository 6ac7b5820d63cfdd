"""How a patient's name appears in public: masked on boards and tickets, short when called."""

from __future__ import annotations

import unicodedata

from smarthis.printing.ticket import mask_name

__all__ = ["call_name", "mask_name"]


def _words(full_name: str) -> list[str]:
    return unicodedata.normalize("NFC", full_name).split()


def call_name(full_name: str) -> str:
    """What the board says aloud: "Nguyễn Văn An" -> "Nguyễn Văn A"."""
    words = _words(full_name)
    if len(words) <= 1:
        return " ".join(words)
    return " ".join([*words[:-1], words[-1][0].upper()])
