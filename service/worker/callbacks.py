"""Task `document.callback`: POST a finished document's envelope to its `callback_url`, signed.

The body is JSON `{"event": "document.done", "document_id", "status", "external_id",
"version", "envelope"}`; the headers sign it (`service.signing`, the tenant's secret) and
`X-Docproc-Delivery` names the delivery so a receiver can drop repeats. Failures (transport
errors, non-2xx) are retried with exponential backoff (countdown at most 60 s); after
`MAX_ATTEMPTS` the task gives up and records a `callback_failed` event. Redirects are not
followed. Must not change a document's status.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from celery import Task

from service.bootstrap import Container, get_container
from service.db.documents import get_document_by_id, latest_result, record_event
from service.db.session import unit_of_work
from service.db.tenants import signing_secret
from service.security.ssrf import guarded_client
from service.signing import signed_headers
from service.worker.app import app

log = logging.getLogger("docproc.worker")

TASK_NAME = "document.callback"
MAX_ATTEMPTS = 8
MAX_COUNTDOWN_S = 60
TIMEOUT_S = 10.0
DELIVERY_HEADER = "X-Docproc-Delivery"


class CallbackFailedError(RuntimeError):
    """The receiver did not take the callback (transport error or a non-2xx answer)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One callback, ready to send: where, the exact body bytes and who signs them."""

    url: str
    body: bytes
    delivery_id: str
    secret: str


def prepare_delivery(container: Container, document_id: uuid.UUID) -> Delivery | None:
    """The callback of a finished document, or None when it has no URL or no result."""
    with unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, document_id)
        if document is None or not document.callback_url:
            return None
        result = latest_result(session, document.id)
        if result is None:
            return None
        payload: dict[str, Any] = {
            "event": "document.done",
            "document_id": str(document.id),
            "status": document.status,
            "external_id": document.external_id,
            "version": result.version,
            "envelope": result.envelope,
        }
        secret = signing_secret(session, document.tenant_id)
        body = json.dumps(payload, separators=(",", ":")).encode()
        return Delivery(document.callback_url, body, f"{document.id}.{result.version}", secret)


def send(delivery: Delivery, client: httpx.Client) -> int:
    """POST the delivery, signed now; the receiver's status, or CallbackFailedError."""
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery.delivery_id,
        **signed_headers(delivery.secret, delivery.body),
    }
    try:
        response = client.post(delivery.url, content=delivery.body, headers=headers)
    except httpx.HTTPError as error:
        raise CallbackFailedError(f"{type(error).__name__}: {error}") from error
    if not 200 <= response.status_code < 300:
        raise CallbackFailedError(f"receiver answered {response.status_code}")
    return response.status_code


def record_outcome(
    container: Container, document_id: uuid.UUID, kind: str, detail: dict[str, Any]
) -> None:
    """Add `callback_delivered` or `callback_failed` to the document's event log."""
    with unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, document_id)
        if document is not None:
            record_event(session, document, kind, detail)


def countdown_s(retries: int) -> int:
    """Seconds before the next try: 2, 4, 8 … capped at 60."""
    return int(min(2 ** (retries + 1), MAX_COUNTDOWN_S))


@app.task(name=TASK_NAME, bind=True, max_retries=MAX_ATTEMPTS - 1)
def deliver_callback(self: Task, document_id: str) -> str:  # type: ignore[type-arg]
    """Send one document's callback; returns delivered, failed or skipped."""
    container = get_container()
    doc_id = uuid.UUID(document_id)
    delivery = prepare_delivery(container, doc_id)
    if delivery is None:
        return "skipped"
    attempt = self.request.retries + 1
    try:
        allow = container.settings.allow_private_callbacks or None  # None: the environment
        with guarded_client(TIMEOUT_S, allow) as client:  # SSRF guard, no redirects
            status = send(delivery, client)
    except CallbackFailedError as error:
        if attempt >= MAX_ATTEMPTS:
            record_outcome(
                container, doc_id, "callback_failed", {"attempts": attempt, "error": str(error)}
            )
            return "failed"
        log.warning("document.callback %s attempt %d failed: %s", document_id, attempt, error)
        raise self.retry(countdown=countdown_s(self.request.retries)) from error
    record_outcome(
        container, doc_id, "callback_delivered", {"attempts": attempt, "status_code": status}
    )
    return "delivered"
