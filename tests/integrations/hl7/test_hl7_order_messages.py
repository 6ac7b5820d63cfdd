"""Lab orders leave through the outbox: written with the order (or not at all), one OBR per
lab test, valid HL7 v2.5.1 as hl7apy reads the standard's message structures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import hl7
import pytest
from sqlalchemy import select

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.hl7.order_message import build_order_message
from smarthis.integrations.hl7.outbound import endpoints_from, lab_order_of
from smarthis.integrations.outbox import OutboxMessage
from smarthis.orders import service
from smarthis.orders.models import Order
from smarthis.security.permissions import Role
from tests.integrations.hl7.hl7_validation import validate_oml_o21, validate_orm_o01
from tests.integrations.hl7.lab_hospital import DOCTOR, FACILITY, LabHospital


def test_placing_lab_tests_writes_one_pending_oml_with_an_obr_per_test(lab: LabHospital) -> None:
    visit = lab.visit("Trần Thị Bích Ngọc", sex="female")
    placed = lab.order(visit, ["XN-CBC", "XN-GLU", "XQ-NGUC"])

    (row,) = lab.outbox()
    assert (row.channel, row.status, row.attempts) == ("lis", "pending", 0)
    assert row.message_type == "OML^O21"
    assert row.reference == f"order:{placed.order.id}"
    validate_oml_o21(row.payload)

    parsed = hl7.parse(row.payload)
    assert str(parsed.segment("MSH")[10]) == row.message_control_id
    assert str(parsed.segment("MSH")[18]) == "UNICODE UTF-8"
    assert str(parsed.segment("PID")[5]) == "Trần^Ngọc^Thị Bích"
    lab_items = [i for i in placed.items if i.kind == "lab"]
    obrs = list(parsed.segments("OBR"))
    assert [str(o[2][0][0]) for o in obrs] == [str(i.id) for i in lab_items]
    assert [str(o[4][0][0]) for o in obrs] == ["XN-CBC", "XN-GLU"]
    assert {str(orc[4][0][0]) for orc in parsed.segments("ORC")} == {str(placed.order.id)}
    assert [str(tq1[9][0][0]) for tq1 in parsed.segments("TQ1")] == ["R", "R"]


def test_an_emergency_visit_orders_stat_and_the_national_code_is_sent(lab: LabHospital) -> None:
    placed = lab.order(lab.visit(emergency=True), ["XN-GGT"])
    (row,) = lab.outbox()
    validate_oml_o21(row.payload)
    parsed = hl7.parse(row.payload)
    assert str(parsed.segment("TQ1")[9][0][0]) == "S"
    assert str(parsed.segment("PV1")[2]) == "E"
    service_id = parsed.segment("OBR")[4][0]
    assert (str(service_id[0]), str(service_id[3]), str(service_id[5])) == (
        "XN-GGT",
        "23.0077.1518",
        "BYT",
    )
    assert placed.items[0].kind == "lab"


def test_orm_o01_when_the_lis_wants_it(lab: LabHospital, db: Database) -> None:
    placed = lab.order(lab.visit(), ["XN-URE", "XN-CRE"])
    settings = Settings(facility_code=FACILITY, lis_order_message="ORM_O01")
    with db.session() as s:
        order = s.get(Order, placed.order.id)
        assert order is not None
        text = build_order_message(
            lab_order_of(s, order, service.items_of(s, order.id)),
            endpoints_from(settings),
            "480010000000099",
            datetime.now().astimezone(),
            settings.lis_order_message,
        )
    validate_orm_o01(text)
    parsed = hl7.parse(text)
    assert str(parsed.segment("MSH")[9]) == "ORM^O01^ORM_O01"
    assert [str(o[27]) for o in parsed.segments("OBR")] == ["^^^^^R", "^^^^^R"]


def test_an_order_without_lab_tests_sends_nothing(lab: LabHospital) -> None:
    lab.order(lab.visit(), ["XQ-NGUC"])
    assert lab.outbox() == []


def test_a_rolled_back_order_leaves_no_message(lab: LabHospital, db: Database) -> None:
    visit = lab.visit()
    with pytest.raises(RuntimeError), db.session() as s:
        service.place_order(s, DOCTOR, visit, ["XN-GLU"])
        raise RuntimeError("the doctor's transaction fails after the order")
    assert lab.outbox() == []


def test_control_ids_are_unique_and_names_keep_their_diacritics(lab: LabHospital, db) -> None:
    for name in ("Lê Văn Đức", "Phạm Thị Ánh Tuyết"):
        lab.order(lab.visit(name), ["XN-GLU"])
    rows = lab.outbox()
    assert len({r.message_control_id for r in rows}) == 2
    assert "Phạm^Tuyết^Thị Ánh" in rows[1].payload
    with db.session() as s:
        assert s.execute(select(OutboxMessage.facility_code)).scalars().all() == [FACILITY] * 2


def test_taking_the_sample_sends_the_tubes_accession_number_as_a_change_of_order(
    lab: LabHospital,
) -> None:
    placed = lab.order(lab.visit(), ["XN-CBC", "XN-GLU"])
    technician = replace(DOCTOR, id=2, name="ktv.xn", role=Role.LAB_TECHNICIAN)
    with lab.db.session() as s:
        collected = service.collect_specimen(s, technician, placed.items[0].id)

    new_order, change = lab.outbox()
    assert new_order.payload.count("ORC|NW|") == 2
    assert change.reference == f"specimen:{collected.specimen.id}"
    validate_oml_o21(change.payload)
    parsed = hl7.parse(change.payload)
    assert [str(orc[1]) for orc in parsed.segments("ORC")] == ["XO"] * len(collected.items)
    in_tube = {str(obr[2][0][0]): str(obr[18]) for obr in parsed.segments("OBR")}
    assert in_tube == {str(i.id): collected.specimen.accession_number for i in collected.items}
