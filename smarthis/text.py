"""Text helpers for Vietnamese: names keep their diacritics, search ignores them."""

from __future__ import annotations

import unicodedata

# đ/Đ is a letter of its own (d with stroke), not d plus a combining mark, so Unicode
# decomposition leaves it alone; a receptionist typing "dung" must still find "Đũng".
_STROKED_D = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Search key: lower case, no diacritics, single spaces.

    fold("Nguyễn Văn  An") == "nguyen van an"
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKED_D))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())


def tidy(text: str) -> str:
    """Display form: composed characters (NFC) and single spaces, diacritics kept.

    Card readers and keyboards emit both composed and decomposed Vietnamese; storing one
    form keeps equality and sorting honest.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())
