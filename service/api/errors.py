"""The API's one error type and its one handler: every failure is JSON `{code, message}`.

Owns `ApiError` (an HTTP status, a stable snake_case `code`, a `message` for a person — n8n
shows it) and the translation of framework errors (404, 405, request validation, anything
unexpected) into it. Must not leak internals: an unexpected fault is a generic 500; a
database or blob store that cannot be reached is a 503 with Retry-After.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.storage import BlobStoreUnavailableError

log = logging.getLogger("docproc.api")


class ErrorBody(BaseModel):
    """What every error response carries."""

    code: str
    message: str


class ApiError(Exception):
    """A failure answered to the client: HTTP status, stable code, words for a person."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(what: str = "document") -> ApiError:
    """The 404 for anything missing or belonging to another tenant (indistinguishable)."""
    return ApiError(404, "not_found", f"{what} not found")


def unauthorized(message: str = "a valid API key is required") -> ApiError:
    """The 401 for a missing, malformed, revoked or misplaced key."""
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def _from_http(error: StarletteHTTPException) -> ApiError:
    code = _STATUS_CODES.get(error.status_code, "http_error")
    message = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
    if error.status_code == 404:
        message = "not found"
    return ApiError(error.status_code, code, message, dict(error.headers or {}))


def _from_validation(error: RequestValidationError) -> ApiError:
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item.get("loc", ()))
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return ApiError(422, "validation_error", "; ".join(problems) or "invalid request")


def render(error: ApiError) -> JSONResponse:
    """The one rendering of an error."""
    body = ErrorBody(code=error.code, message=error.message).model_dump()
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """The one handler: whatever went wrong, answer JSON with a stable code."""
    if isinstance(exc, ApiError):
        error = exc
    elif isinstance(exc, StarletteHTTPException):
        error = _from_http(exc)
    elif isinstance(exc, RequestValidationError):
        error = _from_validation(exc)
    elif isinstance(exc, OperationalError | BlobStoreUnavailableError):
        log.warning("dependency unavailable on %s %s: %r", request.method, request.url.path, exc)
        error = ApiError(
            503, "unavailable", "storage or database unavailable; retry later", {"Retry-After": "5"}
        )
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        error = ApiError(500, "internal_error", "internal error; the request was not completed")
    return render(error)


def install_error_handler(app: FastAPI) -> None:
    """Route every error type to `handle_error`."""
    for kind in (ApiError, StarletteHTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, handle_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        401: "missing, malformed or revoked API key (or a key in the query string)",
        404: "no such document for this tenant",
        422: "invalid request",
        429: "rate limit exceeded; see Retry-After",
    }.items()
}
