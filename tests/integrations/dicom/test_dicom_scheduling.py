"""Imaging items get their worklist entry and accession number in the order's own
transaction: from the hospital's gap-free daily series, never for lab items, never left
behind by an order that failed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smarthis.counters import Counter
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.integrations.dicom.models import ImagingProcedure
from smarthis.integrations.dicom.worklist_query import WorklistFilter, find_scheduled
from smarthis.orders import service as orders
from tests.integrations.dicom.hospital import (
    CT_SERVICE,
    DOCTOR,
    FACILITY,
    LAB_SERVICE,
    MRI_SERVICE,
    XRAY_SERVICE,
    patient_with_visit,
    place,
)


def _procedures(db: Database) -> list[ImagingProcedure]:
    with db.session() as session:
        return list(
            session.execute(select(ImagingProcedure).order_by(ImagingProcedure.id)).scalars()
        )


def test_each_imaging_item_gets_a_procedure_in_its_room(imaging_db: Database) -> None:
    with imaging_db.session() as session:
        visit_id, _ = patient_with_visit(session, "Lê Thị Thu")
    placed = place(imaging_db, visit_id, [CT_SERVICE, XRAY_SERVICE, LAB_SERVICE, MRI_SERVICE])

    procedures = _procedures(imaging_db)

    items = {item.id: item for item in placed.items}
    assert [
        (items[p.order_item_id].service_code, p.modality, p.point_code) for p in procedures
    ] == [
        (CT_SERVICE, "CT", "CT-01"),
        (XRAY_SERVICE, "DX", "XQ-01"),
        (MRI_SERVICE, "MR", "MRI-01"),
    ]
    numbers = [p.accession_number for p in procedures]
    # yymmdd + a 5-digit daily sequence, consecutive, shared with lab specimen numbers.
    assert all(len(n) == 11 and n.isdigit() for n in numbers)
    assert [int(n[6:]) for n in numbers] == [1, 2, 3]
    assert {p.visit_id for p in procedures} == {visit_id}


def test_a_failed_order_leaves_no_procedure_and_no_used_number(imaging_db: Database) -> None:
    with imaging_db.session() as session:
        visit_id, _ = patient_with_visit(session, "Phạm Minh Tuấn", sex="male")
    with pytest.raises(DomainError), imaging_db.session() as session:
        orders.place_order(session, DOCTOR, visit_id, [CT_SERVICE])
        raise DomainError("test_abort", "Huỷ", "Abort")  # the order's transaction fails

    assert _procedures(imaging_db) == []
    placed = place(imaging_db, visit_id, [CT_SERVICE])
    (procedure,) = _procedures(imaging_db)
    assert procedure.order_item_id == placed.items[0].id
    assert procedure.accession_number.endswith("00001")
    with imaging_db.session() as session:
        counters = session.execute(
            select(Counter.value).where(Counter.name.like(f"accession:{FACILITY}:%"))
        ).scalars()
        assert list(counters) == [1]


def test_station_matching_uses_the_configured_ae_titles(imaging_db: Database) -> None:
    with imaging_db.session() as session:
        visit_id, _ = patient_with_visit(session, "Võ Thị Mai")
    place(imaging_db, visit_id, [CT_SERVICE, XRAY_SERVICE])
    titles = {"CT-01": "CT_TANG2"}

    with imaging_db.session() as session:
        ct = find_scheduled(session, FACILITY, WorklistFilter(station_ae_title="CT_TANG2"), titles)
        xray = find_scheduled(session, FACILITY, WorklistFilter(station_ae_title="XQ01"), titles)
        cr = find_scheduled(session, FACILITY, WorklistFilter(modality="CR"), titles)
        old_title = find_scheduled(
            session, FACILITY, WorklistFilter(station_ae_title="CT01"), titles
        )

    assert [p.service_code for p in ct] == [CT_SERVICE]
    assert [p.service_code for p in xray] == [XRAY_SERVICE]
    assert [p.modality for p in cr] == ["DX"]  # a CR modality is served the X-ray rooms
    assert old_title == []
