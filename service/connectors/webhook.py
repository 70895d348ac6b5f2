"""Webhook (n8n and anything else): the contract envelope POSTed to a configured URL, signed.

Body: JSON `{"event": "document.approved", "delivery_id", "document_id", "version",
"envelope"}`. Headers: `X-Docproc-Timestamp` and `X-Docproc-Signature: v1=<hex>` exactly as
callbacks (`service.signing`: HMAC-SHA256 over `"<timestamp>.<raw body>"`), plus
`X-Docproc-Delivery` and `webhook-id` naming the event — the same on every retry, so a
receiver drops repeats. Redirects are not followed; 2xx is delivered; 429/5xx/transport
faults are retried; other 4xx are permanent. Must not touch the database.
"""

from __future__ import annotations

import json

import httpx

from models import Envelope
from service.connectors import DeliveryDocument, ExternalRef, PermanentError
from service.connectors.http import check, send
from service.security.ssrf import UnsafeUrlError, check_url, guarded_client
from service.signing import signed_headers

NAME = "webhook"
EVENT = "document.approved"
DELIVERY_HEADER = "X-Docproc-Delivery"
WEBHOOK_ID_HEADER = "webhook-id"


def webhook_body(document: DeliveryDocument, result: Envelope) -> bytes:
    """The exact bytes sent (and signed) for one delivery."""
    payload = {
        "event": EVENT,
        "delivery_id": str(document.delivery_id),
        "document_id": str(document.id),
        "version": document.result_version,
        "envelope": result.model_dump(mode="json"),
    }
    return json.dumps(payload, separators=(",", ":")).encode()


class WebhookConnector:
    """Signed POSTs to one URL."""

    name = NAME

    def __init__(self, http: httpx.Client, url: str, secret: str) -> None:
        self._http = http
        self._url = url
        self._secret = secret

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """POST the signed envelope; the delivery id is the reference."""
        body = webhook_body(document, result)
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: str(document.delivery_id),
            WEBHOOK_ID_HEADER: str(document.delivery_id),
            **signed_headers(self._secret, body),
        }
        try:  # SSRF: the URL again, then each resolved address inside the connection
            check_url(self._url)
        except UnsafeUrlError as error:
            raise PermanentError(f"webhook URL refused: {error}") from error
        with guarded_client(timeout=self._http.timeout.read or 20.0) as client:
            response = send(client, "POST", self._url, content=body, headers=headers)
        if 300 <= response.status_code < 400:
            raise PermanentError(f"{response.status_code}: redirects are not followed")
        check(response, lambda r: r.text[:200] or r.reason_phrase)
        return ExternalRef(NAME, str(document.delivery_id), str(document.delivery_id), self._url)

    def lookup(self, external_key: str) -> ExternalRef | None:
        """A webhook cannot be asked what it received; receivers dedupe by `webhook-id`."""
        return None
