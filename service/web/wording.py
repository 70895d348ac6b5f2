"""Words for people: status labels and badges, and error codes as sentences an AP clerk reads.

Must not hold logic beyond lookups and formatting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

STATUS_LABELS = {
    "received": "Received",
    "queued": "Waiting",
    "processing": "Reading",
    "extracted": "Extracted",
    "needs_review": "Needs review",
    "failed": "Failed",
    "exported": "Exported",
    "approved": "Approved",
}

ERROR_SENTENCES = {
    "unsupported_media_type": "This file is not a PDF or an image docproc can read "
    "(PDF, PNG, JPEG or TIFF). Save it as PDF and upload it again.",
    "empty_file": "This file is empty. Check that it saved properly and upload it again.",
    "corrupt_file": "This file is damaged and cannot be opened. Ask the sender for a new copy.",
    "encrypted_pdf": "This PDF is password-protected. Ask the sender for an unprotected copy.",
    "too_large": "This file is too large. Split it or ask for a smaller scan.",
    "too_many_pages": "This file has too many pages. Split it into smaller files.",
    "image_too_large": "This image is too large to read. Scan it at a lower resolution.",
    "poison": "docproc tried several times and could not finish this file. "
    "Try Reprocess; if it fails again, tell your administrator.",
    "internal_error": "Something went wrong on our side while reading this file. "
    "Try Reprocess in a few minutes.",
}

DOCUMENT_TYPES = {
    "invoice": "Invoice",
    "pay_application": "Pay application",
    "lien_waiver": "Lien waiver",
    "drawing_set": "Drawing set",
    "unknown": "Unknown",
}


def status_label(status: str | None) -> str:
    """A status value in, the word shown on its badge out."""
    return STATUS_LABELS.get(status or "", (status or "—").replace("_", " ").capitalize())


def error_sentence(code: str | None, message: str | None = None) -> str:
    """An error code in, a sentence a clerk understands out."""
    if not code:
        return ""
    return ERROR_SENTENCES.get(code, message or "This file could not be read.")


def type_label(document_type: str | None) -> str:
    """A document type value in, its name for people out."""
    return DOCUMENT_TYPES.get(document_type or "", "—")


def money(value: object) -> str:
    """A money string or Decimal in, `1,234.50` out (blank for none)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def when(value: datetime | None) -> str:
    """A timestamp in, `2026-03-14 09:30` (UTC) out."""
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def age(delta: timedelta) -> str:
    """A duration in, `3 d 4 h` / `5 h` / `12 min` out."""
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 24 * 60:
        return f"{minutes // 1440} d {minutes % 1440 // 60} h"
    if minutes >= 60:
        return f"{minutes // 60} h"
    return f"{max(minutes, 0)} min"
