"""A lean Server-Sent Events reader for the boards of the load generator.

A hundred boards share the load generator's process with the caller, on the same two cores
as the servers: httpx's stream reader cost several times the CPU of this one (its HTTP/1.1
state machine, decoders and line splitter run for every chunk), and that CPU was taken from
the server being measured. A board needs only the lines of one chunked response, so it reads
them straight off an asyncio stream. Lines are yielded the moment their chunk is read, as
httpx's `aiter_lines` did, so a board's arrival times mean the same as before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit


class StreamRefused(Exception):
    """The server answered with something other than a 200 event stream."""


async def sse_lines(
    base_url: str, path: str, token: str, read_timeout_s: float
) -> AsyncIterator[str]:
    """The lines of `GET path` as an event stream (HTTP/1.1 to 127.0.0.1, no TLS)."""
    url = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        status = (await reader.readline()).decode().strip()
        headers: dict[str, str] = {}
        while (line := (await reader.readline()).decode().strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if not status.startswith("HTTP/1.1 200"):
            length = int(headers.get("content-length", "0"))
            body = (await reader.readexactly(length)).decode(errors="replace") if length else ""
            raise StreamRefused(f"{status}: {body}")
        if headers.get("transfer-encoding") != "chunked":
            raise StreamRefused(f"expected a chunked stream, got headers {headers}")
        pending = ""
        while True:
            size_line = await asyncio.wait_for(reader.readline(), read_timeout_s)
            if not size_line:
                raise ConnectionError("the server closed the stream mid-response")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                return  # the server ended the stream
            chunk = await reader.readexactly(size + 2)  # the chunk and its CRLF
            pending += chunk[:-2].decode()
            *lines, pending = pending.split("\n")
            for line in lines:
                yield line
    finally:
        writer.close()
