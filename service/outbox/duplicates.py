"""Duplicate invoice detection: the same invoice arriving twice (another scan, a resend).

A document duplicates an earlier one of the tenant when the vendor matches (normalised) and
either the invoice number matches (normalised), or the total matches with invoice dates within
the window. The same bytes are already one document (intake dedupes by SHA-256). A duplicate
gets `duplicate_of`, an event and `needs_review`, and is never approved or exported. Functions
take a `Session` and never commit.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Envelope
from service.connectors.matching import normalise
from service.db.documents import record_event
from service.db.tables import DocumentRecord, DocumentStatus, InvoiceKeyRecord

INVOICE_TYPES = frozenset({"invoice", "pay_application"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def number_key(number: str) -> str:
    """An invoice number's comparison key: letters and digits only, case folded."""
    return _NOT_ALNUM.sub("", number.casefold())


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The earlier document this one repeats, and why."""

    original_id: uuid.UUID
    reason: str


def record_invoice_key(
    session: Session, document: DocumentRecord, envelope: Envelope
) -> InvoiceKeyRecord | None:
    """Keep (or refresh) the fields detection compares; None for a document without them."""
    invoice = envelope.invoice
    if envelope.document_type not in INVOICE_TYPES or invoice is None or not invoice.vendor.name:
        return None
    record = session.get(InvoiceKeyRecord, document.id)
    if record is None:
        record = InvoiceKeyRecord(document_id=document.id, tenant_id=document.tenant_id)
        session.add(record)
    record.vendor_key = normalise(invoice.vendor.name)
    record.number_key = number_key(invoice.invoice_number) if invoice.invoice_number else None
    record.total = str(invoice.total) if invoice.total is not None else None
    record.invoice_date = invoice.invoice_date
    session.flush()
    return record


def _reason(mine: InvoiceKeyRecord, other: InvoiceKeyRecord, window: timedelta) -> str | None:
    if mine.number_key and mine.number_key == other.number_key:
        return "same vendor and invoice number"
    if (
        mine.total is not None
        and mine.total == other.total
        and mine.invoice_date is not None
        and other.invoice_date is not None
        and abs(mine.invoice_date - other.invoice_date) <= window
    ):
        return "same vendor and total, invoice dates within the window"
    return None


def find_duplicate(
    session: Session, document: DocumentRecord, mine: InvoiceKeyRecord, window: timedelta
) -> Duplicate | None:
    """The earliest other document of the tenant this invoice repeats, or None."""
    query = (
        select(InvoiceKeyRecord, DocumentRecord)
        .join(DocumentRecord, DocumentRecord.id == InvoiceKeyRecord.document_id)
        .where(
            InvoiceKeyRecord.tenant_id == document.tenant_id,
            InvoiceKeyRecord.vendor_key == mine.vendor_key,
            InvoiceKeyRecord.document_id != document.id,
            DocumentRecord.duplicate_of.is_(None),
            DocumentRecord.created_at <= document.created_at,
        )
        .order_by(DocumentRecord.created_at, DocumentRecord.id)
    )
    for other, original in session.execute(query):
        reason = _reason(mine, other, window)
        if reason is not None:
            return Duplicate(original.id, reason)
    return None


def check_duplicate(
    session: Session, document: DocumentRecord, envelope: Envelope, window: timedelta
) -> Duplicate | None:
    """Record the invoice's key and flag the document when it repeats an earlier one."""
    if document.duplicate_of is not None:
        return Duplicate(document.duplicate_of, "already flagged")
    mine = record_invoice_key(session, document, envelope)
    if mine is None:
        return None
    found = find_duplicate(session, document, mine, window)
    if found is None:
        return None
    document.duplicate_of = found.original_id
    document.status = DocumentStatus.NEEDS_REVIEW
    record_event(
        session, document, "duplicate", {"original": str(found.original_id), "reason": found.reason}
    )
    return found
