"""A lean HTTP/1.1 client for the load generator's kiosks: one keep-alive connection each.

A kiosk is a browser: its HTTP costs next to no CPU. httpx costs about 2 ms of CPU per
request on the bench machine (its connection pool, state machine and models), inside the
measured time of every kiosk request and taken from the two cores the servers share. A
kiosk sends one request at a time, so it needs only this: write the request, read the
status line, headers and a Content-Length body off an asyncio stream."""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected."""


class Response:
    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class KioskConnection:
    """One kiosk's connection to the app. Like the httpx pool it replaces, it drops a
    connection idle for `idle_expiry_s` (before uvicorn's 5 s keep-alive timeout closes it:
    reusing one the server is closing at that instant fails) and opens a new one."""

    def __init__(self, base_url: str, idle_expiry_s: float, timeout_s: float) -> None:
        url = urlsplit(base_url)
        self._host, self._port, self._netloc = url.hostname, url.port, url.netloc
        self._idle_expiry_s = idle_expiry_s
        self._timeout_s = timeout_s
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._last_used = 0.0

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        try:
            return await asyncio.wait_for(
                self._exchange(method, path, json, headers), self._timeout_s
            )
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            self.close()
            raise HttpError(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(
        self, method: str, path: str, json: Any, headers: dict[str, str] | None
    ) -> Response:
        if self._streams is not None and time.monotonic() - self._last_used > self._idle_expiry_s:
            self.close()
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        body = b"" if json is None else jsonlib.dumps(json).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._netloc}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if json is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await reader.readline()
        if not status_line.startswith(b"HTTP/1.1 "):
            raise ValueError(f"not an HTTP/1.1 answer: {status_line[:80]!r}")
        length, keep_alive = 0, True
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                keep_alive = False
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not expected from the kiosk's routes")
        content = await reader.readexactly(length) if length else b""
        self._last_used = time.monotonic()
        if not keep_alive:
            self.close()
        return Response(int(status_line.split()[1]), content)

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
