"""The OCR port: what the pipeline needs from an OCR engine, as Protocols only.

Owns the shape of the seam, not an implementation: engines (Tesseract, a cloud service, a
test fake) live elsewhere and are handed to the pipeline. A plain `OcrEngine` is shown a page
and renders it itself; a `RasterOcrEngine` is handed a `PageRaster` the pipeline rendered at the
resolution that suits the page, and returns an `OcrResult` with a searchable PDF page too.
Must not import an OCR library, render pages itself, or read the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from extractors.page import Page


class OcrFailedError(RuntimeError):
    """An OCR engine could not read one page (its program failed or timed out)."""


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


@dataclass(frozen=True, slots=True)
class PageRaster:
    """A page already rendered to 8-bit grey pixels, with its size in points and resolution."""

    number: int
    width: float
    height: float
    dpi: float
    pixels: bytes  # row-major, one byte a pixel, px_width * px_height bytes
    px_width: int
    px_height: int
    photo: bool = False  # may be a photograph: look for the page's outline and flatten it


@dataclass(frozen=True, slots=True)
class OcrResult:
    """One OCRed page: its words, a one-page searchable PDF from the same run, and what was done."""

    page: Page
    pdf: bytes | None = None
    mean_confidence: float = 0.0
    quarter_turns: int = 0  # clockwise quarter turns applied to read it upright
    skew: float = 0.0  # degrees the page was straightened by
    warnings: tuple[str, ...] = ()


@runtime_checkable
class RasterOcrEngine(Protocol):
    """An OCR engine that takes a rendered raster and returns more than words (a PDF layer)."""

    def ocr_raster(self, raster: PageRaster) -> OcrResult:
        """A grey page raster in, its words (page coordinates in points) and searchable PDF out."""
        ...
