"""Signatures for outgoing callbacks (and later webhooks): HMAC-SHA256 over `timestamp.body`.

Headers: `X-Docproc-Timestamp: <unix seconds>` and `X-Docproc-Signature: v1=<hex>`, where
`<hex>` is HMAC-SHA256(secret, f"{timestamp}.{body}"). A receiver recomputes it over the raw
body, compares in constant time and refuses timestamps outside its tolerance. Pure functions:
no I/O, no settings.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_VERSION = "v1"
TIMESTAMP_HEADER = "X-Docproc-Timestamp"
SIGNATURE_HEADER = "X-Docproc-Signature"
DEFAULT_TOLERANCE_S = 300


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """Secret, unix timestamp and raw body in; the signature header value `v1=<hex>` out."""
    message = f"{timestamp}.".encode() + _as_bytes(body)
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when `signature` (one or more space-separated `v1=<hex>`) signs this body and time."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_s:
        return False
    expected = sign(secret, stamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature.split())


def signed_headers(secret: str, body: bytes | str, now: float | None = None) -> dict[str, str]:
    """The two headers that sign `body` now."""
    stamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body)}
