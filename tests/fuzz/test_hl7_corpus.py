"""Every message of the HL7 corpus through the result reader and through the MLLP listener
over a real socket: each gets the acknowledgement recorded in manifest.json (AA, AE or AR
with the reason in ERR), never a crash, a closed connection or a hang."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.hl7.ack import Hl7Problem
from smarthis.integrations.hl7.listener import LisListener
from smarthis.integrations.hl7.mllp import END, MAX_FRAME_BYTES, START, FrameReader
from smarthis.integrations.hl7.result_message import parse_result_message
from tests.conftest import empty_all_tables
from tests.fuzz.corpus import corpus_files, manifest, read_bytes
from tests.integrations.hl7.lab_hospital import FACILITY, LabHospital, make_lab_hospital

EXPECTED = manifest("hl7")
# A listener that stops answering fails the test within this time instead of hanging it.
ANSWER_TIMEOUT_S = 15


@dataclass
class Lis:
    lab: LabHospital
    listener: LisListener

    def fresh_glucose_item(self) -> int:
        return self.lab.order(self.lab.visit(), ["XN-GLU"]).items[0].id


@pytest.fixture(scope="module")
def lis(_shared_database: Database) -> Iterator[Lis]:
    empty_all_tables(_shared_database)
    settings = Settings(
        database_url=_shared_database.url,
        facility_code=FACILITY,
        lis_listen_host="127.0.0.1",
        lis_listen_port=0,
    )
    listener = LisListener(settings, _shared_database).start()
    yield Lis(make_lab_hospital(_shared_database), listener)
    listener.stop()
    empty_all_tables(_shared_database)


def exchange(port: int, frames: bytes) -> bytes | None:
    """Send raw bytes, return the first framed answer (None if the listener hung up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT_S) as sock:
        sock.sendall(frames)
        return FrameReader(sock).read()


def segment(ack: str, name: str) -> list[str]:
    line = next((line for line in ack.split("\r") if line.startswith(name + "|")), "")
    return line.split("|")


def message_for(name: str, item_id: int) -> bytes:
    return read_bytes("hl7", name).replace(b"{ITEM}", str(item_id).encode())


def test_every_corpus_file_has_a_recorded_outcome() -> None:
    assert corpus_files("hl7", ".hl7") == sorted(EXPECTED)
    assert len(EXPECTED) >= 25
    assert {entry["ack"] for entry in EXPECTED.values()} == {"AA", "AE", "AR"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_result_reader_accepts_or_names_the_problem(name: str) -> None:
    text = message_for(name, 1).decode("utf-8", errors="replace")
    try:
        parse_result_message(text)
        outcome = "accept"
    except Hl7Problem:  # anything else escaping the reader is a bug
        outcome = "reject"
    assert outcome == EXPECTED[name]["parser"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_listener_answers_each_message_as_recorded(lis: Lis, name: str) -> None:
    expected: dict[str, Any] = EXPECTED[name]
    item_id = lis.fresh_glucose_item()

    answer = exchange(lis.listener.port, START + message_for(name, item_id) + END)

    assert answer is not None, "the listener closed the connection without an ACK"
    ack = answer.decode("utf-8")
    msa = segment(ack, "MSA")
    assert msa[1:2] == [expected["ack"]], ack
    err = "|".join(segment(ack, "ERR"))
    if expected["ack"] == "AA":
        assert not err, ack
    else:
        assert expected["error"] in err, ack
    stored = "GLU" in lis.lab.results(item_id)
    assert stored is expected["stored"]


def test_a_repeated_message_is_acknowledged_once_applied_once(lis: Lis) -> None:
    item_id = lis.fresh_glucose_item()
    message = message_for("valid_oru_r01.hl7", item_id).replace(b"FZ-0001", b"FZ-REPEAT")
    first = exchange(lis.listener.port, START + message + END)
    again = exchange(lis.listener.port, START + message + END)
    assert first is not None and again is not None
    assert segment(first.decode(), "MSA")[1] == segment(again.decode(), "MSA")[1] == "AA"
    assert list(lis.lab.results(item_id)) == ["GLU"]


def test_the_whole_corpus_on_one_connection_gets_one_answer_each(lis: Lis) -> None:
    """A LIS keeps one connection open: a bad message must not end it for the next ones."""
    names = sorted(EXPECTED)
    frames = b"".join(
        START + message_for(name, lis.fresh_glucose_item()).replace(b"FZ-", b"ONE-") + END
        for name in names
    )
    with socket.create_connection(
        ("127.0.0.1", lis.listener.port), timeout=ANSWER_TIMEOUT_S
    ) as sock:
        sock.sendall(frames)
        reader = FrameReader(sock)
        answers = [reader.read() for _ in names]
    assert all(answer is not None for answer in answers)
    codes = [segment(answer.decode(), "MSA")[1] for answer in answers if answer is not None]
    assert codes == [EXPECTED[name]["ack"] for name in names]


def test_an_oversized_frame_ends_that_connection_only(lis: Lis) -> None:
    with socket.create_connection(
        ("127.0.0.1", lis.listener.port), timeout=ANSWER_TIMEOUT_S
    ) as sock:
        try:
            sock.sendall(START + b"A" * (MAX_FRAME_BYTES + 65536))
            refused = FrameReader(sock).read()
        except ConnectionResetError:  # the listener may close before reading it all
            refused = None
    assert refused is None
    item_id = lis.fresh_glucose_item()
    answer = exchange(lis.listener.port, START + message_for("valid_oru_r01.hl7", item_id) + END)
    assert answer is not None and segment(answer.decode(), "MSA")[1] == "AA"


def test_bytes_outside_a_frame_are_dropped_and_the_frame_is_answered(lis: Lis) -> None:
    item_id = lis.fresh_glucose_item()
    noise = b"\x00\xff garbage \x1c\r"
    message = message_for("valid_oru_r01.hl7", item_id).replace(b"FZ-0001", b"FZ-NOISE")
    answer = exchange(lis.listener.port, noise + START + message + END)
    assert answer is not None and segment(answer.decode(), "MSA")[1] == "AA"
