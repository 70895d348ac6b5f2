"""The ruled cells of a scanned title-block clip, and the clip with its rules erased.

Tesseract reads a title block badly as one page: ruling lines become "|" and "_" or swallow
the characters that touch them, and sparse-text mode drops whole cells and one-character
revision marks. Cut along the block's own rules, each cell is a small uniform block that
reads reliably. Owns finding the rules and the cells between them (OpenCV morphology on the
clip at OCR resolution); not what the text says. Pure functions over grey images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.drawings.title_block import GrayImage

_RULE_INCHES = 1 / 3  # a straight stroke this long is a rule, not a letter
_MIN_CELL_INCHES = (0.25, 0.12)  # width, height: smaller gaps between rules hold no text
_MAX_CELL_SHARE = 0.6  # a "cell" this large is the area around the block, not a cell
_MIN_COVER = 0.35  # cells must cover this share of the clip to be trusted over the whole clip
# Free space touching the clip's edge this thin, or this sparsely filling its box, is the
# margin around the block (a skewed border leaves a sliver), not a cell.
_EDGE_SLIVER_INCHES = 0.5
_EDGE_FILL = 0.5


@dataclass(frozen=True, slots=True)
class Cell:
    """One ruled cell of a clip, in pixels of that clip."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class RuledClip:
    """A clip with its rules painted out, and the cells those rules enclose (may be none)."""

    image: GrayImage
    cells: tuple[Cell, ...]


def _rule_mask(image: GrayImage, dpi: int) -> GrayImage:
    """Long horizontal and vertical strokes of a grey clip as a white-on-black mask, thickened
    so a slightly skewed or broken rule still closes its cells."""
    import cv2

    ink = cv2.adaptiveThreshold(
        image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )
    length = max(int(dpi * _RULE_INCHES), 15)
    across = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    down = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))
    )
    across = cv2.dilate(across, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 5)))
    down = cv2.dilate(down, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 15)))
    import numpy as np

    return np.bitwise_or(across, down).astype(np.uint8)


def _cells(mask: GrayImage, dpi: int) -> tuple[Cell, ...]:
    """The rule-free regions of a mask big enough to hold text, top to bottom."""
    import cv2
    import numpy as np

    rows, cols = mask.shape
    free = (mask == 0).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    min_w, min_h = (int(dpi * inches) for inches in _MIN_CELL_INCHES)
    cells = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index][:5])
        if w < min_w or h < min_h or w * h > _MAX_CELL_SHARE * rows * cols:
            continue
        edge = x == 0 or y == 0 or x + w == cols or y + h == rows
        if edge and (min(w, h) < _EDGE_SLIVER_INCHES * dpi or area < _EDGE_FILL * w * h):
            continue
        cells.append(Cell(x, y, w, h))
    cells.sort(key=lambda cell: (cell.y, cell.x))
    return tuple(cells)


def find_ruled_cells(image: GrayImage, dpi: int) -> RuledClip:
    """A grey clip at `dpi` in; the clip with its rules erased and its cells out. No cells
    when the rules enclose too little of the clip to be trusted (an unruled block)."""
    mask = _rule_mask(image, dpi)
    erased = image.copy()
    erased[mask > 0] = 255
    cells = _cells(mask, dpi)
    rows, cols = image.shape
    covered = sum(cell.width * cell.height for cell in cells)
    if covered < _MIN_COVER * rows * cols:
        cells = ()
    return RuledClip(erased, cells)
