"""The connector port: how an approved document reaches an external system.

Each system is one adapter module (`quickbooks`, `xero`, `procore`, `buildertrend`,
`webhook`, `files`) implementing `Connector`: `push(document, result) -> ExternalRef` and
`lookup(external_key) -> ExternalRef | None`. An adapter looks its idempotency key up before
it creates anything, so a retry after a lost response adopts the first write instead of
making a second one. Adapters raise `RetryableError` (transport faults, 5xx, 429 with its
Retry-After) or `PermanentError` (the system refused the data; a person must look). Must not
touch the database or know about the outbox: the dispatcher in `service.outbox` owns that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from models import Envelope, Invoice


@dataclass(frozen=True, slots=True)
class ExternalRef:
    """Where a document landed: the system's id, the key it was looked up by, a link."""

    connector: str
    external_id: str
    external_key: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryDocument:
    """What an adapter may know about the document it delivers (never a database row)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    delivery_id: uuid.UUID
    filename: str
    media_type: str
    content: bytes
    result_version: int = 1
    project_hint: str | None = None


class ConnectorError(Exception):
    """A push that did not complete."""


class RetryableError(ConnectorError):
    """A transient fault: try again later (no sooner than `retry_after` seconds, if given)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(ConnectorError):
    """The system refused the document (validation); retrying the same data cannot help."""


class Connector(Protocol):
    """One external system."""

    name: str

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """Create the document in the system (or adopt the copy already there); its ref."""
        ...

    def lookup(self, external_key: str) -> ExternalRef | None:
        """The record already stored under this idempotency key, or None."""
        ...


def invoice_of(result: Envelope) -> Invoice:
    """The invoice block a bill is made of; PermanentError when there is none to push."""
    invoice = result.invoice
    if invoice is None:
        raise PermanentError("the document has no invoice to export")
    if not invoice.vendor.name:
        raise PermanentError("the invoice has no vendor name")
    if not invoice.invoice_number:
        raise PermanentError("the invoice has no invoice number")
    return invoice


def invoice_key(vendor: str, number: str) -> str:
    """The idempotency key of an invoice in a system: vendor and invoice number."""
    return f"{vendor}|{number}"


def split_invoice_key(key: str) -> tuple[str, str]:
    """`vendor|number` back into its parts (the vendor may itself hold `|`)."""
    vendor, _, number = key.rpartition("|")
    return vendor, number
