"""Tesseract on hard real-world rasters: faint thermal print under a dark heading, and type
far smaller than a scan's stated resolution promises. Skipped without the binary."""

from __future__ import annotations

import shutil

import numpy as np
import pymupdf
import pytest

from extractors.ocr import PageRaster
from extractors.ocr_tesseract import TesseractEngine

TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(TESSERACT is None, reason="tesseract is not installed")
BODY = ["INDAH GIFT HOME DECO", "TAMAN JOHOR JAYA", "RECEIPT 19/10/2018", "TOTAL AMT 60.31",
        "ROUNDING ADJ -0.01", "CASH 70.30", "CHANGE 10.00"]  # fmt: skip


def _raster(grey: float, dpi: float, stated_dpi: float) -> PageRaster:
    """A till slip: a black heading and body lines printed in `grey` (0 black .. 1 white),
    rendered at `dpi` but said to be at `stated_dpi`."""
    doc = pymupdf.open()
    page = doc.new_page(width=220, height=300)
    page.insert_text((12, 30), "tan woon yann", fontsize=18, fontname="hebo")
    for row, text in enumerate(BODY):
        page.insert_text((12, 70 + 24 * row), text, fontsize=10, fontname="cour",
                         color=(grey, grey, grey))  # fmt: skip
    pixmap = page.get_pixmap(dpi=round(dpi), colorspace=pymupdf.csGRAY)
    pixels = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width)
    scale = 72.0 / stated_dpi
    return PageRaster(1, pixmap.width * scale, pixmap.height * scale, stated_dpi,
                      pixels.tobytes(), pixmap.width, pixmap.height)  # fmt: skip


def _read(raster: PageRaster) -> str:
    assert TESSERACT is not None
    engine = TesseractEngine(binary=TESSERACT, searchable_pdf=False)
    return " ".join(word.text for word in engine.ocr_raster(raster).page.words)


@needs_tesseract
def test_faint_print_under_a_dark_heading_is_read() -> None:
    text = _read(_raster(0.72, 300, 300))
    assert "TOTAL" in text and "60.31" in text and "CHANGE" in text


@needs_tesseract
def test_small_type_in_a_low_resolution_image_is_read_and_boxed_in_points() -> None:
    raster = _raster(0.0, 80, 200)  # letters about 6 pixels tall; the file says 200 DPI
    assert TESSERACT is not None
    page = TesseractEngine(binary=TESSERACT, searchable_pdf=False).ocr_raster(raster).page
    text = " ".join(word.text for word in page.words)
    assert "60.31" in text and "CHANGE" in text
    assert page.width == pytest.approx(raster.width, rel=0.02)
    assert all(0 <= word.box.x0 < word.box.x1 <= page.width + 2 for word in page.words)
