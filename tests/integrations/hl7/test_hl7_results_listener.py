"""Results from the LIS over MLLP: values land on the right order item, judged like a
technician's entry; bad messages get AE/AR with an ERR saying what is wrong; a repeated
control ID is acknowledged and ignored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from smarthis.db import Database
from smarthis.integrations.hl7.listener import LisListener
from smarthis.integrations.hl7.models import Hl7InboundMessage
from smarthis.orders import service
from smarthis.orders.models import LabResult
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.integrations.hl7.lab_hospital import FACILITY, LabHospital
from tests.integrations.hl7.oru import ack_code, oru, send

MLLP_SEND = Path(sys.executable).parent / "mllp_send"
NURSE = Principal("staff", 9, "dd.lan", "ĐD Lan", Role.NURSE, FACILITY)


def _glucose_item(lab: LabHospital) -> int:
    placed = lab.order(lab.visit(), ["XN-GLU", "XN-CBC"])
    return placed.items[0].id


def test_mllp_send_delivers_an_oru_and_the_values_land_on_the_item(
    lab: LabHospital, listener: LisListener, tmp_path: Path
) -> None:
    placed = lab.order(lab.visit(), ["XN-GLU", "XN-URE"])
    glu, urea = placed.items
    message = oru("LIS-0001", str(glu.id), [("GLU", "13.2", "mmol/L")], filler="F-77")
    message += oru("LIS-0002", str(urea.id), [("UREA", "5,1", "mmol/L")], service_code="XN-URE")
    path = tmp_path / "results.hl7"
    path.write_text(message.replace("\r", "\r\n"), encoding="utf-8")

    # python-hl7's own client, a real peer: one connection, both messages, prints the ACKs.
    done = subprocess.run(
        [str(MLLP_SEND), "--loose", "-f", str(path), "-p", str(listener.port), "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    acks = [line for line in done.stdout.replace("\r", "\n").splitlines() if line.startswith("MSA")]
    assert acks == ["MSA|AA|LIS-0001", "MSA|AA|LIS-0002"]

    glucose = lab.results(glu.id)["GLU"]
    assert (glucose.value_numeric, glucose.unit, glucose.flag) == (13.2, "mmol/L", "high")
    assert glucose.range_text and glucose.entered_by == "system"
    assert lab.results(urea.id)["UREA"].value_numeric == 5.1
    assert lab.item(glu.id).status == "resulted"


def test_a_repeated_control_id_is_acknowledged_and_ignored(
    lab: LabHospital, listener: LisListener, db: Database
) -> None:
    item = _glucose_item(lab)
    first = send(listener.port, oru("DUP-1", str(item), [("GLU", "5.0", "mmol/L")]))
    again = send(listener.port, oru("DUP-1", str(item), [("GLU", "9.9", "mmol/L")]))
    assert (ack_code(first), ack_code(again)) == ("AA", "AA")
    with db.session() as s:
        assert len(s.execute(select(LabResult)).scalars().all()) == 1
        logged = s.execute(select(Hl7InboundMessage)).scalar_one()
        assert (logged.status, logged.times_received) == ("accepted", 2)
    assert lab.results(item)["GLU"].value_text == "5.0"


def test_unknown_order_gets_ae_with_err_naming_the_obr(
    lab: LabHospital, listener: LisListener
) -> None:
    _glucose_item(lab)
    ack = send(listener.port, oru("BAD-1", "999999", [("GLU", "5.0", "mmol/L")]))
    assert ack_code(ack) == "AE"
    err = ack.segment("ERR")
    assert str(err[2]).startswith("OBR^1^2")
    assert str(err[3]).startswith("204^")
    assert "Không tìm thấy chỉ định xét nghiệm 999999" in str(err[8])


def test_unknown_analyte_and_wrong_unit_get_ae(lab: LabHospital, listener: LisListener) -> None:
    item = _glucose_item(lab)
    unknown = send(listener.port, oru("BAD-2", str(item), [("XYZ", "1", "mmol/L")]))
    assert ack_code(unknown) == "AE"
    assert str(unknown.segment("ERR")[2]).startswith("OBX^1^3")
    assert "XYZ" in str(unknown.segment("ERR")[8])

    not_ordered = send(listener.port, oru("BAD-3", str(item), [("NA", "140", "mmol/L")]))
    assert "không thuộc xét nghiệm XN-GLU" in str(not_ordered.segment("ERR")[8])

    unit = send(listener.port, oru("BAD-4", str(item), [("GLU", "90", "mg/dL")]))
    assert ack_code(unit) == "AE"
    assert str(unit.segment("ERR")[2]).startswith("OBX^1^6")
    assert lab.results(item) == {}


def test_malformed_and_unsupported_messages_get_ar(lab: LabHospital, listener: LisListener) -> None:
    garbage = send(listener.port, "this is not HL7\r")
    assert ack_code(garbage) == "AR"
    assert "MSH" in str(garbage.segment("ERR")[8])

    adt = oru("BAD-5", "1", [], message_type="ADT^A01^ADT_A01")
    unsupported = send(listener.port, adt)
    assert ack_code(unsupported) == "AR"
    assert str(unsupported.segment("ERR")[3]).startswith("200^")

    no_id = send(listener.port, oru("", "1", [("GLU", "5", "mmol/L")]))
    assert ack_code(no_id) == "AR"
    assert str(no_id.segment("ERR")[2]).startswith("MSH^1^10")


def test_an_error_then_the_corrected_message_with_the_same_id_is_applied(
    lab: LabHospital, listener: LisListener
) -> None:
    item = _glucose_item(lab)
    assert ack_code(send(listener.port, oru("RETRY-1", str(item), [("GLU", "5", "g/L")]))) == "AE"
    fixed = send(listener.port, oru("RETRY-1", str(item), [("GLU", "5.0", "mmol/L")]))
    assert ack_code(fixed) == "AA"
    assert lab.results(item)["GLU"].value_text == "5.0"


def test_a_changed_value_is_a_correction_found_by_filler_number(
    lab: LabHospital, listener: LisListener, db: Database
) -> None:
    item = _glucose_item(lab)
    send(listener.port, oru("C-1", str(item), [("GLU", "5.0", "mmol/L")], filler="LIS42"))
    # The correction names only the LIS's number for the test.
    ack = send(listener.port, oru("C-2", "", [("GLU", "28.0", "mmol/L")], filler="LIS42"))
    assert ack_code(ack) == "AA"
    current = lab.results(item)["GLU"]
    assert (current.value_text, current.version, current.flag) == ("28.0", 2, "critical_high")
    assert "C-2" in (current.correction_reason or "")
    with db.session() as s:
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.actor == "system"))
        assert set(actions.scalars()) >= {"result.enter", "result.correct"}


def test_results_found_by_the_specimen_accession_number(
    lab: LabHospital, listener: LisListener, db: Database
) -> None:
    placed = lab.order(lab.visit(), ["XN-GLU", "XN-URE"])
    with db.session() as s:
        collected = service.collect_specimen(s, NURSE, placed.items[0].id)
        accession = collected.specimen.accession_number
    message = oru("ACC-1", "", [("UREA", "6.0", "mmol/L")], accession=accession)
    assert ack_code(send(listener.port, message.replace("XN-GLU^^L", "^^L"))) == "AA"
    assert lab.results(placed.items[1].id)["UREA"].value_text == "6.0"
    assert lab.results(placed.items[0].id) == {}


def test_oul_r22_names_the_specimen_before_its_tests(
    lab: LabHospital, listener: LisListener, db: Database
) -> None:
    placed = lab.order(lab.visit(), ["XN-GLU"])
    with db.session() as s:
        accession = service.collect_specimen(s, NURSE, placed.items[0].id).specimen
    message = (
        "MSH|^~\\&|LIS|LAB|SMARTHIS|48001|20261126101500+0700||OUL^R22^OUL_R22|OUL-1|P|2.5.1\r"
        "PID|1||2026000001^^^SMARTHIS^MR||Nguyễn^An^Văn||19650315|M\r"
        f"SPM|1|{accession.accession_number}||SER^Huyết thanh^L\r"
        "OBR|1|||XN-GLU^^L\r"
        "OBX|1|NM|GLU^^L||4.1|mmol/L|||||F\r"
    )
    assert ack_code(send(listener.port, message)) == "AA"
    assert lab.results(placed.items[0].id)["GLU"].flag == "normal"


def test_a_filler_number_of_another_test_is_refused(
    lab: LabHospital, listener: LisListener
) -> None:
    first, second = lab.order(lab.visit(), ["XN-GLU", "XN-URE"]).items
    send(listener.port, oru("F-1", str(first.id), [("GLU", "5.0", "mmol/L")], filler="L1"))
    clash = oru(
        "F-2", str(second.id), [("UREA", "5.0", "mmol/L")], filler="L1", service_code="XN-URE"
    )
    ack = send(listener.port, clash)
    assert ack_code(ack) == "AE"
    assert str(ack.segment("ERR")[2]).startswith("OBR^1^3")
    assert lab.results(second.id) == {}
