"""Every error leaves as JSON `{"error": {"code", "message"}}` with the right status."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import (
    Conflict,
    InputError,
    ModelNotAllowed,
    NotFound,
    QuotaExceeded,
    StardriveError,
    TooLarge,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[StardriveError], int, str]] = [
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (QuotaExceeded, 403, "quota_exceeded"),
    (TooLarge, 413, "too_large"),
    (ModelNotAllowed, 422, "model_not_allowed"),
    (InputError, 422, "invalid"),
]


class ApiError(Exception):
    """An HTTP-only refusal (401, 413, 415, 429 …) with its code and any headers it needs."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_body(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_body(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StardriveError)
    async def _domain(_: Request, exc: StardriveError) -> JSONResponse:
        for cls, status, code in _STATUS:
            if isinstance(exc, cls):
                return error_body(status, code, str(exc))
        return error_body(500, "internal", "internal error")

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        # The database is down or restarting: say so, keep nothing half-done (each write is one commit),
        # and let the pool's pre-ping reconnect on a later request without a restart of the service.
        log.warning("database unavailable: %s", type(exc.orig).__name__ if exc.orig else type(exc).__name__)
        response = error_body(503, "unavailable", "the database is unavailable; try again in a moment")
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every pooled connection is in use and none came back in time: busy, not broken. Say so at once
        # rather than as a bare 500, and ask for a retry soon.
        log.warning("database pool exhausted: no connection within the pool timeout")
        response = error_body(503, "unavailable", "the server is busy; try again in a moment")
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(OSError)
    async def _connection(_: Request, exc: OSError) -> JSONResponse:
        log.warning("connection failure: %s", type(exc).__name__)
        response = error_body(503, "unavailable", "a backing service is unavailable; try again in a moment")
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid body"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_body(422, "invalid", f"{where}: {first.get('msg')}" if where else str(first.get("msg")))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            401: "unauthorized",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            415: "unsupported_media_type",
            429: "rate_limited",
        }.get(exc.status_code, "http_error")
        return error_body(exc.status_code, code, str(exc.detail), exc.headers)
