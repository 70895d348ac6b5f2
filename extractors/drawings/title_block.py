"""Find a sheet's title block: the sheet-number anchor, the labels around it, and (on scanned
sheets) the block's ruled outline in a low-resolution render.

Owns where the block is, not what its fields say (`sheet.py` reads them). Text path: the
largest sheet-number-shaped word is the anchor, labels are found line by line and the ones
nearest the anchor belong to the block. Image path: long ruled lines found with OpenCV
morphology give a right strip, a bottom strip or a bottom-right block. Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.drawings.labels import Field, is_sheet_number, label_at_start
from extractors.lines import TextLine
from extractors.page import Box, Page, Word
from extractors.tables import box_of

if TYPE_CHECKING:  # OpenCV and NumPy load only when a scanned sheet needs them
    import numpy as np
    import numpy.typing as npt

    GrayImage = npt.NDArray[np.uint8]

# Cells of a title block are at least this many font sizes apart across a line.
_CELL_GAP = 2.0
_POINTS_PER_INCH = 72.0


@dataclass(frozen=True, slots=True)
class Label:
    """A title-block label as printed, and the words after it on its own line (if any)."""

    field: Field
    words: tuple[Word, ...]
    box: Box
    inline: tuple[Word, ...] = ()


def cell_segments(line: TextLine) -> list[TextLine]:
    """A line cut into cell texts where the gap is wider than a couple of font sizes."""
    pieces: list[list[Word]] = [[line.words[0]]]
    for previous, word in zip(line.words, line.words[1:], strict=False):
        size = max(min(previous.size, word.size), 4.0)
        if word.box.x0 - previous.box.x1 > max(_CELL_GAP * size, 10.0):
            pieces.append([word])
        else:
            pieces[-1].append(word)
    return [TextLine(tuple(piece), box_of(piece)) for piece in pieces]


def _label_of(line: TextLine) -> Label | None:
    segment = line.words
    text = line.text
    found = label_at_start(text)
    if found is None:
        return None
    field, length = found
    taken: list[Word] = []
    consumed = 0
    for word in segment:
        if consumed >= length:
            break
        taken.append(word)
        consumed += len(word.text) + 1
    rest = segment[len(taken) :]
    return Label(field, tuple(taken), box_of(taken), tuple(rest))


def find_labels(lines: Sequence[TextLine]) -> list[Label]:
    """Every label that starts a cell text on these lines."""
    labels: list[Label] = []
    for line in lines:
        for segment in cell_segments(line):
            label = _label_of(segment)
            if label is not None:
                labels.append(label)
    return labels


def find_anchor(page: Page) -> Word | None:
    """The sheet number's likely word: the largest sheet-number-shaped word, bottom-right first."""
    candidates = [word for word in page.words if is_sheet_number(word.text)]
    if not candidates:
        return None
    sizes = sorted(word.size for word in page.words)
    median = sizes[len(sizes) // 2]
    # Notes and callouts print other sheets' numbers small: only large print can anchor.
    big = [word for word in candidates if word.size >= 1.3 * median]
    if not big:
        return None
    return max(big, key=lambda w: (round(w.size), w.box.cx / page.width + w.box.cy / page.height))


def reference_point(page: Page, anchor: Word | None) -> tuple[float, float]:
    """Where the block is centred on: the anchor, else the page's bottom-right corner."""
    if anchor is not None:
        return anchor.box.cx, anchor.box.cy
    return page.width - 72.0, page.height - 72.0


def distance(box: Box, point: tuple[float, float]) -> float:
    """Distance from a point to the nearest point of a box (0 inside)."""
    dx = max(box.x0 - point[0], 0.0, point[0] - box.x1)
    dy = max(box.y0 - point[1], 0.0, point[1] - box.y1)
    return math.hypot(dx, dy)


def text_runs(words: Sequence[Word]) -> list[TextLine]:
    """Words chained left to right into runs of one cell's line, top to bottom.

    A word continues a run when it sits on the run's last word's line (vertical overlap) and
    follows it within a couple of font sizes. Title-block text is tightly stacked with tall
    word boxes and neighbouring cells share baselines, so page-wide lines would mix cells.
    """
    bins: dict[int, list[list[Word]]] = {}
    runs: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box.x0, w.box.cy)):
        key = int(word.box.cy // _BIN)
        run = _continued(word, (bins.get(k, []) for k in (key - 1, key, key + 1)))
        if run is None:
            run = [word]
            runs.append(run)
        else:
            old = int(run[-1].box.cy // _BIN)
            bins[old].remove(run)
            run.append(word)
        bins.setdefault(key, []).append(run)
    lines = [TextLine(tuple(run), box_of(run)) for run in runs]
    lines.sort(key=lambda line: (line.box.y0, line.box.x0))
    return lines


_BIN = 12.0


def _continued(word: Word, groups: Iterable[list[list[Word]]]) -> list[Word] | None:
    best: list[Word] | None = None
    best_gap = math.inf
    for group in groups:
        for run in group:
            last = run[-1].box
            gap = word.box.x0 - last.x1
            size = max(min(run[-1].size, word.size), 4.0)
            overlap = min(word.box.y1, last.y1) - max(word.box.y0, last.y0)
            if (
                -1.0 <= gap <= max(_CELL_GAP * size, 10.0)
                and gap < best_gap
                and (overlap >= 0.6 * min(word.box.height, last.height))
            ):
                best, best_gap = run, gap
    return best


def page_lines(page: Page) -> list[TextLine]:
    """A sheet's text runs (one cell's line each), top to bottom."""
    return text_runs(page.words)


# --- scanned sheets: the block's outline from ruled lines ------------------------------------


@dataclass(frozen=True, slots=True)
class _Segment:
    x0: float
    y0: float
    x1: float
    y1: float


def _long_lines(binary: GrayImage, vertical: bool, length: int) -> list[_Segment]:
    """Long straight strokes (dashes and text removed), as boxes in pixels."""
    import cv2

    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1, length) if vertical else (length, 1))
    opened = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    # A slightly skewed scan breaks a line into a staircase: close the steps again.
    joiner = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 9) if vertical else (9, 5))
    joined = cv2.dilate(opened, joiner)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    out: list[_Segment] = []
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index][:4])
        out.append(_Segment(float(x), float(y), float(x + w), float(y + h)))
    return out


def locate_block_in_image(gray: GrayImage, width: float, height: float) -> Box:
    """A low-resolution grey render of a sheet in, the title block's box (points) out.

    Right strip: a near full-height vertical rule in the right part of the sheet. Bottom
    strip: a near full-width horizontal rule in the lower part. Bottom-right block: the
    highest horizontal rule in the lower half that runs to the sheet's right border.
    Fallback: the bottom-right quarter.
    """
    import numpy as np

    rows, cols = gray.shape
    sx, sy = width / cols, height / rows
    binary = np.where(gray < float(np.median(gray)) - 40, 255, 0).astype(np.uint8)
    inch = cols / (width / _POINTS_PER_INCH)
    verticals = _long_lines(binary, True, max(int(rows * 0.08), 10))
    horizontals = _long_lines(binary, False, max(int(cols * 0.05), 10))
    border_r = max((s.x1 for s in verticals), default=float(cols))
    border_b = max((s.y1 for s in horizontals), default=float(rows))
    strips = [
        s for s in verticals
        if s.y1 - s.y0 > 0.85 * rows and 0.6 * cols < (s.x0 + s.x1) / 2 < border_r - 0.4 * inch
    ]  # fmt: skip
    if strips:
        x = max((s.x0 + s.x1) / 2 for s in strips)
        return _padded(Box(x * sx, 0, width, height), width, height)
    bands = [
        s for s in horizontals
        if s.x1 - s.x0 > 0.85 * cols and 0.6 * rows < (s.y0 + s.y1) / 2 < border_b - 0.4 * inch
    ]  # fmt: skip
    if bands:
        y = max((s.y0 + s.y1) / 2 for s in bands)
        return _padded(Box(0, y * sy, width, height), width, height)
    tops = [
        s for s in horizontals
        if s.x1 > border_r - 0.3 * inch and 0.5 * rows < s.y0 < border_b - inch
        and 2.5 * inch < s.x1 - s.x0 < 0.6 * cols
    ]  # fmt: skip
    if tops:
        top = min(tops, key=lambda s: s.y0)
        # The top rule may be drawn short or found broken: the block is as wide as its widest
        # rule running to the right border below it.
        left = min(s.x0 for s in tops)
        return _padded(Box(left * sx, top.y0 * sy, width, height), width, height)
    return Box(width * 0.6, height * 0.6, width, height)


def _padded(box: Box, width: float, height: float) -> Box:
    pad = 0.15 * _POINTS_PER_INCH
    return Box(max(box.x0 - pad, 0), max(box.y0 - pad, 0), width, height)
