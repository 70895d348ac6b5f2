"""The extraction pipeline for one document: bytes in, one contract envelope out.

sniff_kind -> guard -> open_document -> read_text_layer per page, judged by assess_text_layer ->
ocr_raster for the pages whose text layer is missing or unusable (on the caller's executor, a
bounded few pages at a time, so a long scan is streamed) -> classify_document -> extract_invoice
-> envelope with confidences (lowered by shaky OCR), warnings and needs_review.
Owns the order of the stages, which pages are OCRed, and the review decision. Must not read
files or the environment (the caller hands in bytes and limits) and must not raise: an
expected problem is an error envelope with its contract code, an unexpected one an
`internal_error` envelope, logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field

from extractors.billing.envelope import BILLING_TYPES, billing_envelope
from extractors.classify import classify_document, is_sheet_sized
from extractors.document import DocumentPage, OpenedDocument, open_document
from extractors.drawings import ScannedSheetReader, drawing_set_envelope
from extractors.drawings.region_ocr import PdfSheetImages, region_ocr_like
from extractors.invoice import InvoiceExtraction, extract_invoice
from extractors.invoice.receipts import is_receipt, is_till_receipt, read_receipt
from extractors.limits import Limits
from extractors.lines import forget_remembered
from extractors.ocr import OcrEngine, OcrFailedError, OcrResult, PageRaster, RasterOcrEngine
from extractors.page import Page, TextSource
from extractors.sniff import MediaKind, guard, sniff_kind
from extractors.text_quality import PageImages, assess_text_layer, choose_dpi, measure_page_images
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
_G702_FIGURES = 2  # a pay application's summary figures found, at least
_NOT_IMPLEMENTED = (DocumentType.LIEN_WAIVER, DocumentType.DRAWING_SET)
_POINTS_PER_INCH = 72.0
_PHOTO_COVERAGE = 0.6  # a page mostly covered by one image may be a photo: look for its outline
# A field read by OCR is trusted as much as its page reads: mean word confidence 0.93 and up
# keeps it, 0.8 takes a tenth off, 0.6 a quarter.
_OCR_FACTOR_BASE = 0.3
_OCR_FACTOR_SLOPE = 0.75


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How OCR runs: the caller's executor (None: in this thread) and pages in flight at most."""

    executor: Executor | None = None
    window: int = 2


@dataclass(slots=True)
class _Reading:
    """The pages as read, with what went wrong on the way (for a person)."""

    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unread_pages: int = 0
    ocr_words: int = 0
    ocr_confidence_sum: float = 0.0  # word-weighted sum of OCR page mean confidences

    def ocr_confidence_factor(self) -> float:
        """How far OCR lowers trust in the fields: 1 for no OCR, lower for shaky readings."""
        words = sum(len(page.words) for page in self.pages)
        if not self.ocr_words or not words:
            return 1.0
        mean = self.ocr_confidence_sum / self.ocr_words
        page_factor = min(1.0, max(0.0, _OCR_FACTOR_BASE + _OCR_FACTOR_SLOPE * mean))
        share = self.ocr_words / words
        return 1.0 - share * (1.0 - page_factor)


@dataclass(slots=True)
class OcrCapture:
    """Collects, per page number, the searchable one-page PDFs the OCR engine produced."""

    pages: dict[int, bytes] = field(default_factory=dict)


@dataclass(slots=True)
class _Pending:
    """A page whose reading is under way: its text-layer reading and the OCR job for it."""

    fallback: Page
    job: Future[OcrResult]


def _failed(source: str, error: ExtractionError) -> Envelope:
    return Envelope.failed(source, error.code, error.message)


def render_raster(page: DocumentPage, dpi: int, max_pixels: int, photo: bool) -> PageRaster:
    """An open page in, its grey raster at `dpi` (lowered to stay within `max_pixels`) out."""
    import pymupdf

    scale = dpi / _POINTS_PER_INCH
    pixels = page.width * scale * page.height * scale
    if pixels > max_pixels:
        scale *= (max_pixels / pixels) ** 0.5 * 0.995  # PyMuPDF rounds the pixel size up
    pixmap = page.handle.get_pixmap(
        matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csGRAY, alpha=False
    )
    samples = bytes(pixmap.samples)
    if pixmap.stride != pixmap.width:  # rows padded: pack them
        rows = (samples[r * pixmap.stride : r * pixmap.stride + pixmap.width]
                for r in range(pixmap.height))  # fmt: skip
        samples = b"".join(rows)
    effective_dpi = scale * _POINTS_PER_INCH
    return PageRaster(page.number, page.width, page.height, effective_dpi, samples,
                      pixmap.width, pixmap.height, photo)  # fmt: skip


class _PageReader:
    """Reads pages in order, sending those that need it to OCR, a bounded few at a time."""

    def __init__(self, ocr: OcrEngine | None, options: OcrOptions, limits: Limits) -> None:
        self.ocr = ocr
        self.options = options
        self.limits = limits
        self.slots: list[Page | _Pending] = []
        self.in_flight: deque[Future[OcrResult]] = deque()

    def submit(self, doc_page: DocumentPage, fallback: Page, images: PageImages) -> None:
        """Start OCR of one page: on the executor when there is one, else right here."""
        ocr = self.ocr
        assert ocr is not None
        executor = self.options.executor
        if isinstance(ocr, RasterOcrEngine):
            photo = images.coverage >= _PHOTO_COVERAGE
            raster = render_raster(doc_page, choose_dpi(images), self.limits.max_image_pixels,
                                   photo)  # fmt: skip
            if executor is not None:
                job = executor.submit(ocr.ocr_raster, raster)
                self.slots.append(_Pending(fallback, job))
                self.in_flight.append(job)
                while len(self.in_flight) > self.options.window:
                    wait([self.in_flight.popleft()])
                return
            job = _done(lambda: ocr.ocr_raster(raster))
        else:
            plain = ocr  # a plain engine renders the page itself: that needs this thread
            job = _done(lambda: OcrResult(plain.ocr_page(doc_page)))
        self.slots.append(_Pending(fallback, job))


def _done(read: Callable[[], OcrResult]) -> Future[OcrResult]:
    """Run an OCR call here, its result (or its expected failure) held as a finished future."""
    future: Future[OcrResult] = Future()
    try:
        future.set_result(read())
    except OcrFailedError as exc:
        future.set_exception(exc)
    return future


def _outcome(pending: _Pending) -> OcrResult | str:
    """The OCR result of a page, or why there is none (an engine that failed on it)."""
    try:
        return pending.job.result()
    except OcrFailedError as exc:
        return str(exc)


def _collect(reader: _PageReader, reading: _Reading, capture: OcrCapture | None) -> None:
    """Gather every page in order, waiting for the OCR jobs, and note what they found."""
    for slot in reader.slots:
        if isinstance(slot, Page):
            reading.pages.append(slot)
            continue
        outcome = _outcome(slot)
        if isinstance(outcome, str):
            reading.warnings.append(f"page {slot.fallback.number}: OCR failed: {outcome}")
            reading.pages.append(slot.fallback)
            continue
        page = outcome.page
        if not page.words and slot.fallback.words:
            page = slot.fallback  # OCR saw nothing: the doubtful text layer is all there is
        if page.source is TextSource.OCR and page.words:
            reading.ocr_words += len(page.words)
            reading.ocr_confidence_sum += outcome.mean_confidence * len(page.words)
            reading.warnings.extend(outcome.warnings)
        if capture is not None and outcome.pdf is not None:
            capture.pages[page.number] = outcome.pdf
        reading.pages.append(page)


class _LazyImages:
    """A page's images, measured on the first call only: listing them reads the page's
    content once more, and a page full of text never needs them."""

    __slots__ = ("_images", "_page")

    def __init__(self, page: DocumentPage) -> None:
        self._page = page
        self._images: PageImages | None = None

    def __call__(self) -> PageImages:
        if self._images is None:
            page = self._page
            self._images = measure_page_images(page.handle, page.width, page.height)
        return self._images


def read_pages(
    document: OpenedDocument,
    ocr: OcrEngine | None,
    options: OcrOptions | None = None,
    limits: Limits | None = None,
    capture: OcrCapture | None = None,
) -> _Reading:
    """Every page's words in order: the text layer when usable, else OCR when an engine is given."""
    reading = _Reading(warnings=list(document.warnings))
    reader = _PageReader(ocr, options or OcrOptions(), limits or Limits())
    for doc_page in document.pages():
        # Drawing sheets are vector line art: ruling lines there are not table borders.
        sheet = is_sheet_sized(Page(doc_page.number, doc_page.width, doc_page.height, ()))
        page = doc_page.read_text(with_rules=not sheet)
        images = _LazyImages(doc_page)
        verdict = assess_text_layer(page, images)
        if verdict.usable:
            reader.slots.append(page)
        elif ocr is None:
            if page.words:
                reading.warnings.append(
                    f"page {page.number}: {verdict.reason}; OCR is not enabled, so it was kept"
                )
            reader.slots.append(page)
        else:
            reader.submit(doc_page, page, images())
    _collect(reader, reading, capture)
    for page in reading.pages:
        if not page.words:
            reading.unread_pages += 1
            reading.warnings.append(_no_text_warning(page.number, ocr is not None))
    return reading


def _no_text_warning(number: int, ocr_enabled: bool) -> str:
    if ocr_enabled:
        return f"page {number}: no text layer, and OCR found no text"
    return f"page {number}: no text layer and OCR is not enabled; the page was not read"


def make_searchable_pdf(data: bytes, capture: OcrCapture) -> bytes | None:
    """The original file and the OCR pages of its run in: a PDF with an invisible text layer out.

    Pages that were OCRed are replaced by the engine's page (the cleaned image with the words
    invisible over it); the others are copied as they are. None when nothing was OCRed.
    """
    if not capture.pages:
        return None
    import pymupdf

    kind = sniff_kind(data[:1024])
    filetype = {MediaKind.PDF: "pdf", MediaKind.PNG: "png", MediaKind.JPEG: "jpg",
                MediaKind.TIFF: "tiff"}.get(kind)  # fmt: skip
    if filetype is None:
        return None
    with pymupdf.open(stream=data, filetype=filetype) as original:
        source = (
            original if kind is MediaKind.PDF else pymupdf.open("pdf", original.convert_to_pdf())
        )
        out = pymupdf.open()
        for index in range(source.page_count):
            ocr_pdf = capture.pages.get(index + 1)
            if ocr_pdf is None:
                out.insert_pdf(source, from_page=index, to_page=index)
                continue
            with pymupdf.open(stream=ocr_pdf, filetype="pdf") as page_pdf:
                out.insert_pdf(page_pdf)
        result = bytes(out.tobytes(garbage=3, deflate=True))
        out.close()
    return result


def missing_required_fields(invoice: Invoice) -> list[str]:
    """An invoice in, the dotted paths of its required fields that are absent out."""
    present = {
        "invoice_number": invoice.invoice_number,
        "invoice_date": invoice.invoice_date,
        "vendor.name": invoice.vendor.name,
        "total": invoice.total,
    }
    return [path for path, value in present.items() if value is None]


# The fields that go into someone's books: a doubt about one of these sends the document to
# review. Contact details and addresses keep their confidence but do not hold a bill up.
REVIEW_FIELDS = frozenset({
    "vendor.name", "invoice_number", "invoice_date", "due_date", "po_number", "currency",
    "subtotal", "tax_total", "retainage", "total", "amount_due",
})  # fmt: skip


def _low_confidence(confidence: Mapping[str, float], threshold: float) -> list[str]:
    return sorted(
        path for path, value in confidence.items() if value < threshold and path in REVIEW_FIELDS
    )


def scale_confidence(confidence: Mapping[str, float], factor: float) -> dict[str, float]:
    """Field confidences and a factor in [0, 1] in, the scaled confidences out."""
    if factor >= 1.0:
        return dict(confidence)
    return {path: round(value * factor, 3) for path, value in confidence.items()}


def reads_as_receipt(invoice: Invoice, pages: Sequence[Page]) -> bool:
    """Whether the receipt rules should read this bill: surely a till receipt (a till roll's
    shape, a payment at a till), or like one and the invoice reading found no invoice.
    "TAX INVOICE", "Qty" and "Thank you" are on many full-page invoices too: a page-sized
    document with an invoice number, line items and a total is an invoice."""
    # A till receipt is like a receipt first: asking that first spares an invoice (the usual
    # document) the till-receipt test's own reading of its words.
    if not is_receipt(pages):
        return False
    if is_till_receipt(pages):
        return True
    return not (invoice.invoice_number and invoice.total is not None and invoice.line_items)


def apply_receipt_rules(extraction: InvoiceExtraction, pages: Sequence[Page]) -> InvoiceExtraction:
    """An invoice extraction of a till receipt in; its vendor, date and total by receipt rules."""
    found = read_receipt(pages)
    invoice = extraction.invoice
    confidence = dict(extraction.field_confidence)
    update: dict[str, object] = {}
    if found.vendor_name:
        update["vendor"] = invoice.vendor.model_copy(update={"name": found.vendor_name})
        confidence["vendor.name"] = found.vendor_confidence
    if found.date:
        update["invoice_date"] = found.date
        confidence["invoice_date"] = found.date_confidence
    if found.total is not None:
        update["total"] = found.total
        confidence["total"] = found.total_confidence
    if not update:
        return extraction
    return InvoiceExtraction(invoice.model_copy(update=update), confidence,
                             list(extraction.warnings))  # fmt: skip


def _invoice_envelope(base: Envelope, reading: _Reading, threshold: float) -> Envelope:
    """Extract the invoice block and decide whether a person must look at it."""
    extraction = extract_invoice(reading.pages)
    if reads_as_receipt(extraction.invoice, [page for page in reading.pages if page.words]):
        extraction = apply_receipt_rules(extraction, reading.pages)
    warnings = list(reading.warnings) + list(extraction.warnings)
    confidence = scale_confidence(extraction.field_confidence, reading.ocr_confidence_factor())
    missing = missing_required_fields(extraction.invoice)
    low = _low_confidence(confidence, threshold)
    issues = check_invoice_arithmetic(extraction.invoice)
    warnings += [f"required field not found: {path}" for path in missing]
    warnings += [f"low confidence (below {threshold}): {path}" for path in low]
    warnings += [f"arithmetic check failed: {issue}" for issue in issues]
    review = base.needs_review or bool(missing or low or issues)
    return base.model_copy(
        update={
            "invoice": extraction.invoice,
            "field_confidence": confidence,
            "needs_review": review,
            "warnings": warnings,
        }
    )


def _scanned_sheet_reader(
    opened: OpenedDocument, ocr: OcrEngine | None
) -> ScannedSheetReader | None:
    """Title-block region OCR over the open document, when OCR is enabled at all."""
    if ocr is None:
        return None
    return ScannedSheetReader(PdfSheetImages(opened.handle), region_ocr_like(ocr))


def _extract(
    base: Envelope,
    reading: _Reading,
    threshold: float,
    scanned: ScannedSheetReader | None = None,
) -> Envelope:
    """Classify the pages read and fill the block for the document's type."""
    readable = [page for page in reading.pages if page.words]
    kind = classify_document(readable) if readable else DocumentType.UNKNOWN
    if kind is DocumentType.UNKNOWN and is_receipt(readable):
        kind = DocumentType.INVOICE  # a till receipt is a bill: read its vendor, date, total
    warnings = list(reading.warnings)
    base = base.model_copy(update={"document_type": kind})
    if kind in BILLING_TYPES:
        factor = reading.ocr_confidence_factor()
        billed = billing_envelope(base, reading.pages, warnings, threshold, factor)
        if kind is not DocumentType.PAY_APPLICATION or _reads_as_pay_application(billed):
            return billed
        # Pay-application words but none of a G702's figures: an invoice that talks about its
        # contract (a subcontractor's progress invoice). The invoice reader takes it.
        base = base.model_copy(update={"document_type": DocumentType.INVOICE})
        return _invoice_envelope(base, reading, threshold)
    if kind in _INVOICE_TYPES:
        return _invoice_envelope(base, reading, threshold)
    if kind is DocumentType.DRAWING_SET:
        return drawing_set_envelope(base, reading.pages, warnings, threshold, scanned)
    if kind in _NOT_IMPLEMENTED:
        warnings.append(f"extraction of {kind.value} documents is not implemented yet")
    elif readable:
        warnings.append("the document type was not recognised; nothing was extracted")
    return base.model_copy(update={"needs_review": True, "warnings": warnings})


def _reads_as_pay_application(envelope: Envelope) -> bool:
    """Whether the pay-application reader found what makes one: two or more of the G702's
    own figures (contract sums, work completed, previous certificates, payment due)."""
    summary = envelope.invoice.pay_application if envelope.invoice is not None else None
    if summary is None:
        return False
    figures = (summary.original_contract_sum, summary.contract_sum_to_date,
               summary.total_completed_and_stored, summary.less_previous_certificates,
               summary.current_payment_due, summary.balance_to_finish)  # fmt: skip
    return sum(value is not None for value in figures) >= _G702_FIGURES


@dataclass(frozen=True, slots=True)
class _Settings:
    limits: Limits
    ocr: OcrEngine | None
    threshold: float
    options: OcrOptions
    capture: OcrCapture | None


def _run(data: bytes, source: str, settings: _Settings) -> Envelope:
    limits = settings.limits
    verdict = guard(data, limits)
    if isinstance(verdict, ExtractionError):
        return _failed(source, verdict)
    opened = open_document(data, limits, verdict.kind)
    if isinstance(opened, ExtractionError):
        return _failed(source, opened)
    with opened:
        reading = read_pages(opened, settings.ocr, settings.options, limits, settings.capture)
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
        # Still open: a scanned drawing sheet's title block is rendered again for region OCR.
        scanned = _scanned_sheet_reader(opened, settings.ocr)
        extracted = _extract(base, reading, settings.threshold, scanned)
    # model_copy does not validate: check the finished envelope against the contract once.
    return Envelope.model_validate(dict(extracted))


def run_pipeline(
    data: bytes,
    source: str,
    limits: Limits,
    ocr: OcrEngine | None = None,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    ocr_options: OcrOptions | None = None,
    capture: OcrCapture | None = None,
) -> Envelope:
    """A file's bytes and its name in, its contract envelope out; never raises for one document.

    Pages without a usable text layer go to `ocr` (on `ocr_options.executor` when given); the
    searchable PDF pages of that run land in `capture` for `make_searchable_pdf`.
    """
    settings = _Settings(limits, ocr, review_threshold, ocr_options or OcrOptions(), capture)
    try:
        return _run(data, source, settings)
    except Exception as exc:  # one bad document must not stop the others
        logger.exception("internal error while extracting %s", source)
        return Envelope.failed(
            source, ErrorCode.INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}"
        )
    finally:
        # The lines and cells remembered for this document's pages hold every word of it:
        # kept, they would slow each later document (a bigger heap for the collector to walk).
        forget_remembered()
