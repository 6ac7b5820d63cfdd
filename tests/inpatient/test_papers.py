"""The discharge paper and the residence declaration for the police."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from smarthis.cli import app
from smarthis.clinical.papers import Hospital
from smarthis.config import get_settings
from smarthis.db import Database, utcnow
from smarthis.errors import Conflict
from smarthis.inpatient import service
from smarthis.inpatient.discharge_paper import discharge_paper_pdf
from smarthis.inpatient.models import Stay
from smarthis.inpatient.residence_declaration import HEADER, residence_csv, residence_rows
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.models import AuditEntry
from tests.inpatient.helpers import DOCTOR, NURSE, Patients

HOSPITAL = Hospital(name="Bệnh viện Ung bướu Đà Nẵng", code="48001")


def _pdf_text(content: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


@pytest.fixture
def two_stays(db: Database, ward: Patients) -> tuple[int, int]:
    """An admitted by a nurse from outpatients (bed NOI-101-2) and discharged; Bình, a
    Korean visitor, admitted from the emergency room (bed NOI-102-1) and still in."""
    with db.session() as s:
        an = service.admit(
            s,
            NURSE,
            service.AdmissionInput(ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-2"),
        )
    with db.session() as s:
        service.discharge(
            s,
            DOCTOR,
            an.id,
            service.DischargeInput(
                "recovered_or_improved",
                "Hóa trị phác đồ AC chu kỳ 1, dung nạp tốt",
                advice="Tái khám sau 21 ngày, xét nghiệm công thức máu trước khi đến",
            ),
        )
    with db.session() as s:
        binh = service.admit(
            s,
            DOCTOR,
            service.AdmissionInput(
                ward_code="NOI",
                admitted_from="emergency",
                patient_id=ward.binh,
                icd_code="K35.8",
                bed_code="NOI-102-1",
            ),
        )
    return an.id, binh.id


def test_the_discharge_paper_carries_what_the_patient_takes_home(
    db: Database, two_stays: tuple[int, int]
) -> None:
    an, binh = two_stays
    with db.session() as s:
        text = _pdf_text(discharge_paper_pdf(s, an, HOSPITAL))
        stay = s.get(Stay, an)
        assert stay is not None
        admitted = stay.admitted_at.astimezone(HOSPITAL_TZ)
    for expected in (
        "GIẤY RA VIỆN",
        "BỆNH VIỆN UNG BƯỚU ĐÀ NẴNG",
        "NGUYỄN VĂN AN",
        "14/03/1970",
        "CCCD 048070001234",
        "Khoa Nội - Hóa trị",
        "NOI-101-2",
        f"{admitted:%d/%m/%Y}",
        "C50.9",
        "Hóa trị phác đồ AC chu kỳ 1",
        "Tái khám sau 21 ngày",
        "BÁC SĨ ĐIỀU TRỊ",
        "Nguyễn Văn Nam",
    ):
        assert expected in text, expected
    with pytest.raises(Conflict) as still_in, db.session() as s:
        discharge_paper_pdf(s, binh, HOSPITAL)
    assert still_in.value.code == "stay_not_discharged"


def test_residence_declaration_lists_the_days_arrivals_and_departures(
    db: Database, ward: Patients, two_stays: tuple[int, int]
) -> None:
    an_patient_id, binh_patient_id = ward.an, ward.binh
    today = utcnow().astimezone(HOSPITAL_TZ).date()
    with db.session() as s:
        rows = residence_rows(s, NURSE, today)
        yesterday = residence_rows(s, NURSE, today - timedelta(days=1))
    assert yesterday == []
    by_name = {r.full_name: r for r in rows}
    an, binh = by_name["Nguyễn Văn An"], by_name["Trần Thị Bình"]
    assert an.event == "Đến và đi"
    assert (an.id_kind, an.id_number, an.nationality) == ("CCCD", "048070001234", "VN")
    assert an.date_of_birth == "14/03/1970"
    assert an.address == "12 Lê Duẩn, Hải Châu, Đà Nẵng"
    assert (an.ward, an.room, an.bed) == ("Khoa Nội - Hóa trị", "Buồng 101", "NOI-101-2")
    assert an.admitted_at and an.discharged_at
    assert binh.event == "Đến"
    # A foreigner is declared by passport number (stored as NAT:number) and nationality.
    assert (binh.id_kind, binh.id_number, binh.nationality) == ("Hộ chiếu", "M12345678", "KR")
    assert binh.discharged_at == ""

    content = residence_csv(rows)
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the diacritics right
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(table[0]) == HEADER
    assert len(table) == 3
    with db.session() as s:
        exported = (
            s.execute(
                select(AuditEntry.patient_id).where(
                    AuditEntry.action == "inpatient.residence_export"
                )
            )
            .scalars()
            .all()
        )
    assert sorted(exported) == sorted([an_patient_id, binh_patient_id])  # one entry each


@pytest.fixture
def smarthis(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("SMARTHIS_DATABASE_URL", db.url)
    monkeypatch.setenv("SMARTHIS_FACILITY_CODE", "48001")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_residence_command_writes_the_days_csv(
    smarthis: CliRunner, two_stays: tuple[int, int], tmp_path: Path
) -> None:
    today = utcnow().astimezone(HOSPITAL_TZ).date()
    out = tmp_path / "luu-tru.csv"
    result = smarthis.invoke(
        app, ["inpatient", "residence", "--date", today.isoformat(), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 người bệnh" in result.output
    text = out.read_bytes().decode("utf-8-sig")
    assert "Trần Thị Bình" in text and "M12345678" in text
    bad = smarthis.invoke(app, ["inpatient", "residence", "--date", "26/11/2026", "--out", "x"])
    assert bad.exit_code == 2
