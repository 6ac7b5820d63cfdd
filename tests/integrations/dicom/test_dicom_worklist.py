"""The modality worklist as a CT modality sees it, through dcmtk's findscu: scheduled
imaging orders with the Vietnamese name whole in UTF-8, matched on modality, date (ranges
too) and station AE title; done items leave it; every query is logged."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from smarthis.db import Database, utcnow
from smarthis.integrations.dicom.models import ImagingProcedure
from smarthis.integrations.dicom.traffic import recent_dicom_events
from smarthis.orders.models import OrderItem
from tests.integrations.dicom.dcmtk import findscu, worklist_keys
from tests.integrations.dicom.hospital import (
    CT_SERVICE,
    FACILITY,
    LAB_SERVICE,
    MRI_SERVICE,
    patient_with_visit,
    place,
)

HOSPITAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Nguyễn Thị Hằng"


def _today() -> date:
    return utcnow().astimezone(HOSPITAL_TZ).date()


def _dicom_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _order_ct_and_mri(db: Database) -> tuple[str, str, str]:
    """(MRN, CT accession, MRI accession) of one patient's order."""
    with db.session() as session:
        visit_id, mrn = patient_with_visit(session, NAME)
    placed = place(db, visit_id, [CT_SERVICE, MRI_SERVICE, LAB_SERVICE])

    with db.session() as session:
        by_item = {
            p.order_item_id: p.accession_number
            for p in session.execute(select(ImagingProcedure)).scalars()
        }
    ct, mri, lab = placed.items
    assert lab.id not in by_item  # lab items are not imaging
    return mrn, by_item[ct.id], by_item[mri.id]


def test_ct_modality_gets_its_scheduled_order_in_utf8(
    imaging_db: Database, worklist_port: int, dcmtk: None, tmp_path: Path
) -> None:
    mrn, ct_accession, _ = _order_ct_and_mri(imaging_db)
    today = _dicom_date(_today())

    answers = findscu(worklist_port, worklist_keys(modality="CT", date=today), tmp_path / "ct")

    assert len(answers) == 1
    answer = answers[0]
    assert answer.SpecificCharacterSet == "ISO_IR 192"
    assert str(answer.PatientName) == "Nguyễn^Thị Hằng"
    assert answer.PatientID == mrn
    assert answer.PatientBirthDate == "19720819"
    assert answer.PatientSex == "F"
    assert answer.AccessionNumber == ct_accession
    assert answer.RequestedProcedureCodeSequence[0].CodeValue == CT_SERVICE
    assert answer.RequestedProcedureDescription.startswith("Chụp cắt lớp vi tính lồng ngực")
    step = answer.ScheduledProcedureStepSequence[0]
    assert step.Modality == "CT"
    assert step.ScheduledStationAETitle == "CT_TANG2"
    assert step.ScheduledProcedureStepStartDate == today
    assert answer.StudyInstanceUID.startswith("2.25.")
    # Asked again, the modality is offered the same Study Instance UID.
    (again,) = findscu(worklist_port, worklist_keys(modality="CT"), tmp_path / "again")
    assert again.StudyInstanceUID == answer.StudyInstanceUID


def test_matching_on_modality_date_range_and_station(
    imaging_db: Database, worklist_port: int, dcmtk: None, tmp_path: Path
) -> None:
    _order_ct_and_mri(imaging_db)
    today = _today()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    ask = lambda name, **keys: findscu(worklist_port, worklist_keys(**keys), tmp_path / name)  # noqa: E731

    assert [a.ScheduledProcedureStepSequence[0].Modality for a in ask("mr", modality="MR")] == [
        "MR"
    ]
    assert len(ask("all")) == 2
    assert len(ask("range", date=f"{_dicom_date(yesterday)}-{_dicom_date(tomorrow)}")) == 2
    assert len(ask("open-end", date=f"{_dicom_date(today)}-")) == 2
    assert ask("yesterday", date=_dicom_date(yesterday)) == []
    assert ask("before", date=f"-{_dicom_date(yesterday)}") == []
    by_station = ask("station", station="MRI01")
    assert [a.ScheduledProcedureStepSequence[0].ScheduledStationAETitle for a in by_station] == [
        "MRI01"
    ]
    assert len(ask("ct-station", station="CT_TANG2")) == 1
    assert ask("unknown-station", station="NOWHERE") == []


def test_a_resulted_item_leaves_the_worklist(
    imaging_db: Database, worklist_port: int, dcmtk: None, tmp_path: Path
) -> None:
    _, ct_accession, _ = _order_ct_and_mri(imaging_db)

    with imaging_db.session() as session:
        procedure = session.execute(
            select(ImagingProcedure).where(ImagingProcedure.accession_number == ct_accession)
        ).scalar_one()
        session.get(OrderItem, procedure.order_item_id).status = "resulted"

    answers = findscu(worklist_port, worklist_keys(), tmp_path / "after")

    assert [a.ScheduledProcedureStepSequence[0].Modality for a in answers] == ["MR"]


def test_queries_are_logged_for_the_interface_monitor(
    imaging_db: Database, worklist_port: int, dcmtk: None, tmp_path: Path
) -> None:
    _order_ct_and_mri(imaging_db)
    findscu(worklist_port, worklist_keys(modality="CT"), tmp_path / "q", calling="CT_TANG2")
    findscu(worklist_port, worklist_keys(date="2026-11"), tmp_path / "bad")

    with imaging_db.session() as session:
        bad, good = recent_dicom_events(session, FACILITY, limit=10)

    assert good.kind == "worklist_query" and good.ok
    assert good.calling_ae == "CT_TANG2"
    assert good.matches == 1
    assert good.detail["modality"] == "CT"
    assert good.duration_ms is not None
    assert bad.kind == "worklist_query" and not bad.ok
    assert "2026-11" in bad.detail["error"]
