"""The MLLP listener the LIS sends results to: a threaded socket server, one thread per
connection, several messages per connection, each answered before the next is read.

Started once per installation by `smarthis serve` (in the parent process, not per uvicorn
worker: the port can be bound only once), or by tests and the benchmark on a free port."""

from __future__ import annotations

import logging
import socketserver
import threading

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.hl7.ack import SEGMENT_SEQUENCE_ERROR, Hl7Problem, Received, build_ack
from smarthis.integrations.hl7.inbound import InboundHandler
from smarthis.integrations.hl7.mllp import FrameReader, MllpError, frame

log = logging.getLogger(__name__)
# A silent peer holds a thread; after this long without a byte the connection is closed.
IDLE_TIMEOUT_S = 300.0


class _Connection(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        peer = f"{self.client_address[0]}:{self.client_address[1]}"
        self.request.settimeout(IDLE_TIMEOUT_S)
        reader = FrameReader(self.request)
        while True:
            try:
                body = reader.read()
            except (OSError, MllpError) as exc:
                log.info("MLLP connection from %s ended: %s", peer, exc)
                return
            if body is None:
                return
            self.request.sendall(frame(self._answer(body, peer)))

    def _answer(self, body: bytes, peer: str) -> str:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            problem = Hl7Problem(
                "AR",
                SEGMENT_SEQUENCE_ERROR,
                None,
                "Tin nhắn không phải UTF-8",
                "The message is not UTF-8 encoded",
            )
            handler = self.server.inbound
            return build_ack(
                Received("", "", "", ""),
                "AR",
                our_application=handler.settings.lis_sending_application,
                our_facility=handler.facility_code,
                problem=problem,
            )
        return self.server.inbound.handle(text, peer)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], inbound: InboundHandler) -> None:
        self.inbound = inbound
        super().__init__(address, _Connection)


class LisListener:
    def __init__(self, settings: Settings, db: Database, port: int | None = None) -> None:
        self._server = _Server(
            (settings.lis_listen_host, settings.lis_listen_port if port is None else port),
            InboundHandler(db, settings),
        )
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )

    def start(self) -> LisListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_lis_listener_thread(settings: Settings, db: Database) -> LisListener:
    """Listen for LIS results at settings.lis_listen_host:lis_listen_port in a thread."""
    listener = LisListener(settings, db).start()
    log.info("LIS listener at %s:%s", listener.host, listener.port)
    return listener
