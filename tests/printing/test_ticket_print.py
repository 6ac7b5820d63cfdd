"""The queue ticket as a patient gets it: on a thermal printer (ESC/POS) or as a PDF."""

from __future__ import annotations

import io
import socket
import threading
import time
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

import pypdf
import pypdfium2
import pytest
import segno
import zxingcpp
from PIL import Image

from smarthis.printing import (
    PrinterUnavailable,
    TicketPrint,
    mask_name,
    print_ticket,
    ticket_escpos_bytes,
    ticket_image,
    ticket_pdf,
)
from smarthis.printing.ticket import layout_ticket, qr_matrix

LOOKUP_URL = "https://his.benhvien.example.vn/q/7Hc2xK9pQmR4tV8wZ3bN5dF1"

ESC_INIT = b"\x1b@"
GS_CUT = b"\x1dV"
RASTER_576_DOTS = b"\x1dv0\x00\x48\x00"  # GS v 0, normal density, 72 bytes (576 dots) a row


def make_ticket(**changes: object) -> TicketPrint:
    ticket = TicketPrint(
        hospital_name="Bệnh viện Ung bướu tỉnh Quảng Nam",
        display_number="B-0123",
        service_point_name="Phòng khám Ung bướu vú",
        room_label="102",
        floor="Tầng 1",
        masked_name="NGUYỄN V. A.",
        # 00:42 UTC is 07:42 in Hồ Chí Minh City
        issued_at=datetime(2025, 3, 12, 0, 42, tzinfo=UTC),
        expected_wait_minutes=15,
        insurance_status_vi="BHYT: thẻ hợp lệ, mức hưởng 80%",
        priority_label_vi="Ưu tiên: người từ 75 tuổi",
        lookup_url=LOOKUP_URL,
    )
    return replace(ticket, **changes)


def decoded_qr_texts(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def pdf_text(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.fixture(scope="module")
def ticket() -> TicketPrint:
    return make_ticket()


@pytest.fixture(scope="module")
def escpos_job(ticket: TicketPrint) -> bytes:
    return ticket_escpos_bytes(ticket)


@pytest.fixture(scope="module")
def pdf(ticket: TicketPrint) -> bytes:
    return ticket_pdf(ticket)


# --- names shown in public -------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "masked"),
    [
        ("Nguyễn Văn An", "NGUYỄN V. A."),
        ("Lê Thị Thu Hà", "LÊ T. T. H."),
        ("An", "AN"),
        ("đặng", "ĐẶNG"),
        ("đặng thị ánh", "ĐẶNG T. Á."),
        ("  Trần   Văn  Bình ", "TRẦN V. B."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name_keeps_family_name_and_initials(full_name: str, masked: str) -> None:
    assert mask_name(full_name) == masked


def test_mask_name_composes_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Ánh")
    masked = mask_name(decomposed)
    assert masked == "NGUYỄN Á."
    assert unicodedata.is_normalized("NFC", masked)


def test_ticket_refuses_a_time_without_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        make_ticket(issued_at=datetime(2025, 3, 12, 7, 42))


# --- the raster the printer draws ------------------------------------------------------


def test_ticket_image_is_one_bit_and_as_wide_as_the_80mm_head(ticket: TicketPrint) -> None:
    image = ticket_image(ticket)
    assert image.mode == "1"
    assert image.width == 576
    assert 700 < image.height < 1400  # about 12 cm of paper


def test_qr_on_the_printed_ticket_opens_the_lookup_url(ticket: TicketPrint) -> None:
    assert decoded_qr_texts(ticket_image(ticket)) == [LOOKUP_URL]


def test_every_line_fits_on_the_paper() -> None:
    long_ticket = make_ticket(
        display_number="CĐHA-10234",
        service_point_name="Phòng siêu âm tim mạch, Doppler mạch máu và chẩn đoán hình ảnh",
        priority_label_vi="Ưu tiên: phụ nữ có thai, trẻ em dưới 6 tuổi, người khuyết tật nặng",
    )
    layout = layout_ticket(long_ticket)
    image = ticket_image(long_ticket)
    # nothing drawn in the outermost dots: no line ran off the edge
    margins = image.crop((0, 0, 8, image.height)), image.crop((568, 0, 576, image.height))
    assert all(margin.getextrema() == (255, 255) for margin in margins)
    assert layout.qr is not None and layout.qr.top + layout.qr.size < layout.height


def test_take_a_number_ticket_leaves_out_what_it_does_not_know() -> None:
    bare = make_ticket(
        masked_name=None,
        expected_wait_minutes=None,
        insurance_status_vi=None,
        priority_label_vi=None,
        floor=None,
    )
    text = pdf_text(ticket_pdf(bare))
    assert "B-0123" in text
    assert "Phòng 102" in text
    assert "NGUYỄN" not in text
    assert "BHYT" not in text
    assert "Thời gian chờ" not in text
    assert "Tầng" not in text
    assert decoded_qr_texts(ticket_image(bare)) == [LOOKUP_URL]


# --- the ESC/POS job -------------------------------------------------------------------


def test_escpos_job_initialises_prints_the_raster_and_cuts(escpos_job: bytes) -> None:
    assert escpos_job.startswith(ESC_INIT)
    assert RASTER_576_DOTS in escpos_job
    assert GS_CUT in escpos_job[-16:]
    # the Vietnamese text travels as pixels, never as code-page text
    assert "Phòng".encode() not in escpos_job


def test_printing_to_a_file_appends_a_job(tmp_path, ticket: TicketPrint, escpos_job) -> None:
    spool = tmp_path / "printer.bin"
    spool.write_bytes(b"earlier job")
    print_ticket(ticket, f"file:{spool}")
    print_ticket(ticket, f"file://{spool}")
    assert spool.read_bytes() == b"earlier job" + escpos_job + escpos_job


def test_printing_to_a_missing_device_says_so_in_vietnamese(tmp_path, ticket) -> None:
    with pytest.raises(PrinterUnavailable, match="Không ghi được vào máy in"):
        print_ticket(ticket, f"file:{tmp_path}/no-such-dir/lp0")


def test_network_printer_receives_the_whole_job(ticket: TicketPrint, escpos_job) -> None:
    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def accept_one() -> None:
            connection, _ = server.accept()
            with connection:
                while chunk := connection.recv(65536):
                    received.extend(chunk)

        listener = threading.Thread(target=accept_one)
        listener.start()
        print_ticket(ticket, f"tcp://127.0.0.1:{port}")
        listener.join(timeout=5)
    assert bytes(received) == escpos_job


def test_closed_printer_port_fails_fast_with_vietnamese_message(ticket: TicketPrint) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable) as raised:
        print_ticket(ticket, f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - started < 3.5
    assert "Không kết nối được máy in" in raised.value.message
    assert raised.value.target == f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("target", ["lpt1", "tcp://", "tcp://printer:abc", "http://x:9100"])
def test_unknown_printer_address_is_refused(ticket: TicketPrint, target: str) -> None:
    with pytest.raises(PrinterUnavailable, match="không hợp lệ"):
        print_ticket(ticket, target)


# --- the PDF ---------------------------------------------------------------------------


def test_pdf_is_one_80mm_page_with_vietnamese_text(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    height_mm = float(reader.pages[0].mediabox.height) / 72 * 25.4
    assert width_mm == pytest.approx(80, abs=0.1)
    assert 80 < height_mm < 180
    text = reader.pages[0].extract_text()
    for expected in [
        "B-0123",
        "Phòng khám Ung bướu vú",
        "Phòng 102 · Tầng 1",
        "NGUYỄN V. A.",
        "Giờ lấy số: 07:42 12/03/2025",
        "Thời gian chờ dự kiến: khoảng 15 phút",
        "BHYT: thẻ hợp lệ, mức hưởng 80%",
        "Ưu tiên: người từ 75 tuổi",
        "Xin cảm ơn!",
    ]:
        assert expected in text


def test_pdf_qr_is_vector_and_decodes_to_the_lookup_url(pdf: bytes) -> None:
    page = pypdfium2.PdfDocument(pdf)[0]
    rendered = page.render(scale=200 / 72).to_pil()
    assert decoded_qr_texts(rendered) == [LOOKUP_URL]
    assert b"/Subtype /Image" not in pdf  # drawn as rectangles, not pasted as a picture


def test_qr_holds_exactly_the_lookup_url() -> None:
    symbol = segno.make_qr(LOOKUP_URL, error="m", boost_error=False)
    assert qr_matrix(LOOKUP_URL) == tuple(tuple(bool(m) for m in row) for row in symbol.matrix)


def test_english_ticket(ticket: TicketPrint) -> None:
    text = pdf_text(ticket_pdf(replace(ticket, language="en")))
    assert "QUEUE NUMBER" in text
    assert "Room 102" in text
    assert "Expected wait: about 15 minutes" in text
    assert "Thank you!" in text
    assert "Xin cảm ơn" not in text
