"""Every 4xx answers {"detail": ..., "code": ...}; domain errors map to HTTP status codes here."""

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from customs import messages
from customs.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooBusy,
    Unauthorized,
    Unavailable,
    UploadRejected,
    UploadTooLarge,
)
from models import ErrorBody

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[DomainError], int]] = [
    (UploadTooLarge, status.HTTP_413_CONTENT_TOO_LARGE),
    (UploadRejected, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Forbidden, status.HTTP_403_FORBIDDEN),
    (Unauthorized, status.HTTP_401_UNAUTHORIZED),
    (Conflict, status.HTTP_409_CONFLICT),
    (Invalid, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (Unavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
    (TooBusy, status.HTTP_429_TOO_MANY_REQUESTS),
]
_UNSUPPORTED_MEDIA = {"not_an_image", "unsupported_image_type"}

COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in [
        (400, "Bad request"),
        (401, "Not logged in, or the token expired"),
        (403, "Your role may not do this"),
        (404, "No such record, or not yours"),
        (409, "Conflicts with the record's current state"),
        (413, "Upload too large"),
        (415, "Not a supported image"),
        (422, "Invalid input: the message says what to fix"),
        (429, "Too busy, or too many failed logins: wait `Retry-After` seconds"),
        (503, "The database is unavailable; retry after the Retry-After seconds"),
    ]
}


def error_response(status_code: int, detail: str, code: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"detail": detail, "code": code}
    if (chinese := messages.zh(code)) is not None:  # the code's sentence in Chinese
        body["detail_zh"] = chinese
    return JSONResponse(body, status_code=status_code, headers=headers)


def _database_unavailable() -> JSONResponse:
    """Nothing was written (the transaction rolled back); the caller may simply retry."""
    return error_response(503, "the database is unavailable; nothing was saved, try again "
                               "shortly", "database_unavailable", {"Retry-After": "5"})


def domain_headers(exc: DomainError) -> dict[str, str] | None:
    if isinstance(exc, Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, TooBusy | Unavailable):
        return {"Retry-After": str(exc.retry_after_s)}
    return None


def domain_status(exc: DomainError) -> int:
    if isinstance(exc, UploadRejected) and exc.code in _UNSUPPORTED_MEDIA:
        return status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    return f"{where or 'request'}: {error.get('msg', 'invalid')}"


def install(app: FastAPI) -> None:

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(domain_status(exc), exc.message, exc.code, domain_headers(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        messages = [_describe(e) for e in exc.errors()[:10]]
        return error_response(422, "; ".join(messages) or "invalid request", "validation_error")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "body_too_large" if exc.status_code == 413 else f"http_{exc.status_code}"
        return error_response(exc.status_code, str(exc.detail), code,
                              getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        if "locked" in str(exc.orig).lower():
            return error_response(409, "the record was being changed by someone else; "
                                       "try again", "concurrent_update")
        log.error("database error: %s", exc)
        return _database_unavailable()

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.error("no database connection free: %s", exc)
        return _database_unavailable()

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return error_response(409, "this conflicts with an existing record (a duplicate or a "
                                   "missing reference)", "integrity_conflict")
