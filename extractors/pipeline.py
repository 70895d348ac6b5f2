"""The extraction pipeline for one document: bytes in, one contract envelope out.

sniff_kind -> guard -> open_document -> read_text_layer (or OCR) per page ->
classify_document -> extract_invoice -> envelope with confidences, warnings and needs_review.
Owns the order of the stages and the review decision. Must not read files or the environment
(the caller hands in bytes and limits) and must not raise: an expected problem is an error
envelope with its contract code, an unexpected one an `internal_error` envelope, logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from extractors.classify import classify_document, is_sheet_sized
from extractors.document import OpenedDocument, open_document
from extractors.invoice import extract_invoice
from extractors.limits import Limits
from extractors.ocr import OcrEngine
from extractors.page import Page
from extractors.sniff import guard
from models import (
    DocumentType,
    Envelope,
    ErrorCode,
    ExtractionError,
    Invoice,
    check_invoice_arithmetic,
)

logger = logging.getLogger("docproc.pipeline")

DEFAULT_REVIEW_THRESHOLD = 0.8
_INVOICE_TYPES = (DocumentType.INVOICE, DocumentType.PAY_APPLICATION)
_NOT_IMPLEMENTED = (DocumentType.LIEN_WAIVER, DocumentType.DRAWING_SET)


@dataclass(slots=True)
class _Reading:
    """The pages as read, with what went wrong on the way (for a person)."""

    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unread_pages: int = 0


def _failed(source: str, error: ExtractionError) -> Envelope:
    return Envelope.failed(source, error.code, error.message)


def read_pages(document: OpenedDocument, ocr: OcrEngine | None) -> _Reading:
    """Every page's words, one page at a time: the text layer, else OCR when an engine is given."""
    reading = _Reading(warnings=list(document.warnings))
    for doc_page in document.pages():
        # Drawing sheets are vector line art: ruling lines there are not table borders.
        sheet = is_sheet_sized(Page(doc_page.number, doc_page.width, doc_page.height, ()))
        page = doc_page.read_text(with_rules=not sheet)
        if not page.words and ocr is not None:
            page = ocr.ocr_page(doc_page)
        if not page.words:
            reading.unread_pages += 1
            reading.warnings.append(_no_text_warning(page.number, ocr is not None))
        reading.pages.append(page)
    return reading


def _no_text_warning(number: int, ocr_enabled: bool) -> str:
    if ocr_enabled:
        return f"page {number}: no text layer, and OCR found no text"
    return f"page {number}: no text layer and OCR is not enabled; the page was not read"


def missing_required_fields(invoice: Invoice) -> list[str]:
    """An invoice in, the dotted paths of its required fields that are absent out."""
    present = {
        "invoice_number": invoice.invoice_number,
        "invoice_date": invoice.invoice_date,
        "vendor.name": invoice.vendor.name,
        "total": invoice.total,
    }
    return [path for path, value in present.items() if value is None]


def _low_confidence(confidence: Mapping[str, float], threshold: float) -> list[str]:
    return sorted(path for path, value in confidence.items() if value < threshold)


def _invoice_envelope(
    base: Envelope, pages: Sequence[Page], warnings: list[str], threshold: float
) -> Envelope:
    """Extract the invoice block and decide whether a person must look at it."""
    extraction = extract_invoice(pages)
    warnings = warnings + list(extraction.warnings)
    missing = missing_required_fields(extraction.invoice)
    low = _low_confidence(extraction.field_confidence, threshold)
    issues = check_invoice_arithmetic(extraction.invoice)
    warnings += [f"required field not found: {path}" for path in missing]
    warnings += [f"low confidence (below {threshold}): {path}" for path in low]
    warnings += [f"arithmetic check failed: {issue}" for issue in issues]
    review = base.needs_review or bool(missing or low or issues)
    return base.model_copy(
        update={
            "invoice": extraction.invoice,
            "field_confidence": dict(extraction.field_confidence),
            "needs_review": review,
            "warnings": warnings,
        }
    )


def _extract(base: Envelope, reading: _Reading, threshold: float) -> Envelope:
    """Classify the pages read and fill the block for the document's type."""
    readable = [page for page in reading.pages if page.words]
    kind = classify_document(readable) if readable else DocumentType.UNKNOWN
    warnings = list(reading.warnings)
    base = base.model_copy(update={"document_type": kind})
    if kind in _INVOICE_TYPES:
        return _invoice_envelope(base, reading.pages, warnings, threshold)
    if kind in _NOT_IMPLEMENTED:
        warnings.append(f"extraction of {kind.value} documents is not implemented yet")
    elif readable:
        warnings.append("the document type was not recognised; nothing was extracted")
    return base.model_copy(update={"needs_review": True, "warnings": warnings})


def _run(
    data: bytes, source: str, limits: Limits, ocr: OcrEngine | None, threshold: float
) -> Envelope:
    verdict = guard(data, limits)
    if isinstance(verdict, ExtractionError):
        return _failed(source, verdict)
    opened = open_document(data, limits, verdict.kind)
    if isinstance(opened, ExtractionError):
        return _failed(source, opened)
    with opened:
        reading = read_pages(opened, ocr)
    base = Envelope(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=verdict.kind.value,
        page_count=opened.page_count,
        document_type=DocumentType.UNKNOWN,
        field_confidence={},
        needs_review=reading.unread_pages > 0,
        warnings=[],
    )
    # model_copy does not validate: check the finished envelope against the contract once.
    return Envelope.model_validate(dict(_extract(base, reading, threshold)))


def run_pipeline(
    data: bytes,
    source: str,
    limits: Limits,
    ocr: OcrEngine | None = None,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
) -> Envelope:
    """A file's bytes and its name in, its contract envelope out; never raises for one document."""
    try:
        return _run(data, source, limits, ocr, review_threshold)
    except Exception as exc:  # one bad document must not stop the others
        logger.exception("internal error while extracting %s", source)
        return Envelope.failed(
            source, ErrorCode.INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}"
        )
