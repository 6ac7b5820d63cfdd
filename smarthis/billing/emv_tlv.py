"""EMVCo tag-length-value data objects: two-digit tag, two-digit length, value.

Parsing is strict: a length that runs past the end, a non-numeric tag or length, an empty
value or a repeated tag is refused with the position, because a QR that parses "mostly"
would send money to a half-read account number.
"""

from __future__ import annotations

from collections.abc import Callable

# Raised by the caller's error factory: (code, Vietnamese message, English message, tag path).
ErrorFactory = Callable[[str, str, str, str | None], Exception]


def encode(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"tag must be two digits: {tag!r}")
    if not 1 <= len(value) <= 99:
        raise ValueError(f"value of tag {tag} must be 1-99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def parse(text: str, where: str, error: ErrorFactory) -> dict[str, str]:
    """Tags to values, in payload order; `where` prefixes tag paths in errors ("38.")."""
    objects: dict[str, str] = {}
    position = 0
    while position < len(text):
        head = text[position : position + 4]
        if len(head) < 4 or not head.isdigit():
            raise error(
                "vietqr_bad_length",
                f"Đối tượng dữ liệu hỏng tại vị trí {position} ({where or 'gốc'}): "
                "thiếu mã thẻ hoặc độ dài 2 chữ số",
                f"malformed data object at position {position} ({where or 'root'}): "
                "tag and length must be two digits each",
                f"{where}{head[:2]}" if head[:2].isdigit() else where.rstrip(".") or None,
            )
        tag, length = head[:2], int(head[2:])
        value = text[position + 4 : position + 4 + length]
        if length == 0 or len(value) != length:
            raise error(
                "vietqr_bad_length",
                f"Thẻ {where}{tag}: độ dài {length:02d} không khớp với dữ liệu còn lại "
                f"({len(value)} ký tự)",
                f"tag {where}{tag}: length {length:02d} does not match the data left "
                f"({len(value)} characters)",
                f"{where}{tag}",
            )
        if tag in objects:
            raise error(
                "vietqr_duplicate_tag",
                f"Thẻ {where}{tag} xuất hiện hai lần",
                f"tag {where}{tag} appears twice",
                f"{where}{tag}",
            )
        objects[tag] = value
        position += 4 + length
    return objects
