"""Read a PDF page's text layer into the page model: words with boxes, size, bold; ruling lines.

Input is an open PyMuPDF page handed in by the caller; nothing here opens files.
"""

from __future__ import annotations

from typing import Any

from extractors.page import Box, Page, TextSource, Word

_BOLD_FLAG = 16
_GAP_FACTOR = 0.25  # a gap wider than this x font size between glyphs splits a word
_RULE_THICKNESS = 3.0  # points: a filled rectangle thinner than this is a ruling line
_MAX_DRAWINGS = 5000  # beyond this a page is line art (a drawing), not a ruled table


def _is_bold(span: dict[str, Any]) -> bool:
    font = str(span.get("font", "")).lower()
    return bool(int(span.get("flags", 0)) & _BOLD_FLAG) or "bold" in font or "black" in font


def _span_words(span: dict[str, Any]) -> list[Word]:
    """Split one span's glyphs into words at spaces and at wide gaps."""
    # The hottest loop of the born-digital path (one pass per glyph): plain floats, no lists.
    size = float(span.get("size", 10.0))
    bold = _is_bold(span)
    limit = _GAP_FACTOR * size
    words: list[Word] = []
    text: list[str] = []
    left = top = right = bottom = 0.0
    previous_x1: float | None = None
    for char in span.get("chars", ()):
        glyph = char["c"]
        if glyph.isspace():
            if text:
                words.append(Word("".join(text), Box(left, top, right, bottom), size, bold))
                text = []
            previous_x1 = None
            continue
        x0, y0, x1, y1 = char["bbox"]
        if text and previous_x1 is not None and x0 - previous_x1 > limit:
            words.append(Word("".join(text), Box(left, top, right, bottom), size, bold))
            text = []
        if text:
            left, top = min(left, x0), min(top, y0)
            right, bottom = max(right, x1), max(bottom, y1)
        else:
            left, top, right, bottom = x0, y0, x1, y1
        text.append(glyph)
        previous_x1 = x1
    if text:
        words.append(Word("".join(text), Box(left, top, right, bottom), size, bold))
    return words


def _rules(pdf_page: Any) -> tuple[Box, ...]:
    """Horizontal and vertical ruling segments drawn on the page (table borders)."""
    rules: list[Box] = []
    drawings = pdf_page.get_drawings()
    if len(drawings) > _MAX_DRAWINGS:
        return ()
    for drawing in drawings:
        for item in drawing.get("items", ()):
            if item[0] == "l":
                p, q = item[1], item[2]
                if abs(p.y - q.y) < 1 or abs(p.x - q.x) < 1:
                    rules.append(Box(min(p.x, q.x), min(p.y, q.y), max(p.x, q.x), max(p.y, q.y)))
            elif item[0] == "re":
                r = item[1]
                if min(r.width, r.height) < _RULE_THICKNESS and max(r.width, r.height) > 5:
                    rules.append(Box(r.x0, r.y0, r.x1, r.y1))
    return tuple(rules)


def read_text_layer(pdf_page: Any, number: int, with_rules: bool = True) -> Page:
    """A PyMuPDF page in, its words (reading order) and ruling lines out as a `Page`."""
    raw = pdf_page.get_text("rawdict", flags=0)
    words: list[Word] = []
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            direction = line.get("dir", (1.0, 0.0))
            if abs(direction[1]) > 0.5:  # vertical text (stamps, margins) is not body text
                continue
            for span in line.get("spans", ()):
                words.extend(_span_words(span))
    rect = pdf_page.rect
    return Page(
        number=number,
        width=float(rect.width),
        height=float(rect.height),
        words=tuple(words),
        source=TextSource.TEXT_LAYER,
        rules=_rules(pdf_page) if with_rules else (),
    )
