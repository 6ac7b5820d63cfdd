"""Shared pieces of the document tests: a PKI in a temporary folder, Vietnamese PDFs,
a patient with a visit, and byte surgery on signed files."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.lib.pagesizes import A4

from smarthis.clinical.models import Visit
from smarthis.clinical.papers import Hospital
from smarthis.config import Settings
from smarthis.counters import next_value
from smarthis.db import Database
from smarthis.documents.pki import PkiConfig
from smarthis.patients.models import Patient
from smarthis.printing.flowing_page import FlowingPage

FACILITY = "48001"
HOSPITAL = "Bệnh viện Ung bướu tỉnh (demo)"


def pki_config(data_dir: Path) -> PkiConfig:
    """The configuration the app and the CLI derive from the same data directory."""
    return PkiConfig.from_settings(Settings(data_dir=data_dir, facility_name=HOSPITAL))


def visit_record_pdf(patient_name: str = "Nguyễn Văn Đức", note: str = "Viêm họng cấp") -> bytes:
    page = FlowingPage(A4, "PHIẾU KHÁM BỆNH NGOẠI TRÚ", Hospital(name=HOSPITAL, code=FACILITY))
    page.line("Họ và tên: ", patient_name.upper())
    page.line("Chẩn đoán: ", note)
    page.line("Bác sĩ khám: ", "Phạm Thị Hoa")
    return page.finish()


def flip_byte_in_first_revision(signed: bytes, original_length: int) -> bytes:
    """Change one byte in the middle of the content stream the first signer signed."""
    start = signed.index(b"stream", signed.index(b"/Contents")) + 200
    assert start < original_length
    tampered = bytearray(signed)
    tampered[start] ^= 0x01
    return bytes(tampered)


def append_drawing_after_signing(signed: bytes) -> bytes:
    """An incremental update that draws on the page: allowed by the file format, but a
    change to what the signers signed."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    writer.add_stream_to_page(0, _stream(writer, b"q 1 0 0 rg 100 100 200 50 re f Q"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stream(writer: IncrementalPdfFileWriter, content: bytes):  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils import generic

    return writer.add_object(generic.StreamObject(stream_data=content))


def patient_with_visit(db: Database, full_name: str = "Nguyễn Văn Đức") -> tuple[int, int]:
    with db.session() as s:
        n = next_value(s, "test-patient")
        patient = Patient(
            facility_code=FACILITY,
            mrn=f"2026{n:06d}",
            full_name=full_name,
            name_folded=full_name.lower(),
            date_of_birth=date(1960, 3, 15),
            birth_year=1960,
            sex="male",
        )
        s.add(patient)
        s.flush()
        visit = Visit(
            facility_code=FACILITY,
            visit_number=f"261126{n:05d}",
            patient_id=patient.id,
            registered_by="letan.hoa",
            arrival_mode="self_referred",
        )
        s.add(visit)
        s.flush()
        return patient.id, visit.id
