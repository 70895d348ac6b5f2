"""HTTP plumbing shared by the adapters: transport faults and status codes to typed errors.

Timeouts, refused connections and dropped responses are `RetryableError`; 408, 409-lock,
425, 5xx too; 429 carries its `Retry-After`; any other 4xx is `PermanentError` with the
system's own message. Must not retry by itself: the outbox decides when to try again.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any

import httpx

from service.connectors import PermanentError, RetryableError

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def retry_after_s(response: httpx.Response, now: float | None = None) -> float | None:
    """The Retry-After header as seconds (delta or HTTP date), or None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    parsed = email.utils.parsedate_to_datetime(value)
    return max(0.0, parsed.timestamp() - (time.time() if now is None else now))


def send(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request; transport faults (timeout, reset, dropped response) as RetryableError."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TransportError as error:
        raise RetryableError(f"{method} {url}: {type(error).__name__}: {error}") from error


def check(response: httpx.Response, describe: Callable[[httpx.Response], str]) -> httpx.Response:
    """The response if 2xx; otherwise the typed error its status calls for."""
    status = response.status_code
    if 200 <= status < 300:
        return response
    message = f"{status}: {describe(response)}"
    if status in RETRYABLE_STATUS:
        raise RetryableError(message, retry_after_s(response))
    raise PermanentError(message)


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object; a body that is not one is a transient fault of the system."""
    try:
        body = response.json()
    except ValueError as error:
        raise RetryableError(f"{response.status_code}: answer is not JSON") from error
    if not isinstance(body, dict):
        raise RetryableError(f"{response.status_code}: answer is not a JSON object")
    return body
