"""The queue ticket on an 80 mm ESC/POS thermal printer.

Printer code pages cannot be trusted with Vietnamese (few carry all 134 accented letters,
and each brand numbers them differently), so the whole ticket goes as one raster image
drawn with the bundled DejaVu font: what the screen shows is what the paper gets.
"""

from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from smarthis.printing.ticket import TicketPrint, layout_ticket, ticket_font

if TYPE_CHECKING:
    from escpos.escpos import Escpos

# A generic 80 mm, 203 dpi printer (576 dots a line) that cuts: python-escpos centres and
# checks image width against the profile.
PRINTER_PROFILE = "TM-T20II"
CONNECT_TIMEOUT_S = 3.0


def _use_capabilities_cache() -> None:
    """Called before python-escpos is first imported (on the first print job).

    Importing python-escpos reads its printer-capabilities YAML (over a second here)
    unless it finds the pickle it makes of it, which by default it writes to a new
    temporary directory in every process: each app worker paid the second at start-up and
    left a directory behind. The import now waits until something is printed, and the
    pickle is kept in the user's cache directory: used once it is there, and put there
    whole (written aside, then renamed), so no process ever reads half of one."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "smarthis"
    if (cache / f"{platform.python_version()}.capabilities.pickle").exists():
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        return
    from escpos import capabilities  # this once: parses the YAML, pickles it to a temp dir

    try:
        cache.mkdir(parents=True, exist_ok=True)
        kept = cache / Path(capabilities.pickle_path).name
        aside = kept.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(capabilities.pickle_path, aside)
        os.replace(aside, kept)
    except OSError:
        pass  # no cache directory: the next process parses the YAML again


class PrinterUnavailable(Exception):
    """The ticket could not be handed to the printer; `message` is for the receptionist."""

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message)
        self.message = message
        self.target = target


def ticket_image(ticket: TicketPrint) -> Image.Image:
    """The ticket as the printer draws it: 1-bit, 576 dots wide, black on white."""
    layout = layout_ticket(ticket)
    canvas = Image.new("L", (layout.width, layout.height), 255)
    draw = ImageDraw.Draw(canvas)
    for box in layout.boxes:
        draw.rectangle(
            (round(box.left), round(box.top), round(box.right) - 1, round(box.bottom) - 1),
            fill=0,
        )
    for row in layout.rows:
        draw.text(
            (row.x, row.baseline),
            row.text,
            font=ticket_font(row.bold, row.size),
            fill=255 if row.reversed else 0,
            anchor="ms",
        )
    if layout.qr is not None:
        qr = layout.qr
        for row_index, modules in enumerate(qr.matrix):
            for column, dark in enumerate(modules):
                if dark:
                    left = qr.left + column * qr.module
                    top = qr.top + row_index * qr.module
                    draw.rectangle((left, top, left + qr.module - 1, top + qr.module - 1), fill=0)
    # Threshold rather than dither: dithered text edges print fuzzy on thermal paper.
    return canvas.point(lambda value: 255 if value >= 128 else 0, mode="1")


def _write_job(printer: Escpos, image: Image.Image) -> None:
    printer.hw("INIT")  # ESC @: forget whatever the last job left set
    printer.image(image, impl="bitImageRaster", center=False)
    printer.cut(mode="PART")


def ticket_escpos_bytes(ticket: TicketPrint) -> bytes:
    """One complete ESC/POS job: initialise, the ticket raster, feed and cut."""
    return _job_bytes(ticket_image(ticket))


def _job_bytes(image: Image.Image) -> bytes:
    _use_capabilities_cache()
    from escpos.printer import Dummy

    printer = Dummy(profile=PRINTER_PROFILE)
    _write_job(printer, image)
    return printer.output


def print_ticket(ticket: TicketPrint, target: str) -> None:
    """Send the ticket to `tcp://HOST:PORT` (a network printer, raw port 9100 usually) or
    append it to `file:/path` (a printer device or a spool file).

    Raises PrinterUnavailable, with a Vietnamese message, when the job did not get there.
    """
    image = ticket_image(ticket)  # drawn first: a drawing fault is no printer's fault
    if target.startswith("tcp://"):
        _send_tcp(image, target)
    elif target.startswith("file:"):
        _append_file(_job_bytes(image), target)
    else:
        raise PrinterUnavailable(
            f"Địa chỉ máy in không hợp lệ: {target!r} (cần tcp://máy:cổng hoặc file:/đường/dẫn)",
            target,
        )


def _send_tcp(image: Image.Image, target: str) -> None:
    parts = urlsplit(target)
    try:
        host, port = parts.hostname, parts.port or 9100
    except ValueError:  # a port that is not a number
        host, port = None, None
    if not host or port is None:
        raise PrinterUnavailable(f"Địa chỉ máy in không hợp lệ: {target!r}", target)
    _use_capabilities_cache()
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    printer = Network(host=host, port=port, timeout=CONNECT_TIMEOUT_S)
    try:
        printer.open()
        _write_job(printer, image)
    except (OSError, DeviceNotFoundError) as error:  # refused, unreachable, timed out
        raise PrinterUnavailable(
            f"Không kết nối được máy in {host}:{port} — kiểm tra máy in đã bật, "
            "còn giấy và đã cắm mạng, rồi in lại.",
            target,
        ) from error
    finally:
        printer.close()


def _append_file(job: bytes, target: str) -> None:
    path = target.removeprefix("file:")
    if path.startswith("//"):  # file:///dev/usb/lp0
        path = path[2:]
    # python-escpos's File printer opens with "wb" and would erase earlier jobs in a spool
    # file; appending keeps every ticket, and a device node takes "ab" just the same.
    try:
        with open(path, "ab") as device:
            device.write(job)
    except OSError as error:
        raise PrinterUnavailable(
            f"Không ghi được vào máy in {path}: {error.strerror or error}.", target
        ) from error
