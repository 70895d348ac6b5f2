"""The pipeline end to end on one document: bytes in, one contract envelope out."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

import extractors.pipeline as pipeline
from extractors.invoice import InvoiceExtraction
from extractors.limits import Limits
from extractors.ocr import PageImageSource
from extractors.page import Box, Page, TextSource, Word
from extractors.pipeline import missing_required_fields, run_pipeline
from models import DocumentType, Envelope, ErrorCode, Invoice, Vendor
from tests.unit import bad_inputs

COMPLETE = Invoice(
    vendor=Vendor(name="ACME Drywall Supply LLC"),
    invoice_number="INV-10293",
    invoice_date=date(2026, 3, 14),
    subtotal=Decimal("540.00"),
    tax_total=Decimal("43.20"),
    total=Decimal("583.20"),
)


OCR_TEXT = ("INVOICE", "Invoice", "Number", "INV-1", "Bill", "To", "Apex", "Total", "Due")


class FakeOcr:
    """An OCR engine that 'reads' the same invoice words on every page it is shown."""

    def __init__(self) -> None:
        self.pages_seen: list[int] = []

    def ocr_page(self, page: PageImageSource) -> Page:
        self.pages_seen.append(page.number)
        words = tuple(
            Word(text, Box(10.0 * i, 10, 10.0 * i + 8, 20)) for i, text in enumerate(OCR_TEXT)
        )
        return Page(page.number, page.width, page.height, words, TextSource.OCR)


class BrokenOcr:
    """An OCR engine with a bug in it."""

    def ocr_page(self, page: PageImageSource) -> Page:
        raise ZeroDivisionError("engine fault")


def _extraction(invoice: Invoice, confidence: dict[str, float]) -> object:
    def extract(pages: Sequence[Page]) -> InvoiceExtraction:
        return InvoiceExtraction(invoice, confidence, [])

    return extract


def test_a_valid_invoice_pdf_gives_a_full_envelope() -> None:
    data = bad_inputs.invoice_pdf()
    envelope = run_pipeline(data, "acme.pdf", Limits())
    assert envelope.error is None
    assert envelope.sha256 == hashlib.sha256(data).hexdigest()
    assert (envelope.media_type, envelope.page_count) == ("application/pdf", 1)
    assert envelope.document_type is DocumentType.INVOICE
    assert envelope.invoice is not None
    assert envelope.field_confidence is not None and envelope.warnings is not None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", ErrorCode.EMPTY_FILE),
        (bad_inputs.text_named_pdf(), ErrorCode.UNSUPPORTED_MEDIA_TYPE),
        (bad_inputs.truncated_pdf(), ErrorCode.CORRUPT_FILE),
        (bad_inputs.encrypted_pdf(), ErrorCode.ENCRYPTED_PDF),
        (bad_inputs.minimal_pdf(3000), ErrorCode.TOO_MANY_PAGES),
        (bad_inputs.huge_png(), ErrorCode.IMAGE_TOO_LARGE),
    ],
)
def test_bad_input_gives_an_error_envelope_with_every_other_field_null(
    data: bytes, code: ErrorCode
) -> None:
    envelope = run_pipeline(data, "bad", Limits())
    assert envelope == Envelope.failed(
        "bad", code, envelope.error.message if envelope.error else ""
    )


def test_a_page_without_text_and_without_ocr_needs_review() -> None:
    envelope = run_pipeline(bad_inputs.blank_pdf(), "scan.pdf", Limits())
    assert envelope.error is None
    assert (envelope.document_type, envelope.needs_review) == (DocumentType.UNKNOWN, True)
    assert envelope.warnings == [
        "page 1: no text layer and OCR is not enabled; the page was not read"
    ]


def test_an_image_without_ocr_is_valid_but_unread() -> None:
    envelope = run_pipeline(bad_inputs.small_png(), "scan.png", Limits())
    assert (envelope.media_type, envelope.page_count) == ("image/png", 1)
    assert (envelope.document_type, envelope.needs_review) == (DocumentType.UNKNOWN, True)
    assert envelope.warnings and "OCR is not enabled" in envelope.warnings[0]


def test_pages_without_text_go_to_the_ocr_engine_when_one_is_given() -> None:
    ocr = FakeOcr()
    envelope = run_pipeline(bad_inputs.minimal_pdf(2), "scan.pdf", Limits(), ocr=ocr)
    assert ocr.pages_seen == [1, 2]
    assert envelope.document_type is DocumentType.INVOICE


def test_pages_with_a_text_layer_are_not_sent_to_ocr() -> None:
    ocr = FakeOcr()
    run_pipeline(bad_inputs.invoice_pdf(), "acme.pdf", Limits(), ocr=ocr)
    assert ocr.pages_seen == []


def test_a_fault_inside_a_stage_is_an_internal_error_envelope_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    envelope = run_pipeline(bad_inputs.blank_pdf(), "scan-17.pdf", Limits(), ocr=BrokenOcr())
    assert envelope.error is not None and envelope.error.code is ErrorCode.INTERNAL_ERROR
    assert envelope.document_type is None and envelope.sha256 is None
    assert "scan-17.pdf" in caplog.text and "ZeroDivisionError" in caplog.text


def test_a_drawing_sheet_gets_a_drawing_set_block_with_one_sheet_per_page() -> None:
    lines = ("FIRST FLOOR PLAN", 'SCALE: 1/8" = 1\'-0"', "DRAWN BY: JK", "SHEET A-101")
    data = bad_inputs.text_pdf(lines, width=34 * 72, height=22 * 72)
    envelope = run_pipeline(data, "plans.pdf", Limits())
    assert envelope.document_type is DocumentType.DRAWING_SET
    assert envelope.drawing_set is not None
    assert [sheet.page for sheet in envelope.drawing_set.sheets] == [1]


def test_required_fields_of_an_invoice() -> None:
    assert missing_required_fields(COMPLETE) == []
    assert missing_required_fields(Invoice()) == [
        "invoice_number", "invoice_date", "vendor.name", "total"
    ]  # fmt: skip


def test_a_complete_consistent_confident_invoice_needs_no_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "extract_invoice", _extraction(COMPLETE, {"total": 0.95}))
    envelope = run_pipeline(bad_inputs.invoice_pdf(), "acme.pdf", Limits())
    assert (envelope.needs_review, envelope.warnings) == (False, [])
    assert envelope.field_confidence == {"total": 0.95}


def test_a_confidence_below_the_threshold_needs_review(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "extract_invoice", _extraction(COMPLETE, {"total": 0.85}))
    strict = run_pipeline(bad_inputs.invoice_pdf(), "a.pdf", Limits(), review_threshold=0.9)
    lenient = run_pipeline(bad_inputs.invoice_pdf(), "a.pdf", Limits(), review_threshold=0.8)
    assert (strict.needs_review, lenient.needs_review) == (True, False)


def test_failed_arithmetic_needs_review_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = COMPLETE.model_copy(update={"total": Decimal("999.00")})
    monkeypatch.setattr(pipeline, "extract_invoice", _extraction(wrong, {}))
    envelope = run_pipeline(bad_inputs.invoice_pdf(), "acme.pdf", Limits())
    assert envelope.needs_review is True
    assert envelope.warnings and envelope.warnings[0].startswith("arithmetic check failed: total")


def test_an_out_of_range_confidence_is_an_internal_error_not_an_invalid_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "extract_invoice", _extraction(COMPLETE, {"total": 1.5}))
    envelope = run_pipeline(bad_inputs.invoice_pdf(), "acme.pdf", Limits())
    assert envelope.error is not None and envelope.error.code is ErrorCode.INTERNAL_ERROR
