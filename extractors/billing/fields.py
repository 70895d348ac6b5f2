"""Labelled values on billing forms: text segments (line pieces split at column gaps), a label's
value to its right or below it, and the page text as one string for running-text grammars.

Pure: pages in, strings and segments out. Knows no field names; the extractors bring those.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from extractors.dates import parse_date
from extractors.lines import TextLine
from extractors.page import Box, Page, Word
from extractors.values import parse_money

_GAP_FACTOR = 1.4  # a gap wider than this x font size separates two columns
_MIN_GAP = 9.0
_ONLY_DOLLAR = re.compile(r"^[$sS\u00a7\s_.:]*$")  # OCR reads a lone '$' as 's' or 'S'
_OCR_DIGITS = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "l": "1",
        "I": "1",
        "|": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
    }
)
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})*[.,]\d{2}|\d+[.,]\d{2}")
_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_PARENTHETICAL = re.compile(r"\([^)]*\)?")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a text line between column gaps, with its page and line index."""

    page: int
    line: int
    text: TextLine

    @property
    def value(self) -> str:
        """The segment's words joined by single spaces."""
        return self.text.text


def _distance(word: Box, seed: Box) -> float | None:
    """How far a word's centre is from a line's first word's centre; None when too far."""
    distance = abs(word.cy - seed.cy)
    return distance if distance <= 0.35 * min(word.height, seed.height) else None


def form_lines(page: Page) -> list[TextLine]:
    """A page's words in lines, each word joining the line whose first word's centre is nearest
    (not the growing union): on a two-column form, lines of one column that sit between two
    lines of the other must not fuse them."""
    rows: list[tuple[Box, list[Word]]] = []
    for word in sorted(page.words, key=lambda w: (w.box.cy, w.box.x0)):
        near = [
            (d, members)
            for seed, members in rows[-8:]
            if (d := _distance(word.box, seed)) is not None
        ]
        if near:
            min(near, key=lambda pair: pair[0])[1].append(word)
        else:
            rows.append((word.box, [word]))
    lines: list[TextLine] = []
    for _, members in rows:
        members.sort(key=lambda w: w.box.x0)
        box = members[0].box
        for word in members[1:]:
            box = box.union(word.box)
        lines.append(TextLine(tuple(members), box))
    lines.sort(key=lambda line: (line.box.y0, line.box.x0))
    return lines


def _split(line: TextLine) -> list[TextLine]:
    """A line cut where the gap between two words is wide for the smaller of the two."""
    pieces: list[list[Word]] = [[line.words[0]]]
    for previous, word in zip(line.words, line.words[1:], strict=False):
        gap = max(_MIN_GAP, _GAP_FACTOR * min(previous.size, word.size))
        if word.box.x0 - previous.box.x1 > gap:
            pieces.append([word])
        else:
            pieces[-1].append(word)
    return [_line_of(piece) for piece in pieces]


def _line_of(words: Sequence[Word]) -> TextLine:
    box = words[0].box
    for word in words[1:]:
        box = box.union(word.box)
    return TextLine(tuple(words), box)


def page_segments(page: Page) -> list[Segment]:
    """A page's lines split at column gaps, top to bottom, left to right."""
    found: list[Segment] = []
    for index, line in enumerate(form_lines(page)):
        found += [Segment(page.number, index, piece) for piece in _split(line)]
    return found


def page_text(page: Page) -> str:
    """A page's lines joined by single spaces: the running text grammars search."""
    return " ".join(line.text for line in form_lines(page))


def find_label(segments: Sequence[Segment], pattern: re.Pattern[str]) -> tuple[Segment, str] | None:
    """The first segment whose text matches `pattern`, with the text after the match."""
    for segment in segments:
        match = pattern.search(segment.value)
        if match:
            return segment, segment.value[match.end() :].strip(" :\t")
    return None


def right_of(segments: Sequence[Segment], segment: Segment) -> list[Segment]:
    """The segments on the same line to the right of `segment`, nearest first."""
    box = segment.text.box
    found = [
        other
        for other in segments
        if other.page == segment.page
        and other.text.box.x0 > box.x1
        # the same line, or a cell a skewed scan put a little higher or lower
        and (
            other.line == segment.line
            or abs(other.text.box.cy - box.cy) <= 0.4 * max(box.height, other.text.box.height)
        )
    ]
    return sorted(found, key=lambda other: other.text.box.x0)


def below(segments: Sequence[Segment], segment: Segment, depth: int = 3) -> list[Segment]:
    """Up to `depth` segments under `segment`, starting near its left edge, nearest first."""
    box = segment.text.box
    under = [
        other
        for other in segments
        if other.page == segment.page
        and other.line > segment.line
        and abs(other.text.box.x0 - box.x0) <= 12
        and other.text.box.y0 - box.y1 < 14 * depth
    ]
    under.sort(key=lambda other: other.line)
    result: list[Segment] = []
    last = box
    for other in under:
        if other.text.box.y0 - last.y1 > 1.2 * max(other.text.size, 6):
            break
        result.append(other)
        last = other.text.box
        if len(result) == depth:
            break
    return result


def amount_of(text: str, strict: bool = False) -> Decimal | None:
    """A cell's whole text as money ('$ 1,234.50', '(500.00)', '-$12.00'), else None.

    Forgiving of what OCR does to printed cents: '$' read as 's', a grouping comma read as a
    point ('6,040.250.00'), a stray space or trailing comma, 'O' for 0 and 'S' for 5.
    `strict` accepts only amounts printed with cents (table cells), nothing read loosely.
    """
    cleaned = text.replace(" ", "").strip("_:;,'")
    if not cleaned or not any(char.isdigit() for char in cleaned):
        return None
    negative = cleaned.startswith(("-", "(")) or cleaned.endswith(("-", ")"))
    body = cleaned.strip("()-")
    if body[:1] in ("$", "s", "S", "\u00a7") and len(body) > 1:
        body = body[1:].lstrip("(-")
    body = body.translate(_OCR_DIGITS)
    if _GROUPED.fullmatch(body):
        value = Decimal(re.sub(r"[.,]", "", body[:-3]) + "." + body[-2:])
    elif strict:
        return None
    elif _WHOLE.fullmatch(body):
        value = Decimal(body.replace(",", ""))
    else:
        return parse_money(cleaned)
    return -value if negative else value


def amount_right(segments: Sequence[Segment], segment: Segment, rest: str) -> Decimal | None:
    """The amount a label segment holds after its label, else the first cell to its right."""
    own = amount_of(_PARENTHETICAL.sub("", rest).strip())
    if own is not None:
        return own
    for other in right_of(segments, segment):
        if _ONLY_DOLLAR.match(other.value):
            continue
        return amount_of(other.value)
    return None


def text_value(segments: Sequence[Segment], segment: Segment, rest: str) -> str | None:
    """A label's text value: after the label, else the cell to its right, else the line below."""
    if rest and not _ONLY_DOLLAR.match(rest):
        return rest
    right = right_of(segments, segment)
    if right and not _ONLY_DOLLAR.match(right[0].value):
        return right[0].value
    under = below(segments, segment, depth=1)
    return under[0].value if under else None


def date_value(segments: Sequence[Segment], segment: Segment, rest: str) -> date | None:
    """A label's date: after the label, else in the cell to its right."""
    found = parse_date(rest) if rest else None
    if found is not None:
        return found
    right = right_of(segments, segment)
    return parse_date(right[0].value) if right else None
