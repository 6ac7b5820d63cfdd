"""A PDF written top to bottom that starts a new page when the text reaches the bottom
margin: the papers of `smarthis.clinical.papers` fit one page, a prescription with many
drugs or a visit record with many results do not."""

from __future__ import annotations

from smarthis.clinical.papers import Hospital, _Page
from smarthis.printing.pdf_ticket import BOLD_FONT, REGULAR_FONT


class FlowingPage(_Page):
    def __init__(self, size: tuple[float, float], title: str, hospital: Hospital) -> None:
        super().__init__(size, title, hospital)
        self.page_number = 1

    def room(self, points: float) -> None:
        """Start a new page unless `points` of height are left above the bottom margin."""
        if self.y - points >= self.margin:
            return
        self.pdf.setFont(REGULAR_FONT, 7)
        self.pdf.drawRightString(
            self.width - self.margin, self.margin / 2, f"Trang {self.page_number}"
        )
        self.pdf.showPage()
        self.page_number += 1
        self.y = self.height - self.margin

    def _wrap(self, text: str, start: float, font: str, size: float) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        right = self.width - self.margin
        x = start
        for paragraph in (text or "").split("\n"):
            current = ""
            for word in paragraph.split():
                trial = f"{current} {word}".strip()
                if stringWidth(trial, font, size) > right - x and current:
                    self._draw(x, current, font, size)
                    x = self.margin if start == self.margin else start
                    current = word
                else:
                    current = trial
            self._draw(x, current, font, size)
            x = self.margin if start == self.margin else start

    def _draw(self, x: float, text: str, font: str, size: float) -> None:
        self.room(size * 1.45)
        self.pdf.setFont(font, size)
        self.pdf.drawString(x, self.y, text)
        self.y -= size * 1.45

    def line(self, label: str, value: str, size: float = 10) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.room(size * 1.45)
        self.pdf.setFont(BOLD_FONT, size)
        self.pdf.drawString(self.margin, self.y, label)
        indent = self.margin + stringWidth(label, BOLD_FONT, size) + 4
        self._wrap(value, indent, REGULAR_FONT, size)

    def heading(self, text: str, size: float = 10.5) -> None:
        self.room(size * 3)
        self.gap(4)
        self._wrap(text, self.margin, BOLD_FONT, size)

    def finish(self) -> bytes:
        if self.page_number > 1:
            self.pdf.setFont(REGULAR_FONT, 7)
            self.pdf.drawRightString(
                self.width - self.margin, self.margin / 2, f"Trang {self.page_number}"
            )
        return super().finish()
