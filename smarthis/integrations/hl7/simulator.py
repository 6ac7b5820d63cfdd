"""A laboratory information system, simulated: an MLLP server that takes lab orders
(OML^O21 or ORM^O01), acknowledges them, and after a delay sends an ORU^R01 with a
plausible value for every analyte of each ordered test to SmartHIS's listener.

It keeps what a real LIS would: the control IDs it received (a repeat is acknowledged and
not worked again) and its own filler order numbers. Tests read `received_control_ids`
to check that every order arrived exactly once.
"""

from __future__ import annotations

import logging
import random
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import hl7

from smarthis.catalogs.lab import NoReferenceRange, lab_analytes, reference_range
from smarthis.catalogs.service_catalog import find_service
from smarthis.db import utcnow
from smarthis.errors import DomainError
from smarthis.integrations.hl7.encoding import components, escape, message, msh, segment, timestamp
from smarthis.integrations.hl7.mllp import FrameReader, MllpClient, MllpError, frame

log = logging.getLogger(__name__)
ORDER_TYPES = {("OML", "O21"), ("ORM", "O01")}
SEXES = {"M": "male", "F": "female"}
RESULT_SEND_ATTEMPTS = 5


@dataclass(frozen=True)
class OrderedTest:
    placer_number: str
    service_code: str
    service_field: str  # OBR-4 as received, echoed back


@dataclass(frozen=True)
class ReceivedOrder:
    control_id: str
    pid: str  # the PID segment as received, echoed in the results
    sex: str | None
    age_years: float | None
    tests: list[OrderedTest]
    order_control: str = "NW"  # ORC-1: NW a new order, XO a change (the sample's accession)


def _field(seg: hl7.Segment, index: int) -> str:
    return str(seg[index]) if len(seg) > index else ""


def _age(birth: str) -> float | None:
    try:
        born = date(int(birth[:4]), int(birth[4:6] or 7), int(birth[6:8] or 1))
    except ValueError:
        return None
    return max(0.0, (date.today() - born).days / 365.2425)


def read_order(text: str) -> ReceivedOrder:
    parsed = hl7.parse(text.replace("\n", "\r").strip("\r"))
    msh_seg = parsed.segment("MSH")
    kind = (str(msh_seg[9][0][0]), str(msh_seg[9][0][1]))
    if kind not in ORDER_TYPES:
        raise ValueError(f"not an order message: {kind}")
    pid = parsed.segment("PID")
    tests = [
        OrderedTest(
            placer_number=_field(obr, 2),
            service_code=_field(obr, 4).split("^")[0],
            service_field=_field(obr, 4),
        )
        for obr in parsed.segments("OBR")
    ]
    return ReceivedOrder(
        control_id=str(msh_seg[10]),
        pid=str(pid),
        sex=SEXES.get(_field(pid, 8)),
        age_years=_age(_field(pid, 7)),
        tests=tests,
        order_control=_field(parsed.segment("ORC"), 1) or "NW",
    )


def plausible_value(code: str, sex: str | None, age: float | None, rng: random.Random) -> str:
    """Mostly inside the patient's reference range, now and then a little outside it."""
    try:
        ref = reference_range(code, sex, age)
    except (NoReferenceRange, DomainError):
        ref = reference_range(code, None, None)
    low = ref.low if ref.low is not None else (ref.high or 1.0) * 0.3
    high = ref.high if ref.high is not None else low * 1.6
    span = high - low
    if rng.random() < 0.1:
        value = rng.choice((low - span * 0.15, high + span * 0.15))
    else:
        value = rng.uniform(low, high)
    decimals = max(
        (len(t.split(".")[1]) for t in (ref.low_text, ref.high_text) if t and "." in t), default=1
    )
    return f"{max(value, 0.0):.{decimals}f}"


def build_result_message(
    order: ReceivedOrder, next_filler: Callable[[], str], rng: random.Random
) -> str:
    """The ORU^R01 a LIS sends when the tests of `order` are done: per test an ORC/OBR with
    our placer number and its own filler number, and an OBX per analyte of the test."""
    now = timestamp(utcnow())
    segments = [
        msh(
            sending_application="LIS",
            sending_facility="LAB",
            receiving_application="SMARTHIS",
            receiving_facility="",
            at=utcnow(),
            message_type="ORU^R01^ORU_R01",
            control_id=f"R{order.control_id}"[:20],
        ),
        order.pid,
    ]
    analytes = lab_analytes()
    obx_set = 0
    for set_id, test in enumerate(order.tests, start=1):
        filler = next_filler()
        segments.append(segment("ORC", ["RE", test.placer_number, components(filler, "LIS")]))
        fields = [""] * 25
        fields[0], fields[1], fields[2] = str(set_id), test.placer_number, filler
        fields[3], fields[6], fields[21], fields[24] = test.service_field, now, now, "F"
        segments.append(segment("OBR", fields))
        for code in find_service(test.service_code).analytes:
            obx_set += 1
            analyte = analytes[code]
            value = plausible_value(code, order.sex, order.age_years, rng)
            obx = [""] * 14
            obx[0], obx[1], obx[2] = str(obx_set), "NM", components(code, analyte.name_en, "L")
            obx[4], obx[5], obx[10], obx[13] = value, escape(analyte.unit), "F", now
            segments.append(segment("OBX", obx))
    return message(segments)


class LisSimulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        results_to: tuple[str, int] | None = None,
        result_delay_s: float = 2.0,
        seed: int | None = None,
    ) -> None:
        self.results_to = results_to
        self.result_delay_s = result_delay_s
        self.received_control_ids: list[str] = []  # every order message, repeats included
        self.results_acks: list[str] = []  # MSA-1 of each result message SmartHIS answered
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._filler_seq = 0
        self._timers: list[threading.Timer] = []
        self._stopping = threading.Event()
        self._server = _SimServer((host, port), self)
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None

    # --- the server ------------------------------------------------------------------

    def start(self) -> LisSimulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def answer(self, text: str) -> str:
        try:
            order = read_order(text)
        except Exception as exc:  # anything unreadable is refused, as a LIS would
            return self._ack("", "AR", f"không đọc được đơn / unreadable order: {exc}")
        with self._lock:
            self.received_control_ids.append(order.control_id)
            repeat = order.control_id in self._seen
            self._seen.add(order.control_id)
        # Results answer a new order; a change (the tube's accession number) is only noted.
        if not repeat and order.order_control == "NW" and self.results_to is not None:
            self._schedule_results(order)
        return self._ack(order.control_id, "AA")

    def _ack(self, control_id: str, code: str, error: str = "") -> str:
        segments = [
            msh(
                sending_application="LIS",
                sending_facility="LAB",
                receiving_application="SMARTHIS",
                receiving_facility="",
                at=utcnow(),
                message_type="ACK^O21^ACK",
                control_id=f"A{control_id}"[:20] or "A",
            ),
            segment("MSA", [code, escape(control_id)]),
        ]
        if error:
            segments.append(segment("ERR", ["", "", "207^Application internal error^HL70357", "E"]))
        return message(segments)

    # --- results -----------------------------------------------------------------------

    def _schedule_results(self, order: ReceivedOrder) -> None:
        timer = threading.Timer(self.result_delay_s, self._send_results, args=(order,))
        timer.daemon = True
        with self._lock:
            self._timers = [t for t in self._timers if t.is_alive()]
            self._timers.append(timer)
        timer.start()

    def _next_filler(self) -> str:
        with self._lock:
            self._filler_seq += 1
            return f"LIS{self._filler_seq:08d}"

    def result_message(self, order: ReceivedOrder) -> str:
        return build_result_message(order, self._next_filler, self._rng)

    def _send_results(self, order: ReceivedOrder) -> None:
        assert self.results_to is not None
        text = self.result_message(order)
        for attempt in range(RESULT_SEND_ATTEMPTS):
            if self._stopping.is_set():
                return
            try:
                with MllpClient(*self.results_to, timeout_s=10) as client:
                    answer = client.exchange(text)
                code = str(hl7.parse(answer.strip("\r")).segment("MSA")[1])
                with self._lock:
                    self.results_acks.append(code)
                return
            except (OSError, MllpError, KeyError) as exc:
                log.warning("LIS simulator: results not delivered (%s), retrying", exc)
                self._stopping.wait(min(2.0**attempt, 30.0))


class _Connection(socketserver.BaseRequestHandler):
    server: _SimServer

    def handle(self) -> None:
        self.request.settimeout(60)
        reader = FrameReader(self.request)
        while True:
            try:
                body = reader.read()
            except (OSError, MllpError):
                return
            if body is None:
                return
            answer = self.server.simulator.answer(body.decode("utf-8", errors="replace"))
            self.request.sendall(frame(answer))


class _SimServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: LisSimulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Connection)


def run_lis_simulator(
    host: str, port: int, results_to: tuple[str, int], result_delay_s: float
) -> None:
    """Serve until interrupted (`smarthis sim lis`)."""
    simulator = LisSimulator(host, port, results_to, result_delay_s).start()
    print(
        f"LIS simulator (HL7 MLLP) at {simulator.host}:{simulator.port}; "
        f"results to {results_to[0]}:{results_to[1]} after {result_delay_s:g} s",
        flush=True,
    )
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
