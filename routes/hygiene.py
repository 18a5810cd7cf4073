"""Input hygiene at the edge: NUL and other control characters (and lone surrogates) in the
path, a query parameter, a URL-encoded form field or any JSON string give 422 naming the field,
the same on SQLite and PostgreSQL, before a handler or the database sees them.

Multipart bodies (uploads) pass through: their text fields are validated by the routes.
"""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models import unsafe_character

BUFFERED_TYPES = ("application/json", "application/x-www-form-urlencoded")


def _json_strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            yield name, str(key)
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{where}.{index}" if where else str(index))


def _body_fields(body: bytes, content_type: str) -> Iterator[tuple[str, str]]:
    if content_type.startswith("application/json"):
        try:
            document = json.loads(body)
        except ValueError:  # the route reports malformed JSON itself
            return
        yield from _json_strings(document, "")
    else:
        text = body.decode("utf-8", "surrogateescape")
        for key, value in parse_qsl(text, keep_blank_values=True):
            yield key, key
            yield key, value


def _first_problem(fields: Iterator[tuple[str, str]]) -> str | None:
    for name, text in fields:
        problem = unsafe_character(text)
        if problem:
            return f"{name or 'body'}: {problem} is not allowed; send plain text"
    return None


def _url_problem(scope: Scope) -> str | None:
    problem = unsafe_character(scope.get("path", ""))
    if problem:
        return f"path: {problem} is not allowed in the address"
    query = unquote(scope.get("query_string", b"").decode("latin-1"))
    if unsafe_character(query) is None:
        return None
    raw = scope.get("query_string", b"").decode("latin-1")
    return _first_problem(
        (name, part) for key, value in parse_qsl(raw, keep_blank_values=True)
        for name, part in ((key, key), (key, value)))


def _refuse(message: str) -> JSONResponse:
    return JSONResponse({"detail": message, "code": "unsafe_text"}, status_code=422)


class InputHygiene:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _url_problem(scope)
        if problem:
            await _refuse(problem)(scope, receive, send)
            return
        content_type = Headers(scope=scope).get("content-type", "").lower()
        if not content_type.startswith(BUFFERED_TYPES):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:  # already capped by RequestLimits, outside this middleware
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = _first_problem(_body_fields(body, content_type))
        if problem:
            await _refuse(problem)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
