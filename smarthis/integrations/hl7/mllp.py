"""MLLP (HL7's minimal lower layer protocol): each message framed as VT message FS CR."""

from __future__ import annotations

import contextlib
import socket

START = b"\x0b"
END = b"\x1c\x0d"
# A larger frame is not a lab message: refuse it instead of growing memory without bound.
MAX_FRAME_BYTES = 4 * 1024 * 1024


class MllpError(Exception):
    pass


def frame(message: str) -> bytes:
    return START + message.encode("utf-8") + END


class FrameReader:
    """Reads framed messages from a socket; bytes outside a frame are dropped, as the
    standard says a receiver should."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    def read(self) -> bytes | None:
        """The next message's bytes, or None when the peer closed the connection."""
        while True:
            start = self._buffer.find(START)
            if start >= 0:
                end = self._buffer.find(END, start)
                if end >= 0:
                    body = self._buffer[start + 1 : end]
                    self._buffer = self._buffer[end + len(END) :]
                    return body
                self._buffer = self._buffer[start:]
            else:
                self._buffer = b""
            if len(self._buffer) > MAX_FRAME_BYTES:
                raise MllpError("frame too large")
            chunk = self._sock.recv(65536)
            if not chunk:
                return None
            self._buffer += chunk


class MllpClient:
    """One connection to a peer; send a message and wait for its answer."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout_s)
        self._reader = FrameReader(self._sock)

    def exchange(self, message: str) -> str:
        self._sock.sendall(frame(message))
        answer = self._reader.read()
        if answer is None:
            raise MllpError("connection closed before the acknowledgement")
        return answer.decode("utf-8", errors="replace")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()

    def __enter__(self) -> MllpClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
