"""The pipeline's OCR decisions with fake engines: which pages are OCRed, in what order, and
how OCR confidence and failures show in the envelope. No Tesseract here."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pymupdf
import pytest

from extractors.limits import Limits
from extractors.ocr import OcrFailedError, OcrResult, PageImageSource, PageRaster
from extractors.page import Box, Page, TextSource, Word
from extractors.pipeline import (
    OcrCapture,
    OcrOptions,
    make_searchable_pdf,
    run_pipeline,
    scale_confidence,
)
from fixtures.generator import DEV_LAYOUTS, generate_invoice
from fixtures.generator.scan import PROFILES, scan_document
from tests.unit import bad_inputs

OCR_TEXT = ("INVOICE", "Invoice", "Number:", "INV-77", "Invoice", "Date:", "2026-03-14",
            "Total", "Due", "583.20")  # fmt: skip


def _words(confidence: float) -> tuple[Word, ...]:
    return tuple(
        Word(text, Box(40 + 60.0 * (i % 5), 40 + 20.0 * (i // 5), 90 + 60.0 * (i % 5),
                       52 + 20.0 * (i // 5)), confidence=confidence)
        for i, text in enumerate(OCR_TEXT)
    )  # fmt: skip


class CountingOcr:
    """A raster OCR engine that counts the pages it is shown and 'reads' the same words."""

    def __init__(self, confidence: float = 0.95, fail_on: int | None = None) -> None:
        self.rasters: list[PageRaster] = []
        self.confidence = confidence
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def ocr_page(self, page: PageImageSource) -> Page:
        raise AssertionError("a raster engine is handed rasters, not pages")

    def ocr_raster(self, raster: PageRaster) -> OcrResult:
        with self.lock:
            self.rasters.append(raster)
        if raster.number == self.fail_on:
            raise OcrFailedError("tesseract crashed")
        page = Page(raster.number, raster.width, raster.height, _words(self.confidence),
                    TextSource.OCR)  # fmt: skip
        pdf = pymupdf.open()
        pdf_page = pdf.new_page(width=raster.width, height=raster.height)
        pdf_page.insert_text((40, 60), f"OCR PAGE {raster.number}", render_mode=3)
        data = pdf.tobytes()
        pdf.close()
        return OcrResult(page, data, self.confidence)

    @property
    def pages(self) -> list[int]:
        return sorted(r.number for r in self.rasters)


@pytest.mark.parametrize("layout", DEV_LAYOUTS[:6])
def test_a_born_digital_invoice_is_never_ocred(layout: str) -> None:
    ocr = CountingOcr()
    envelope = run_pipeline(generate_invoice(layout, 12).pdf, "digital.pdf", Limits(), ocr=ocr)
    assert ocr.rasters == []
    assert envelope.document_type == "invoice"


def _mixed_pdf() -> bytes:
    """Page 1 born digital, page 2 the scan of another invoice (an image, no text)."""
    digital = generate_invoice("classic_left", 31)
    scanned = scan_document(generate_invoice("box_left", 32), 32, PROFILES["scanned_pdf_150"])
    out = pymupdf.open(stream=digital.pdf, filetype="pdf")
    with pymupdf.open(stream=scanned.data, filetype="pdf") as other:
        out.insert_pdf(other, from_page=0, to_page=0)
    data = bytes(out.tobytes())
    out.close()
    return data


def test_only_the_scanned_page_of_a_mixed_pdf_is_ocred() -> None:
    ocr = CountingOcr()
    envelope = run_pipeline(_mixed_pdf(), "mixed.pdf", Limits(), ocr=ocr)
    assert ocr.pages == [2]
    raster = ocr.rasters[0]
    # A 150-DPI scan is rendered at its own resolution (no invented pixels); the OCR engine
    # rescales by the size of its letters (tests/unit/test_ocr_faint.py).
    assert raster.dpi == pytest.approx(150, abs=1)
    assert len(raster.pixels) == raster.px_width * raster.px_height
    assert envelope.page_count == 2 and envelope.document_type == "invoice"


def test_images_always_go_to_ocr() -> None:
    ocr = CountingOcr()
    envelope = run_pipeline(bad_inputs.small_png(), "scan.png", Limits(), ocr=ocr)
    assert ocr.pages == [1]
    assert envelope.media_type == "image/png"


def test_pages_read_on_an_executor_come_back_in_order() -> None:
    data = bad_inputs.minimal_pdf(7)
    ocr = CountingOcr()
    capture = OcrCapture()
    with ThreadPoolExecutor(max_workers=3) as pool:
        options = OcrOptions(pool, window=2)
        envelope = run_pipeline(
            data, "scan.pdf", Limits(), ocr=ocr, ocr_options=options, capture=capture
        )
    assert ocr.pages == [1, 2, 3, 4, 5, 6, 7]
    assert list(capture.pages) == [1, 2, 3, 4, 5, 6, 7]
    assert envelope.error is None and not any("no text" in w for w in envelope.warnings or [])


def test_rasters_respect_the_pixel_limit() -> None:
    ocr = CountingOcr()
    run_pipeline(bad_inputs.minimal_pdf(1), "scan.pdf", Limits(max_image_pixels=1_000_000), ocr=ocr)
    raster = ocr.rasters[0]
    assert raster.px_width * raster.px_height <= 1_000_000
    assert raster.dpi < 150


def test_shaky_ocr_lowers_field_confidence() -> None:
    data = bad_inputs.minimal_pdf(1)
    sure = run_pipeline(data, "a.pdf", Limits(), ocr=CountingOcr(confidence=0.97))
    shaky = run_pipeline(data, "b.pdf", Limits(), ocr=CountingOcr(confidence=0.6))
    assert sure.field_confidence and shaky.field_confidence
    for path, value in shaky.field_confidence.items():
        assert value < sure.field_confidence[path]
    assert shaky.needs_review


def test_scale_confidence() -> None:
    assert scale_confidence({"total": 0.9}, 1.0) == {"total": 0.9}
    assert scale_confidence({"total": 0.9}, 0.5) == {"total": 0.45}


def test_an_ocr_failure_on_one_page_is_a_warning_not_an_internal_error() -> None:
    ocr = CountingOcr(fail_on=2)
    envelope = run_pipeline(bad_inputs.minimal_pdf(3), "scan.pdf", Limits(), ocr=ocr)
    assert envelope.error is None and envelope.needs_review
    warnings = envelope.warnings or []
    assert "page 2: OCR failed: tesseract crashed" in warnings
    assert "page 2: no text layer, and OCR found no text" in warnings


def test_the_searchable_pdf_keeps_digital_pages_and_takes_the_ocr_pages() -> None:
    data = _mixed_pdf()
    capture = OcrCapture()
    run_pipeline(data, "mixed.pdf", Limits(), ocr=CountingOcr(), capture=capture)
    searchable = make_searchable_pdf(data, capture)
    assert searchable is not None
    with pymupdf.open(stream=searchable, filetype="pdf") as pdf:
        assert pdf.page_count == 2
        assert "Invoice" in pdf[0].get_text() or "INVOICE" in pdf[0].get_text()
        assert "OCR PAGE 2" in pdf[1].get_text()


def test_nothing_ocred_gives_no_searchable_pdf() -> None:
    assert make_searchable_pdf(bad_inputs.invoice_pdf(), OcrCapture()) is None
