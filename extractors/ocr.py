"""The OCR port: what the pipeline needs from an OCR engine, as Protocols only.

Owns the shape of the seam, not an implementation: engines (Tesseract, a cloud service, a
test fake) live elsewhere and are handed to the pipeline. Must not import an OCR library,
render pages itself, or read the environment.
"""

from __future__ import annotations

from typing import Protocol

from extractors.page import Page


class PageImageSource(Protocol):
    """A page an OCR engine can look at: its number, size in points, and a rendering."""

    @property
    def number(self) -> int:
        """The page number, from 1."""
        ...

    @property
    def width(self) -> float:
        """The page width in points."""
        ...

    @property
    def height(self) -> float:
        """The page height in points."""
        ...

    def render_png(self, dpi: int, max_pixels: int) -> bytes:
        """The page as PNG bytes at `dpi`, lowered to stay within `max_pixels`."""
        ...


class OcrEngine(Protocol):
    """Turns a page image (a scanned PDF page or an image document's frame) into a `Page`."""

    def ocr_page(self, page: PageImageSource) -> Page:
        """A page to look at in, its recognised words (source OCR, page coordinates) out."""
        ...
