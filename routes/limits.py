"""Limits before work: anonymous callers of authenticated routes and oversized bodies are
refused before the body is read, and bodies are counted while they stream in.

Each route's rule comes from its own declaration: a route that depends on the current user
(API bearer token or page cookie) needs credentials; a route with a `File` parameter may take
an upload of `max_upload_bytes` (plus the multipart envelope), every other body is held to
`max_json_bytes`. A bearer token is checked for signature and expiry here (no database); the
route still does the full check (revocation, disabled account).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from customs.security import token_looks_valid
from customs.settings import Settings
from routes.deps import CALLER_CHECKS, get_caller, get_current_user
from routes.pages.core import TOKEN_COOKIE, PageRoute, page_user

MULTIPART_OVERHEAD = 64 * 1024
BODYLESS_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class RouteRule:
    needs_login: bool
    is_page: bool
    max_body: int


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for child in dependant.dependencies:
        yield from _walk(child)


def rule_for(route: APIRoute, settings: Settings) -> RouteRule:
    dependants = list(_walk(route.dependant))
    needs_login = any(d.call in (get_current_user, get_caller, page_user)
                      or d.call in CALLER_CHECKS for d in dependants)
    takes_file = any(isinstance(field.field_info, params.File)
                     for d in dependants for field in d.body_params)
    max_body = (settings.max_upload_bytes + MULTIPART_OVERHEAD if takes_file
                else settings.max_json_bytes)
    return RouteRule(needs_login, isinstance(route, PageRoute), max_body)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the {limit:,}-byte limit for this "
                              "address; send less (photos: one file per request)")


def _too_large_response(error: BodyTooLarge) -> JSONResponse:
    return JSONResponse({"detail": error.detail, "code": "body_too_large"}, status_code=413)


def _api_routes(app: FastAPI) -> Iterator[tuple[str, set[str], APIRoute]]:
    """(full path, methods, route) of every API and page route, included routers unfolded."""
    try:  # FastAPI ≥ 0.160 includes routers lazily
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: the routes are flat
        for route in app.router.routes:
            if isinstance(route, APIRoute):
                yield route.path, set(route.methods or ()), route
        return
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path:
            yield context.path, set(context.methods or ()), route


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    methods: set[str]
    rule: RouteRule


class RequestLimits:
    """Pure ASGI middleware (it must see `receive` to count bytes while they stream)."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI, settings: Settings) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.settings = settings
        self._table: list[_Entry] | None = None

    def _rule(self, scope: Scope) -> RouteRule | None:
        if self._table is None:  # built on the first request, once every router is included
            self._table = [_Entry(compile_path(path)[0], methods, rule_for(route, self.settings))
                           for path, methods, route in _api_routes(self.fastapi_app)]
        path, method = scope["path"], scope["method"]
        for entry in self._table:
            if method in entry.methods and entry.pattern.match(path):
                return entry.rule
        return None

    def _has_credentials(self, scope: Scope, rule: RouteRule) -> bool:
        headers = Headers(scope=scope)
        if rule.is_page:
            token = _cookie(headers.get("cookie", ""), TOKEN_COOKIE)
        else:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            token = token.strip() if scheme.lower() == "bearer" else ""
        return bool(token) and token_looks_valid(token, self.settings.secret_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS_METHODS:
            await self.app(scope, receive, send)
            return
        rule = self._rule(scope)
        limit = rule.max_body if rule else self.settings.max_json_bytes
        refusal = self._refusal(scope, rule, limit)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as error:  # raised outside a route (a middleware reading ahead)
            if started:
                raise
            await _too_large_response(error)(scope, receive, send)

    def _refusal(self, scope: Scope, rule: RouteRule | None, limit: int) -> Response | None:
        if rule is not None and rule.needs_login and not self._has_credentials(scope, rule):
            if rule.is_page:
                return RedirectResponse("/login", status_code=303)
            return JSONResponse(
                {"detail": "log in first: send 'Authorization: Bearer <token>' from "
                           "/auth/token (a valid, unexpired one)", "code": "unauthorized"},
                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return _too_large_response(BodyTooLarge(limit))
        return None


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return ""
