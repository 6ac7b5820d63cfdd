"""How a patient's name appears in public: masked on boards and tickets, short when called."""

from __future__ import annotations

import unicodedata


def _words(full_name: str) -> list[str]:
    return unicodedata.normalize("NFC", full_name).split()


def mask_name(full_name: str) -> str:
    """Family name in full, the rest as initials: "Nguyễn Văn An" -> "NGUYỄN V. A."."""
    words = _words(full_name)
    if not words:
        return ""
    if len(words) == 1:
        return words[0].upper()
    return " ".join([words[0].upper(), *(f"{w[0].upper()}." for w in words[1:])])


def call_name(full_name: str) -> str:
    """What the board says aloud: "Nguyễn Văn An" -> "Nguyễn Văn A"."""
    words = _words(full_name)
    if len(words) <= 1:
        return " ".join(words)
    return " ".join([*words[:-1], words[-1][0].upper()])
