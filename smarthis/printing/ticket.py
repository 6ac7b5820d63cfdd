"""The queue ticket: what it says, in Vietnamese or English, and where each line goes.

`ticket_lines` decides the words and their order; `layout_ticket` places them on the 80 mm
roll in printer dots (8 dots a millimetre, 576 dots of printable width). The ESC/POS raster
paints that layout dot for dot and the PDF draws the same layout as vectors, so both look
alike.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

import segno
from PIL import ImageFont

from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.text import tidy

# DejaVu Sans covers every Vietnamese letter; bundled (see fonts/LICENSE) so a ticket looks
# the same on every machine, whatever fonts the system has.
FONTS_DIR = Path(__file__).with_name("fonts")
REGULAR_FONT_PATH = FONTS_DIR / "DejaVuSans.ttf"
BOLD_FONT_PATH = FONTS_DIR / "DejaVuSans-Bold.ttf"


Language = Literal["vi", "en"]


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one queue ticket; no field holds more than the public may see."""

    hospital_name: str
    display_number: str  # "B-0123"
    service_point_name: str  # "Phòng khám Ung bướu vú"
    room_label: str  # "102"
    floor: str | None  # "Tầng 1"
    masked_name: str | None  # already masked (see mask_name); None on a take-a-number ticket
    issued_at: datetime  # timezone-aware; printed in Asia/Ho_Chi_Minh
    expected_wait_minutes: int | None
    insurance_status_vi: str | None  # "BHYT: thẻ hợp lệ, mức hưởng 80%"
    priority_label_vi: str | None  # "Ưu tiên: người từ 75 tuổi"
    lookup_url: str  # the QR content: an URL with an opaque token, never personal data
    language: Language = "vi"

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        if self.language not in ("vi", "en"):
            raise ValueError(f"unsupported ticket language: {self.language!r}")
        if not self.display_number.strip():
            raise ValueError("display_number must not be blank")
        if not self.lookup_url.strip():
            raise ValueError("lookup_url must not be blank")
        if self.expected_wait_minutes is not None and self.expected_wait_minutes < 0:
            raise ValueError("expected_wait_minutes must not be negative")


def mask_name(full_name: str) -> str:
    """A patient's name as it may be shown in public: family name whole, the rest initials.

    mask_name("Nguyễn Văn An") == "NGUYỄN V. A."; mask_name("an") == "AN".
    Upper-casing works on the composed (NFC) form, so "đặng" becomes "ĐẶNG", marks kept.
    """
    words = tidy(full_name).split(" ")
    if words == [""]:
        return ""
    family, *others = words
    initials = [f"{word[0]}." for word in others]
    return unicodedata.normalize("NFC", " ".join([family, *initials]).upper())


class LineStyle(StrEnum):
    """What a line is for; each renderer maps it to a size and weight."""

    HOSPITAL = "hospital"
    CAPTION = "caption"  # "SỐ THỨ TỰ" above the number
    NUMBER = "number"  # the big "B-0123"
    SERVICE = "service"  # service point name
    ROOM = "room"  # "Phòng 102 · Tầng 1": where to go
    NAME = "name"
    DETAIL = "detail"  # time, expected wait, insurance
    PRIORITY = "priority"  # printed reversed (white on black) so staff see it at once
    RULE = "rule"  # a separating line; text is empty
    QR = "qr"  # text is the QR content
    FOOTER = "footer"  # "scan the code" hint
    THANKS = "thanks"


@dataclass(frozen=True)
class TicketLine:
    style: LineStyle
    text: str = ""


_LABELS: dict[str, dict[Language, str]] = {
    "caption": {"vi": "SỐ THỨ TỰ", "en": "QUEUE NUMBER"},
    "room": {"vi": "Phòng {room}", "en": "Room {room}"},
    "issued": {"vi": "Giờ lấy số: {time}", "en": "Issued: {time}"},
    "wait": {"vi": "Thời gian chờ dự kiến: {wait}", "en": "Expected wait: {wait}"},
    "scan": {
        "vi": "Quét mã để theo dõi lượt của bạn",
        "en": "Scan the code to follow your turn",
    },
    "thanks": {"vi": "Xin cảm ơn!", "en": "Thank you!"},
}


def _label(key: str, language: Language, **values: object) -> str:
    return _LABELS[key][language].format(**values)


def format_wait(minutes: int, language: Language = "vi") -> str:
    """'khoảng 15 phút' / 'about 15 minutes'; hours past the first hour, never '0 phút'."""
    if minutes < 1:
        return "dưới 1 phút" if language == "vi" else "under a minute"
    hours, rest = divmod(minutes, 60)
    if language == "vi":
        if hours == 0:
            return f"khoảng {minutes} phút"
        return f"khoảng {hours} giờ" + (f" {rest} phút" if rest else "")
    if hours == 0:
        return f"about {minutes} minute" + ("s" if minutes != 1 else "")
    hour_part = f"{hours} hour" + ("s" if hours != 1 else "")
    return f"about {hour_part}" + (f" {rest} min" if rest else "")


def format_issued_at(issued_at: datetime) -> str:
    """HH:MM dd/MM/yyyy in hospital time, as Vietnamese read a date."""
    return issued_at.astimezone(HOSPITAL_TZ).strftime("%H:%M %d/%m/%Y")


def ticket_lines(ticket: TicketPrint) -> list[TicketLine]:
    """The ticket top to bottom; blank optional fields leave no line behind."""
    lang = ticket.language
    lines = [
        TicketLine(LineStyle.HOSPITAL, tidy(ticket.hospital_name).upper()),
        TicketLine(LineStyle.RULE),
        TicketLine(LineStyle.CAPTION, _label("caption", lang)),
        TicketLine(LineStyle.NUMBER, tidy(ticket.display_number)),
        TicketLine(LineStyle.SERVICE, tidy(ticket.service_point_name)),
    ]
    where = _label("room", lang, room=tidy(ticket.room_label))
    if ticket.floor and ticket.floor.strip():
        where = f"{where} · {tidy(ticket.floor)}"
    lines += [TicketLine(LineStyle.ROOM, where), TicketLine(LineStyle.RULE)]
    if ticket.masked_name and ticket.masked_name.strip():
        lines.append(TicketLine(LineStyle.NAME, tidy(ticket.masked_name)))
    lines.append(
        TicketLine(
            LineStyle.DETAIL, _label("issued", lang, time=format_issued_at(ticket.issued_at))
        )
    )
    if ticket.expected_wait_minutes is not None:
        wait = format_wait(ticket.expected_wait_minutes, lang)
        lines.append(TicketLine(LineStyle.DETAIL, _label("wait", lang, wait=wait)))
    if ticket.insurance_status_vi and ticket.insurance_status_vi.strip():
        lines.append(TicketLine(LineStyle.DETAIL, tidy(ticket.insurance_status_vi)))
    if ticket.priority_label_vi and ticket.priority_label_vi.strip():
        lines.append(TicketLine(LineStyle.PRIORITY, tidy(ticket.priority_label_vi)))
    lines += [
        TicketLine(LineStyle.QR, ticket.lookup_url.strip()),
        TicketLine(LineStyle.FOOTER, _label("scan", lang)),
        TicketLine(LineStyle.THANKS, _label("thanks", lang)),
    ]
    return lines


# ---------------------------------------------------------------------------------------
# Layout, in printer dots

PAPER_DOTS = 576  # printable width of an 80 mm roll at 203 dpi (72 mm)
DOTS_PER_MM = 8
_MARGIN = 16  # left and right, inside the printable width
_TOP = 8
_BOTTOM = 16
_REVERSE_PADDING = 10
_RULE_THICKNESS = 3
_QR_TARGET_DOTS = 232  # about 29 mm: a phone reads it from arm's length
_NUMBER_MAX_DOTS = 176

# Vietnamese capitals carry stacked marks (Ễ, Ẩ) that rise to 1.1 em above the baseline,
# past the font's own ascent: wrapped rows are spaced for them so none touch.
_ROW_PITCH_EM = 1.36


@dataclass(frozen=True)
class _Style:
    bold: bool
    size: int  # dots (em height)
    space_after: int  # dots


# Sizes chosen to be read at arm's length: body text ~3.5 mm, the number's capitals
# ~16 mm tall.
_STYLES: dict[LineStyle, _Style] = {
    LineStyle.HOSPITAL: _Style(True, 26, 10),
    LineStyle.CAPTION: _Style(False, 30, 8),
    LineStyle.NUMBER: _Style(True, _NUMBER_MAX_DOTS, 14),
    LineStyle.SERVICE: _Style(True, 36, 8),
    LineStyle.ROOM: _Style(True, 46, 4),
    LineStyle.NAME: _Style(True, 36, 12),
    LineStyle.DETAIL: _Style(False, 28, 10),
    LineStyle.PRIORITY: _Style(True, 30, 14),
    LineStyle.FOOTER: _Style(False, 24, 6),
    LineStyle.THANKS: _Style(True, 30, 0),
}


@dataclass(frozen=True)
class TextRow:
    """One row of text, centred on x, sitting on baseline y."""

    text: str
    x: float
    baseline: float
    size: int
    bold: bool
    reversed: bool = False  # white on the black box behind it


@dataclass(frozen=True)
class Box:
    """A filled black rectangle: a rule, or the ground of reversed text."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class QrBlock:
    content: str
    left: float
    top: float
    module: int  # dots per module
    matrix: tuple[tuple[bool, ...], ...]  # dark modules, without the quiet zone

    @property
    def size(self) -> int:
        return self.module * len(self.matrix)


@dataclass(frozen=True)
class TicketLayout:
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    rows: list[TextRow] = field(default_factory=list)
    qr: QrBlock | None = None


@lru_cache(maxsize=64)
def ticket_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD_FONT_PATH if bold else REGULAR_FONT_PATH), size)


def qr_matrix(content: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol's dark modules (medium error correction, never a Micro QR)."""
    symbol = segno.make_qr(content, error="m", boost_error=False)
    return tuple(tuple(bool(module) for module in row) for row in symbol.matrix)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Rows of about equal length ("BỆNH VIỆN UNG BƯỚU / TỈNH QUẢNG NAM"), never an orphan
    word on the last row: the narrowest width that still needs no more rows than the paper."""
    rows = _wrap_greedy(text, font, width)
    if len(rows) < 2:
        return rows
    narrow, wide = 0.0, float(width)
    while wide - narrow > 2:
        middle = (narrow + wide) / 2
        if len(_wrap_greedy(text, font, middle)) == len(rows):
            wide = middle
        else:
            narrow = middle
    return _wrap_greedy(text, font, wide)


def _wrap_greedy(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    rows: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            rows.append(current)
        # A single word wider than the paper (a long code) is cut by characters.
        current = ""
        for char in word:
            if current and font.getlength(current + char) > width:
                rows.append(current)
                current = ""
            current += char
    if current:
        rows.append(current)
    return rows


def _fit_size(text: str, bold: bool, largest: int, width: float) -> int:
    size = largest
    while size > 24 and ticket_font(bold, size).getlength(text) > width:
        size -= 4
    return size


def _ink(text: str, font: ImageFont.FreeTypeFont) -> tuple[int, int]:
    """Dots of ink above and below the baseline."""
    _, top, _, bottom = font.getbbox(text, anchor="ls")
    return -top, max(bottom, 0)


def layout_ticket(ticket: TicketPrint) -> TicketLayout:
    """Place every line of the ticket; the height is whatever the content needs."""
    width = PAPER_DOTS
    inner = width - 2 * _MARGIN
    centre = width / 2
    boxes: list[Box] = []
    rows: list[TextRow] = []
    qr: QrBlock | None = None
    y = ink_bottom = float(_TOP)
    for line in ticket_lines(ticket):
        if line.style is LineStyle.RULE:
            y += 4
            boxes.append(Box(_MARGIN, y, width - _MARGIN, y + _RULE_THICKNESS))
            y += _RULE_THICKNESS
            ink_bottom = y
            y += 14
            continue
        if line.style is LineStyle.QR:
            matrix = qr_matrix(line.text)
            module = max(3, _QR_TARGET_DOTS // len(matrix))
            side = module * len(matrix)
            # the white paper around it is the quiet zone: 4 modules on every side
            y = max(y, ink_bottom + 4 * module)
            qr = QrBlock(line.text, round(centre - side / 2), round(y), module, matrix)
            y += side + 4 * module
            continue
        style = _STYLES[line.style]
        reverse = line.style is LineStyle.PRIORITY
        text_width = inner - (2 * _REVERSE_PADDING if reverse else 0)
        size = style.size
        if line.style is LineStyle.NUMBER:
            size = _fit_size(line.text, style.bold, style.size, text_width)
        font = ticket_font(style.bold, size)
        wrapped = _wrap(line.text, font, text_width)
        top = y
        if reverse:
            y += _REVERSE_PADDING
        baseline = y + _ink(wrapped[0], font)[0]
        for index, row in enumerate(wrapped):
            if index:
                baseline += round(_ROW_PITCH_EM * size)
            rows.append(TextRow(row, centre, baseline, size, style.bold, reverse))
        y = baseline + max(_ink(wrapped[-1], font)[1], round(0.05 * size))
        if reverse:
            y += _REVERSE_PADDING
            boxes.append(Box(_MARGIN, top, width - _MARGIN, y))
        ink_bottom = y
        y += style.space_after
    return TicketLayout(width, round(y + _BOTTOM), boxes, rows, qr)
