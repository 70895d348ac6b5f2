"""Read a PDF page's text layer into the page model: words with boxes, size, bold; ruling lines.

Input is an open PyMuPDF page handed in by the caller; nothing here opens files.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from extractors.page import Box, Page, TextSource, Word

_BOLD_FLAG = 16
_GAP_FACTOR = 0.25  # a gap wider than this x font size between glyphs splits a word
_RULE_THICKNESS = 3.0  # points: a filled rectangle thinner than this is a ruling line
_TYPED_RULE = 4  # this many rule characters in a row and nothing else
_MAX_DRAWINGS = 5000  # beyond this a page is line art (a drawing), not a ruled table


def _is_bold(span: dict[str, Any]) -> bool:
    font = str(span.get("font", "")).lower()
    return bool(int(span.get("flags", 0)) & _BOLD_FLAG) or "bold" in font or "black" in font


def _span_words(span: dict[str, Any]) -> list[Word]:
    """Split one span's glyphs into words at spaces and at wide gaps."""
    # The hottest loop of the born-digital path (one pass per glyph): plain floats, no lists,
    # and min()/max() spelled out as comparisons (the first of equal values wins, as there).
    size = float(span.get("size", 10.0))
    bold = _is_bold(span)
    limit = _GAP_FACTOR * size
    words: list[Word] = []
    text: list[str] = []
    left = top = right = bottom = previous_x1 = 0.0
    for char in span.get("chars", ()):
        glyph = char["c"]
        if glyph.isspace():
            if text:
                words.append(Word("".join(text), Box(left, top, right, bottom), size, bold))
                text = []
            continue
        x0, y0, x1, y1 = char["bbox"]
        # A word in progress always has the previous glyph's right edge in `previous_x1`.
        if text and not x0 - previous_x1 > limit:  # not `<=`: a NaN gap never splits
            if x0 < left:
                left = x0
            if y0 < top:
                top = y0
            if x1 > right:
                right = x1
            if y1 > bottom:
                bottom = y1
            text.append(glyph)
        else:
            if text:
                words.append(Word("".join(text), Box(left, top, right, bottom), size, bold))
            text = [glyph]
            left, top, right, bottom = x0, y0, x1, y1
        previous_x1 = x1
    if text:
        words.append(Word("".join(text), Box(left, top, right, bottom), size, bold))
    return words


def _rules(pdf_page: Any) -> tuple[Box, ...]:
    """Horizontal and vertical ruling segments drawn on the page (table borders)."""
    # PyMuPDF's raw paths: `get_drawings()` is the same list with each item made a Point or
    # a normalised Rect, which cost more than reading them.
    rules: list[Box] = []
    drawings = pdf_page.get_cdrawings()
    if len(drawings) > _MAX_DRAWINGS:
        return ()
    turn = _Turn(pdf_page) if int(pdf_page.rotation) % 360 else None
    for drawing in drawings:
        for item in drawing.get("items", ()):
            if item[0] == "l":
                rule = _line_rule(item[1], item[2])
            elif item[0] == "re":
                rule = _rect_rule(item[1])
            else:
                continue
            if rule is not None:
                rules.append(rule if turn is None else Box(*turn.box(_corners(rule))))
    return tuple(rules)


def _corners(box: Box) -> tuple[float, float, float, float]:
    return box.x0, box.y0, box.x1, box.y1


def _line_rule(start: Any, end: Any) -> Box | None:
    """A drawn segment that is horizontal or vertical, as a box; None for a slanted one."""
    px, py, qx, qy = float(start[0]), float(start[1]), float(end[0]), float(end[1])
    if abs(py - qy) < 1 or abs(px - qx) < 1:
        return Box(min(px, qx), min(py, qy), max(px, qx), max(py, qy))
    return None


def _rect_rule(rect: Any) -> Box | None:
    """A filled rectangle thin and long enough to be a ruling line, as a box (normalised)."""
    x0, y0, x1, y1 = (float(value) for value in rect)
    if x1 < x0:
        x0, x1 = x1, x0
    if y1 < y0:
        y0, y1 = y1, y0
    width, height = max(0, x1 - x0), max(0, y1 - y0)
    if min(width, height) < _RULE_THICKNESS and max(width, height) > 5:
        return Box(x0, y0, x1, y1)
    return None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while, back on after (if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _page_words(pdf_page: Any) -> list[Word]:
    """The words of a page's lines that read horizontally as the page is shown, in the text
    layer's order, in the shown page's coordinates (a /Rotate page's text is turned with it).
    Invisible text (an old OCR layer under a born-digital page) counts only on a page that
    shows none; a word printed twice a hair apart (simulated bold) counts once."""
    turn = _Turn(pdf_page) if int(pdf_page.rotation) % 360 else None
    # The raw dictionary holds one dict per glyph, none of them in a reference cycle: the
    # collections their creation would set off find nothing to free and cost a third of the
    # time of reading the page, so the collector waits until the dictionary is gone.
    with _collector_paused():
        raw = pdf_page.get_text("rawdict", flags=0)
        shown: list[Word] = []
        hidden: list[Word] = []
        for block in raw.get("blocks", ()):
            for line in block.get("lines", ()):
                direction = line.get("dir", (1.0, 0.0))
                if turn is not None:
                    direction = turn.direction(direction)
                if abs(direction[1]) > 0.5:  # vertical text (stamps, margins) is not body text
                    continue
                for span in line.get("spans", ()):
                    if turn is not None:
                        span = turn.span(span)
                    _add_span(hidden if span.get("alpha", 255) == 0 else shown, span)
        del raw
    return _once(shown or hidden)


_OVERPRINT = 1.0  # points: the same word drawn again this close is one word (fake bold)
_SPAN_JOIN = 0.1  # x font size: a span starting this close to the last word goes on with it


def _add_span(words: list[Word], span: dict[str, Any]) -> None:
    """A span's words added to a line's; a span that carries on a word set in another font
    ("INV-" in bold, then "53654") joins it, as no space stands between them."""
    found = _span_words(span)
    if found and words and not span["chars"][0]["c"].isspace():
        last, first = words[-1], found[0]
        gap = first.box.x0 - last.box.x1
        level = abs(first.box.y1 - last.box.y1) < 0.3 * max(first.size, last.size)
        if level and -0.5 < gap < _SPAN_JOIN * min(first.size, last.size):
            words[-1] = Word(last.text + first.text, last.box.union(first.box), last.size,
                             last.bold)  # fmt: skip
            found = found[1:]
    words.extend(found)


def _once(words: list[Word]) -> list[Word]:
    """The words with each overprinted copy dropped."""
    seen: dict[str, list[Box]] = {}
    kept: list[Word] = []
    for word in words:
        boxes = seen.setdefault(word.text, [])
        box = word.box
        if any(
            abs(box.x0 - other.x0) < _OVERPRINT and abs(box.y0 - other.y0) < _OVERPRINT
            for other in boxes
        ):
            continue
        boxes.append(box)
        kept.append(word)
    return kept


class _Turn:
    """A /Rotate page's map from the content's coordinates to the page as shown."""

    def __init__(self, pdf_page: Any) -> None:
        matrix = pdf_page.rotation_matrix
        self.a, self.b, self.c, self.d = (float(matrix.a), float(matrix.b),
                                          float(matrix.c), float(matrix.d))  # fmt: skip
        self.e, self.f = float(matrix.e), float(matrix.f)

    def direction(self, vector: Any) -> tuple[float, float]:
        dx, dy = float(vector[0]), float(vector[1])
        return self.a * dx + self.c * dy, self.b * dx + self.d * dy

    def box(self, bbox: Any) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = (float(value) for value in bbox)
        xs = [self.a * x + self.c * y + self.e for x, y in ((x0, y0), (x1, y1))]
        ys = [self.b * x + self.d * y + self.f for x, y in ((x0, y0), (x1, y1))]
        return min(xs), min(ys), max(xs), max(ys)

    def span(self, span: dict[str, Any]) -> dict[str, Any]:
        chars = [{**char, "bbox": self.box(char["bbox"])} for char in span.get("chars", ())]
        return {**span, "chars": chars}


def _typed_rule(text: str) -> bool:
    """A rule typed as characters ("--------", "========") in a text print: no word."""
    return len(text) >= _TYPED_RULE and text[0] in "-=_*~" and not text.strip(text[0])


def read_text_layer(pdf_page: Any, number: int, with_rules: bool = True) -> Page:
    """A PyMuPDF page in, its words (reading order) and ruling lines out as a `Page`."""
    words = [word for word in _page_words(pdf_page) if not _typed_rule(word.text)]
    rect = pdf_page.rect
    return Page(
        number=number,
        width=float(rect.width),
        height=float(rect.height),
        words=tuple(words),
        source=TextSource.TEXT_LAYER,
        rules=_rules(pdf_page) if with_rules else (),
    )
