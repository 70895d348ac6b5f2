"""Page images for the review screen and where each extracted value is printed on them.

Pages are rendered with PyMuPDF once and cached as PNG under DATA_DIR/previews, keyed by the
file's SHA-256, the page and the zoom (never by anything the user typed). The envelope has no
boxes, so a field's box is found by searching the page's text layer for its printed value
(amounts and dates normalised). Boxes are fractions of the page, so they fit any image size.
A value not found has no box: honest, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymupdf

MAX_SEARCH_PAGES = 20
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_MONEY_CHARS = re.compile(r"[^0-9.\-]")


@dataclass(frozen=True, slots=True)
class Box:
    """Where a value is printed: a 0-based page and its rectangle as fractions of the page."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a page's text layer, normalised, with its rectangle as page fractions."""

    text: str
    raw: str
    x0: float
    y0: float
    x1: float
    y1: float


def preview_path(data_dir: Path, sha256: str, page: int, zoom: float) -> Path:
    """Where a page image is cached."""
    return data_dir / "previews" / f"{sha256}-{page}-{int(zoom * 100)}.png"


def _open(source: bytes) -> pymupdf.Document:
    """The file opened by PyMuPDF, imported on first use: an API process that never renders
    a preview never loads it."""
    import pymupdf

    return pymupdf.open(stream=source)


def render_page(source: bytes, page: int, zoom: float) -> bytes:
    """The PNG of one 0-based page of a PDF or image."""
    import pymupdf

    with _open(source) as document:
        pixmap = document[page].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        return bytes(pixmap.tobytes("png"))


def cached_page(data_dir: Path, sha256: str, source: bytes, page: int, zoom: float) -> bytes:
    """The page image from the cache, rendered and cached on first use."""
    path = preview_path(data_dir, sha256, page, zoom)
    if path.exists():
        return path.read_bytes()
    image = render_page(source, page, zoom)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".part")
    staging.write_bytes(image)
    staging.replace(path)
    return image


def page_count(source: bytes) -> int:
    """How many pages the file has."""
    with _open(source) as document:
        return int(document.page_count)


def _norm(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


def page_words(source: bytes, limit: int = MAX_SEARCH_PAGES) -> list[list[Word]]:
    """The text-layer words of each page (up to `limit` pages)."""
    pages: list[list[Word]] = []
    with _open(source) as document:
        for page in list(document)[:limit]:
            width, height = page.rect.width or 1, page.rect.height or 1
            pages.append(
                [
                    Word(
                        _norm(w[4]), w[4], w[0] / width, w[1] / height, w[2] / width, w[3] / height
                    )
                    for w in page.get_text("words")
                    if _norm(w[4])
                ]
            )
    return pages


def _amount_of(raw: str) -> Decimal | None:
    cleaned = _MONEY_CHARS.sub("", raw.replace("(", "-"))
    if not cleaned or not any(c.isdigit() for c in cleaned):
        return None
    try:
        return Decimal(cleaned.strip(".")) if cleaned.count(".") <= 1 else None
    except InvalidOperation:
        return None


def _date_variants(value: date) -> list[list[str]]:
    texts = [
        value.isoformat(),
        value.strftime("%m/%d/%Y"),
        f"{value.month}/{value.day}/{value.year}",
        value.strftime("%d.%m.%Y"),
        value.strftime("%d/%m/%Y"),
        value.strftime("%B %d, %Y"),
        value.strftime("%b %d, %Y"),
        f"{value.strftime('%B')} {value.day}, {value.year}",
        f"{value.strftime('%b')} {value.day}, {value.year}",
        value.strftime("%d %B %Y"),
        value.strftime("%m/%d/%y"),
    ]
    return [[_norm(t) for t in text.split()] for text in dict.fromkeys(texts)]


def _union(page: int, words: list[Word]) -> Box:
    return Box(
        page,
        min(w.x0 for w in words),
        min(w.y0 for w in words),
        max(w.x1 for w in words),
        max(w.y1 for w in words),
    )


def _find_sequence(pages: list[list[Word]], tokens: list[str]) -> Box | None:
    tokens = [t for t in tokens if t]
    if not tokens:
        return None
    for number, words in enumerate(pages):
        texts = [w.text for w in words]
        for start in range(len(texts) - len(tokens) + 1):
            if texts[start : start + len(tokens)] == tokens:
                return _union(number, words[start : start + len(tokens)])
    return None


def _find_amount(pages: list[list[Word]], value: Decimal) -> Box | None:
    # Search from the bottom of the page up: totals sit under the lines that sum to them.
    for number, words in enumerate(pages):
        for word in sorted(words, key=lambda w: -w.y0):
            if any(ch.isdigit() for ch in word.raw) and _amount_of(word.raw) == value:
                return _union(number, [word])
    return None


def find_box(pages: list[list[Word]], kind: str, value: str) -> Box | None:
    """A field's printed value (`kind`: text, money or date) in, its box out (None if absent)."""
    if kind == "money":
        amount = _amount_of(value)
        return _find_amount(pages, amount) if amount is not None else None
    if kind == "date":
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return None
        for tokens in _date_variants(parsed):
            box = _find_sequence(pages, tokens)
            if box is not None:
                return box
        return None
    return _find_sequence(pages, [_norm(part) for part in value.split()])
