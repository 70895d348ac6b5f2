"""Open a guarded input as a document: a PDF or an image, pages handed out one at a time.

Owns the PyMuPDF open from memory, the page-count limit (checked before any page is touched),
the encrypted / corrupt / repaired verdicts, and the page handles later stages read or render.
Must not read files or the environment, render or OCR anything on open, or load every page at
once: pages are streamed by `OpenedDocument.pages()`. PyMuPDF is imported lazily, on the first
open, so commands that never open a document do not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from extractors.limits import Limits
from extractors.page import Page
from extractors.sniff import MediaKind, guard, unsupported_error
from extractors.text_layer import read_text_layer
from models import ErrorCode, ExtractionError

_POINTS_PER_INCH = 72.0
_PYMUPDF_FILETYPE = {
    MediaKind.PDF: "pdf",
    MediaKind.PNG: "png",
    MediaKind.JPEG: "jpg",
    MediaKind.TIFF: "tiff",
}


def _pymupdf() -> Any:
    """PyMuPDF, imported on first use with its console chatter off (we report issues ourselves)."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    return pymupdf


@dataclass(slots=True)
class DocumentPage:
    """One page of an open document: its number (from 1), size in points, and a PyMuPDF handle."""

    number: int
    width: float
    height: float
    is_image: bool
    handle: Any

    def read_text(self, with_rules: bool = True) -> Page:
        """This page's text layer as a `Page` (no words for an image page)."""
        if self.is_image:
            return Page(self.number, self.width, self.height, ())
        return read_text_layer(self.handle, self.number, with_rules=with_rules)

    def render_png(self, dpi: int, max_pixels: int) -> bytes:
        """This page as PNG bytes at `dpi`, lowered so the image stays within `max_pixels`."""
        scale = dpi / _POINTS_PER_INCH
        pixels = self.width * scale * self.height * scale
        if pixels > max_pixels:
            scale *= (max_pixels / pixels) ** 0.5
        pymupdf = _pymupdf()
        pixmap = self.handle.get_pixmap(matrix=pymupdf.Matrix(scale, scale))
        return bytes(pixmap.tobytes("png"))


@dataclass(slots=True)
class OpenedDocument:
    """An open PDF or image document: its kind, page count and open-time warnings."""

    kind: MediaKind
    page_count: int
    handle: Any
    warnings: list[str] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        """True when the document is a raster image (its pages have no text layer)."""
        return self.kind.is_image

    def pages(self) -> Iterator[DocumentPage]:
        """The pages in order, each loaded only when reached and released after."""
        for index in range(self.page_count):
            pdf_page = self.handle.load_page(index)
            rect = pdf_page.rect
            yield DocumentPage(
                index + 1, float(rect.width), float(rect.height), self.is_image, pdf_page
            )

    def close(self) -> None:
        """Release the PyMuPDF document."""
        self.handle.close()

    def __enter__(self) -> OpenedDocument:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _corrupt(what: str) -> ExtractionError:
    return ExtractionError(code=ErrorCode.CORRUPT_FILE, message=what)


def _verdict(doc: Any, kind: MediaKind, limits: Limits) -> ExtractionError | None:
    """Refuse an open document that needs a password, has no pages or too many."""
    if doc.needs_pass:
        return ExtractionError(
            code=ErrorCode.ENCRYPTED_PDF,
            message="the PDF is encrypted and needs a password to open",
        )
    count = int(doc.page_count)
    if count == 0:
        return _corrupt(f"the {kind.name} has no pages")
    if count > limits.max_pages:
        return ExtractionError(
            code=ErrorCode.TOO_MANY_PAGES,
            message=f"the document has {count} pages; the limit is {limits.max_pages}",
        )
    return None


def _open_warnings(pymupdf: Any, doc: Any) -> list[str]:
    """What PyMuPDF had to repair while opening, for a person."""
    chatter = str(pymupdf.TOOLS.mupdf_warnings(reset=True)).strip()
    if not getattr(doc, "is_repaired", False):
        return []
    detail = f" ({chatter.splitlines()[0]})" if chatter else ""
    return [f"the PDF was damaged and has been repaired; check the result{detail}"]


_ACTIVE_KEYS = (("JavaScript", "JavaScript"), ("JS", "JavaScript"), ("Launch", "a launch action"),
                ("OpenAction", "an open action"), ("AA", "additional actions"))  # fmt: skip


def _active_content_warnings(doc: Any) -> list[str]:
    """Scripts, actions and embedded files, recorded (never run): the PDF is read as data."""
    found: list[str] = []
    if not getattr(doc, "is_pdf", False):
        return found
    try:
        if int(doc.embfile_count()) > 0:
            found.append(f"the PDF carries {doc.embfile_count()} embedded file(s); not opened")
        seen: set[str] = set()
        for xref in range(1, min(int(doc.xref_length()), 5000)):
            keys = set(doc.xref_get_keys(xref))
            seen |= {label for key, label in _ACTIVE_KEYS if key in keys}
        if doc.xref_get_key(doc.pdf_catalog(), "Names/JavaScript")[0] != "null":
            seen.add("JavaScript")
    except (RuntimeError, ValueError, AttributeError, AssertionError):
        return found
    found += [f"the PDF contains {label}; ignored (processed as data)" for label in sorted(seen)]
    return found


def open_document(
    data: bytes, limits: Limits, kind: MediaKind | None = None
) -> OpenedDocument | ExtractionError:
    """File bytes in (guarded here unless `kind` is given): an open document or a contract error."""
    if kind is None:
        verdict = guard(data, limits)
        if isinstance(verdict, ExtractionError):
            return verdict
        kind = verdict.kind
    if kind not in _PYMUPDF_FILETYPE:
        return unsupported_error()
    pymupdf = _pymupdf()
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    try:
        doc = pymupdf.open(stream=data, filetype=_PYMUPDF_FILETYPE[kind])
    except (RuntimeError, ValueError) as exc:  # FileDataError is a RuntimeError
        return _corrupt(f"the {kind.name} cannot be parsed: {exc}")
    try:
        error = _verdict(doc, kind, limits)
    except (RuntimeError, ValueError) as exc:
        error = _corrupt(f"the {kind.name} page tree cannot be read: {exc}")
    if error is not None:
        doc.close()
        return error
    warnings = _open_warnings(pymupdf, doc) + _active_content_warnings(doc)
    return OpenedDocument(kind, int(doc.page_count), doc, warnings)
