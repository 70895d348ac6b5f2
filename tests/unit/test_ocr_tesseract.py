"""The Tesseract engine on real pages: image-only invoices, turned pages, a searchable PDF,
and the memory of a long scan through `docproc extract`. Skipped without the binary."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pymupdf
import pytest

from extractors.limits import Limits
from extractors.ocr import OcrFailedError, PageRaster
from extractors.ocr_tesseract import TesseractEngine, parse_tsv
from extractors.pipeline import OcrCapture, make_searchable_pdf, run_pipeline
from fixtures.generator import generate_invoice
from fixtures.generator.scan import PROFILES, ScanProfile, scan_document
from tests.peak_memory import run_with_peak_rss

TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(TESSERACT is None, reason="tesseract is not installed")

TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t2550\t3300\t-1\t\n"
    "4\t1\t1\t1\t1\t0\t100\t200\t400\t40\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t100\t205\t150\t30\t96.5\tInvoice\n"
    "5\t1\t1\t1\t1\t2\t270\t205\t230\t30\t91.0\t~=INV-7\n"
    "5\t1\t1\t1\t1\t3\t520\t205\t10\t30\t12.0\t|\n"
)


def _engine(**kwargs: object) -> TesseractEngine:
    assert TESSERACT is not None
    return TesseractEngine(binary=TESSERACT, **kwargs)  # type: ignore[arg-type]


def test_tsv_words_carry_confidence_and_lose_glued_rule_remnants() -> None:
    words, lines = parse_tsv(TSV)
    assert [w.text for w in words] == ["Invoice", "INV-7", "|"]
    assert words[0].confidence == pytest.approx(0.965)
    assert lines[(1, 1, 1)] == (200, 240)


def test_a_missing_binary_is_an_ocr_failure() -> None:
    engine = TesseractEngine(binary="/nonexistent/tesseract")
    raster = PageRaster(1, 72, 72, 72, bytes([255]) * 72 * 72, 72, 72)
    with pytest.raises(OcrFailedError):
        engine.ocr_raster(raster)


def _check(envelope_invoice: object, truth_invoice: object) -> None:
    for name in ("invoice_number", "total"):
        assert getattr(envelope_invoice, name) == getattr(truth_invoice, name), name


@needs_tesseract
def test_an_image_only_page_of_a_dev_invoice_is_read() -> None:
    doc = generate_invoice("classic_left", 61)
    scanned = scan_document(doc, 61, PROFILES["office_200"])
    envelope = run_pipeline(scanned.data, scanned.name, Limits(), ocr=_engine())
    assert envelope.document_type == "invoice" and envelope.invoice is not None
    _check(envelope.invoice, doc.truth.invoice)
    assert envelope.field_confidence and max(envelope.field_confidence.values()) <= 1.0


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("profile", ["rotated_90", "rotated_180"])
def test_turned_pages_are_read_the_right_way_up(profile: str) -> None:
    doc = generate_invoice("box_left", 62)
    scanned = scan_document(doc, 62, PROFILES[profile])
    envelope = run_pipeline(scanned.data, scanned.name, Limits(), ocr=_engine())
    assert envelope.invoice is not None
    _check(envelope.invoice, doc.truth.invoice)


@needs_tesseract
def test_a_mixed_pdf_reads_its_digital_page_and_its_scanned_page() -> None:
    first = generate_invoice("classic_left", 63)
    second = scan_document(generate_invoice("classic_left", 64), 64, PROFILES["scanned_pdf_150"])
    out = pymupdf.open(stream=first.pdf, filetype="pdf")
    with pymupdf.open(stream=second.data, filetype="pdf") as other:
        out.insert_pdf(other)
    data = bytes(out.tobytes())
    out.close()
    capture = OcrCapture()
    envelope = run_pipeline(data, "mixed.pdf", Limits(), ocr=_engine(), capture=capture)
    assert list(capture.pages) == [2]  # only the scanned page went through Tesseract
    assert envelope.invoice is not None
    assert envelope.invoice.invoice_number == first.truth.invoice.invoice_number  # type: ignore[union-attr]
    searchable = make_searchable_pdf(data, capture)
    assert searchable is not None
    with pymupdf.open(stream=searchable, filetype="pdf") as pdf:
        ocr_text = pdf[1].get_text()
    number = second.truth.invoice.invoice_number  # type: ignore[union-attr]
    assert number and number in ocr_text  # the invisible layer holds the OCR words


def _sparse_scan(pages: int) -> bytes:
    """An image-only PDF of `pages` 200-DPI scans of a short letter (quick to OCR)."""
    page_doc = pymupdf.open()
    page = page_doc.new_page(width=612, height=792)
    page.insert_text((72, 90), "INVOICE 2026-0042\nACME Drywall Supply\nTotal Due 583.20",
                     fontsize=14)  # fmt: skip
    png = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).tobytes("png")
    page_doc.close()
    out = pymupdf.open()
    for _ in range(pages):
        out.new_page(width=612, height=792).insert_image(pymupdf.Rect(0, 0, 612, 792), stream=png)
    data = bytes(out.tobytes(garbage=3, deflate=True))
    out.close()
    return data


@needs_tesseract
@pytest.mark.slow
def test_a_50_page_scan_through_docproc_extract_stays_under_500_mb(tmp_path: Path) -> None:
    source = tmp_path / "scan-50.pdf"
    source.write_bytes(_sparse_scan(50))
    command = [sys.executable, "-c", "import sys; from service.cli import main; "
               "sys.exit(main(['extract', sys.argv[1]]))", str(source)]  # fmt: skip
    root = Path(__file__).resolve().parents[2]
    run, peak_mb = run_with_peak_rss(command, cwd=root)
    line = json.loads(run.stdout)
    assert line["page_count"] == 50 and line["error"] is None
    assert not any("no text" in warning for warning in line["warnings"])
    # The biggest of docproc and the Tesseracts it waited for.
    assert peak_mb < 500


@needs_tesseract
@pytest.mark.slow
def test_the_engine_reads_a_fax() -> None:
    doc = generate_invoice("classic_left", 65)
    fax = scan_document(doc, 65, ScanProfile("fax_200", dpi=200, fax=True))
    envelope = run_pipeline(fax.data, fax.name, Limits(), ocr=_engine())
    assert envelope.invoice is not None
    assert envelope.invoice.total == doc.truth.invoice.total  # type: ignore[union-attr]
