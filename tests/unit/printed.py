"""Tiny born-digital PDFs for extractor tests: lines of text placed where a test says.

A line is (x, y, text[, size[, bold[, align]]]): y is the baseline, the font Helvetica
(bold: Helvetica-Bold), and align "left" (x is the left edge), "right" (x is the right edge)
or "center". The base-14 fonts print no euro sign: tests write currencies as ISO codes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pymupdf

from extractors.invoice import InvoiceExtraction, extract_invoice
from extractors.page import Page
from extractors.text_layer import read_text_layer

Line = (
    tuple[float, float, str]
    | tuple[float, float, str, float]
    | tuple[float, float, str, float, bool]
    | tuple[float, float, str, float, bool, str]
)
LETTER = (612.0, 792.0)


def print_pdf(lines: Sequence[Line], size: tuple[float, float] = LETTER) -> bytes:
    """One page with the lines printed on it, as PDF bytes."""
    doc = pymupdf.open()
    page = doc.new_page(width=size[0], height=size[1])
    for line in lines:
        x, y, text = line[0], line[1], line[2]
        font_size = line[3] if len(line) > 3 else 9.0
        font = "hebo" if len(line) > 4 and line[4] else "helv"
        align = line[5] if len(line) > 5 else "left"
        width = pymupdf.get_text_length(text, fontname=font, fontsize=font_size)
        x -= {"left": 0.0, "right": width, "center": width / 2}[align]
        page.insert_text((x, y), text, fontname=font, fontsize=font_size)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def read_page(lines: Sequence[Line], size: tuple[float, float] = LETTER) -> Page:
    """The lines printed on a page and read back through the text layer."""
    doc = pymupdf.open(stream=print_pdf(lines, size))
    page: Page = read_text_layer(doc[0], 1)
    doc.close()
    return page


def extract(lines: Sequence[Line]) -> InvoiceExtraction:
    """The invoice extractor's reading of a one-page printout of the lines."""
    return extract_invoice([read_page(lines)])
