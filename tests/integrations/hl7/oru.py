"""Result messages as a LIS writes them, for the listener tests."""

from __future__ import annotations

import socket

import hl7

from smarthis.integrations.hl7.mllp import MllpClient


def oru(
    control_id: str,
    placer: str,
    observations: list[tuple[str, str, str]],
    *,
    filler: str = "",
    accession: str = "",
    service_code: str = "XN-GLU",
    message_type: str = "ORU^R01^ORU_R01",
    status: str = "F",
) -> str:
    """`observations`: (analyte code, value, unit)."""
    segments = [
        f"MSH|^~\\&|LIS|LAB|SMARTHIS|48001|20261126101500+0700||{message_type}|{control_id}"
        "|P|2.5.1|||||||UNICODE UTF-8",
        "PID|1||2026000001^^^SMARTHIS^MR||Nguyễn^An^Văn||19650315|M",
        f"ORC|RE|{placer}^SMARTHIS|{filler}",
        f"OBR|1|{placer}^SMARTHIS|{filler}|{service_code}^^L|||20261126101000+0700"
        f"|||||||||||{accession}|||||||{status}",
    ]
    for n, (code, value, unit) in enumerate(observations, start=1):
        segments.append(f"OBX|{n}|NM|{code}^^L||{value}|{unit}|||||{status}")
    return "\r".join(segments) + "\r"


def send(port: int, text: str) -> hl7.Message:
    with MllpClient("127.0.0.1", port, timeout_s=10) as client:
        return hl7.parse(client.exchange(text).strip("\r"))


def ack_code(ack: hl7.Message) -> str:
    return str(ack.segment("MSA")[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
