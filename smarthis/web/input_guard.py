"""Refuse text the database cannot store before any route sees it.

PostgreSQL text cannot hold a NUL character: a login, a name or a search with one used
to fail as a 500 deep inside the query. No SmartHIS field means NUL, so a request that
carries one anywhere (path, query string, JSON or form body) gets the same 422 a
validation error gets, naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL = "\x00"
CHECKED_BODIES = ("application/json", "application/x-www-form-urlencoded")


def _nul_fields(value: Any, path: str) -> Iterator[str]:
    """Dotted paths of the strings (and object keys) in a JSON value that hold a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield child
            yield from _nul_fields(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_fields(item, f"{path}.{index}" if path else str(index))


def _pairs_with_nul(pairs: list[tuple[str, str]]) -> Iterator[str]:
    for name, value in pairs:
        if NUL in name or NUL in value:
            yield name.replace(NUL, "") or "request"


def _body_fields(body: bytes, content_type: str) -> Iterator[str]:
    if content_type.startswith("application/json"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return  # not JSON at all: the route's own validation says so
        yield from _nul_fields(parsed, "")
    else:
        text = body.decode("latin-1")
        yield from _pairs_with_nul(parse_qsl(text, keep_blank_values=True))


def _refusal(field: str) -> JSONResponse:
    problem = {
        "field": field,
        "code": "text_nul_character",
        "message": f"{field}: chứa ký tự NUL không hợp lệ",
        "message_en": f"{field}: contains a NUL character",
    }
    return JSONResponse(
        {"error": {**problem, "code": "invalid_request"}, "problems": [problem]}, status_code=422
    )


class RefuseNulText:
    """ASGI middleware: buffers JSON and form bodies (small by nature) to look inside."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        found = list(_pairs_with_nul(parse_qsl(query, keep_blank_values=True)))
        if NUL in scope.get("path", ""):
            found.insert(0, "path")
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if not found and content_type.startswith(CHECKED_BODIES):
            body, receive = await _buffered(receive)
            found = list(_body_fields(body, content_type))
        if found:
            await _refusal(found[0])(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that hands it to the app once more."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # client went away; the app will see the disconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
