"""What the review screen needs for one document: its newest result, page count, the fields
with their boxes, the line items, warnings and whether it was approved.

Must not write rows (page images are cached by `previews`).
"""

from __future__ import annotations

from typing import Any

from service.bootstrap import Container
from service.db.documents import latest_result
from service.db.tables import DocumentRecord
from service.storage import BlobMissingError
from service.web import previews, queries
from service.web.review import LINE_COLUMNS, invoice_fields, line_rows


def _pages(container: Container, document: DocumentRecord) -> tuple[int, list[list[previews.Word]]]:
    try:
        source = container.blobs.read_bytes(document.sha256)
        return previews.page_count(source), previews.page_words(source)
    except (BlobMissingError, RuntimeError, ValueError):
        return 0, []


def review_context(container: Container, document: DocumentRecord) -> dict[str, Any]:
    """The template context of the review screen."""
    with container.sessions() as session:
        result = latest_result(session, document.id)
        found = queries.history(session, document.id)
    envelope: dict[str, Any] = result.envelope if result else {}
    count, words = _pages(container, document)
    threshold = container.settings.review_threshold
    return {
        "document": document,
        "result": result,
        "envelope": envelope,
        "is_invoice": envelope.get("invoice") is not None,
        "fields": invoice_fields(envelope, words, threshold) if envelope else [],
        "lines": line_rows(envelope, words) if envelope else [],
        "columns": LINE_COLUMNS,
        "warnings": envelope.get("warnings") or [],
        "page_count": count,
        "threshold": threshold,
        "approved": queries.is_approved(found.events, result.version if result else None),
        "exports": found.exports,
    }
