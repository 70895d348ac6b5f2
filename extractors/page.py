"""The page model: words with boxes, font size, bold flag and confidence.

The text-layer reader and the OCR path both produce it, so layout and extraction code is
shared, not forked. Plain frozen dataclasses: a page holds thousands of words and this
must stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class TextSource(StrEnum):
    """Where a page's words came from."""

    TEXT_LAYER = "text_layer"
    OCR = "ocr"


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in PDF points, origin top-left, y growing downwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: Box) -> Box:
        """The smallest box holding both."""
        return Box(
            min(self.x0, other.x0), min(self.y0, other.y0),
            max(self.x1, other.x1), max(self.y1, other.y1),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Word:
    """One word as printed: its text, where it stands, and how it looks."""

    text: str
    box: Box
    size: float = 10.0
    bold: bool = False
    confidence: float = 1.0


def read_by_ocr(words: Iterable[Word]) -> bool:
    """Whether words came from OCR (a text layer's words are sure, confidence 1)."""
    return any(word.confidence < 1.0 for word in words)


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its size in points, its words in reading order, and where they came from."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    source: TextSource = TextSource.TEXT_LAYER
    # Horizontal and vertical ruling segments (x0, y0, x1, y1), for ruled tables.
    rules: tuple[Box, ...] = ()
