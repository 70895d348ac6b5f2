"""Decide, per page, whether the text layer can be trusted or the page must be OCRed.

Owns the verdict and its reasons: no text at all, too little text for the page, garbage
encodings (replacement characters, private-use code points, unmapped glyphs, control
characters), and a page that is mostly one big image with only a stamp or header as text.
Also owns choosing the resolution to render a page at for OCR. Pure: a `Page`, the image
coverage and image resolution of the PDF page come in; nothing here renders, reads files or
the environment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from extractors.page import Page

_MIN_CHARS = 20  # fewer printable characters than this on a page is no text layer
_MAX_BAD_SHARE = 0.2  # more than this share of suspicious characters is a broken encoding
_MIN_LETTER_SHARE = 0.3  # fewer letters and digits than this is not text
_IMAGE_COVERAGE = 0.6  # a page image covering this much of the page is a scan
_STAMP_WORDS = 25  # a scan with fewer words than this over it carries a stamp or header only
_STAMP_AREA = 0.03  # ... when they also cover less than this share of the page
VECTOR_DPI = 300
_LOWEST_DPI = 50  # a stated resolution below this is nonsense: render as if 50
_MAX_DPI = 400
_TARGET_DPI = 300
_POINTS_PER_INCH = 72.0
_ASCII_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class TextVerdict:
    """Whether a page's text layer is usable, and why not when it is not (for a warning)."""

    usable: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PageImages:
    """What the page's raster images amount to: covered share of the page and their DPI."""

    coverage: float = 0.0
    dpi: float | None = None


def _suspicious(char: str) -> bool:
    """Replacement characters, private use, unassigned, controls: what broken fonts produce."""
    if char == "\ufffd":
        return True
    category = unicodedata.category(char)
    return category in ("Co", "Cn", "Cs") or (category == "Cc" and not char.isspace())


def _bad_count(chars: str) -> int:
    """How many of `chars` (no white space among them) are suspicious."""
    # ASCII holds no suspicious character but the controls, so one scan settles most pages;
    # only the characters beyond ASCII are looked up one by one.
    bad = len(_ASCII_CONTROLS.findall(chars))
    if not chars.isascii():
        bad += sum(map(_suspicious, _BEYOND_ASCII.findall(chars)))
    return bad


def _printable(text: str) -> str:
    """The characters of `text` that are not white space, in order."""
    return "".join(text.split())


def bad_char_share(text: str) -> float:
    """The share of characters in `text` that a working font encoding would not produce."""
    chars = _printable(text)
    if not chars:
        return 0.0
    return _bad_count(chars) / len(chars)


def _text_area_share(page: Page) -> float:
    area = page.width * page.height
    if area <= 0:
        return 0.0
    covered = sum(max(0.0, w.box.width) * max(0.0, w.box.height) for w in page.words)
    return covered / area


def _is_stamp(page: Page) -> bool:
    return len(page.words) < _STAMP_WORDS and _text_area_share(page) < _STAMP_AREA


def assess_text_layer(
    page: Page, images: PageImages | Callable[[], PageImages] = PageImages()
) -> TextVerdict:
    """A page read from its text layer and its image coverage in: usable or needs OCR, and why.

    `images` may be a function measuring them: it is called only when they can change the
    verdict (a page with little text), so a page full of text never has its images listed.
    """
    chars = _printable("".join([word.text for word in page.words]))
    printable = len(chars)
    if printable == 0:
        return TextVerdict(False, "no text layer")
    if _bad_count(chars) / printable > _MAX_BAD_SHARE:
        return TextVerdict(False, "the text layer is garbage (unmapped glyphs)")
    if sum(map(str.isalnum, chars)) / printable < _MIN_LETTER_SHARE:
        return TextVerdict(False, "the text layer is garbage (few letters or digits)")
    if printable >= _MIN_CHARS and not _is_stamp(page):
        return TextVerdict(True)  # enough text that no image under it makes the page a scan
    coverage = (images() if callable(images) else images).coverage
    if coverage >= _IMAGE_COVERAGE:
        return TextVerdict(False, "the page is a scanned image with only a stamp or header as text")
    return TextVerdict(True)


def measure_page_images(handle: Any, width: float, height: float) -> PageImages:
    """An open PyMuPDF page in, the share of it its images cover and their resolution out."""
    area = width * height
    if area <= 0:
        return PageImages()
    best_cover, dpi = 0.0, None
    for info in _image_info(handle):
        x0, y0, x1, y1 = info["bbox"]
        x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, width), min(y1, height)
        cover = max(0.0, x1 - x0) * max(0.0, y1 - y0) / area
        if cover > best_cover and x1 > x0:
            best_cover = cover
            shown = info["bbox"][2] - info["bbox"][0]
            dpi = _POINTS_PER_INCH * float(info["width"]) / shown if shown > 0 else None
    return PageImages(min(best_cover, 1.0), dpi)


def _image_info(handle: Any) -> Iterable[dict[str, Any]]:
    try:
        infos: list[dict[str, Any]] = handle.get_image_info()
    except (RuntimeError, ValueError):  # a broken image dictionary: treat as no images
        return []
    return infos


def choose_dpi(images: PageImages) -> int:
    """The resolution to render a page at for OCR: a scan's own up to 400 DPI, else 300."""
    if images.dpi is None or images.coverage < _IMAGE_COVERAGE:
        return VECTOR_DPI
    if images.dpi > _MAX_DPI:
        return _TARGET_DPI  # down-sample a 600-DPI scan
    # Below 200 DPI the image's own pixels are rendered as they are: the stated resolution of a
    # photo is often wrong (72 or 96), so the OCR engine scales by the size of the letters.
    return max(round(images.dpi), _LOWEST_DPI)
